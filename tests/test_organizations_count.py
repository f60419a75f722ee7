"""One count of organizations reporting (docs/metodologia.md §2, regla 6): the report, the exploration and
every quality table agree, on a table where one organization is written three ways
(case and accents) and another reports only non-RMRP rows."""
from __future__ import annotations

from mdrm import explore, tables
from mdrm.validate import issues_table, summary_by_organization
from mdrm.view import load_view

# Every row has people and no population split (Q07), so every organization has an issue.
BASE = {"total_monthly": 4, "new_beneficiaries": 4, "mujeres": 4}
ROWS = [
    {**BASE, "implementing_partner": "Asociación Scalabrinianos", "activity_name": "A1"},
    {**BASE, "implementing_partner": "Asociación Scalabrinianos", "activity_name": "A2", "sector": "Health"},
    {**BASE, "implementing_partner": "AsociacIón Scalabrinianos", "activity_name": "A3"},
    {**BASE, "appealing_org": "ASOCIACION SCALABRINIANOS", "activity_name": "A4"},
    {**BASE, "appealing_org": "Org No RMRP", "rmrp_activity": "No", "activity_name": "A5"},
    {**BASE, "appealing_org": "Org C", "activity_name": "A6"},
    {**BASE, "appealing_org": "Org C", "month": "2020-08", "activity_name": "A7"},
    {**BASE, "appealing_org": "Org Otra Región", "admin1": "Puno", "activity_name": "A8"},
]
EXPECTED = ["Asociación Scalabrinianos", "Org C", "Org No RMRP"]


def test_report_exploration_and_quality_tables_count_the_same_organizations(five_w, month_params):
    data = five_w(ROWS)
    params = month_params(data)
    view = load_view(params)
    m = view.metrics
    assert m["organizations"]["reporting"] == 3

    # the report's tables: who does what, quality per organization, the issues' organizations
    who = tables.who_does_what(view)
    assert sorted(who["Organización"][:-1]) == EXPECTED
    quality_table = tables.quality_by_organization(view)
    assert sorted(quality_table["Organización"]) == EXPECTED
    assert sorted({i["organization"] for i in m["quality"]["issues"]}) == EXPECTED

    # the exploration, same selection (the region in September)
    ex = explore.load_exploration(params)
    sel = explore.Selection(months=("2020-09", "2020-09"))
    over = explore.over_time(ex, sel)
    assert over[explore.ORGS].tolist() == [3, 3]  # the month and the period row
    rows = explore.select(ex, sel)
    assert sorted(explore.quality(ex, sel, rows)["Organización"].unique()) == EXPECTED
    labels = [label for label, value in explore.options(ex, "organization") if value != explore.ALL]
    assert "Asociación Scalabrinianos" in labels and "AsociacIón Scalabrinianos" not in labels

    # mdrm validate limited by the params: the same organizations
    _, _, issues, _ = issues_table(data, params=view.params)
    september = issues[issues["month"] == "2020-09"]
    assert sorted(summary_by_organization(september)["Organización"]) == EXPECTED


def test_label_is_the_most_frequent_spelling(metrics_of):
    m = metrics_of([
        {**BASE, "appealing_org": "CARITAS", "activity_name": "A1"},
        {**BASE, "appealing_org": "Cáritas", "activity_name": "A2"},
        {**BASE, "appealing_org": "Cáritas", "activity_name": "A3"},
    ])
    assert m["organizations"]["reporting"] == 1
    assert {i["organization"] for i in m["quality"]["issues"]} == {"Cáritas"}
