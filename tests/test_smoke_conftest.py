def test_metrics_of_counts_one_row(metrics_of):
    m = metrics_of([{"total_monthly": 10, "new_beneficiaries": 10, "permanencia": 10,
                     "mujeres": 10}])
    assert m["people_reached"]["total"] == 10
    assert m["people_reached"]["by_population"]["permanencia"] == 10
