# Entry points of the kit. Each target builds .venv/ first when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test report metrics lab clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest

report: $(STAMP)
	$(BIN)/mdrm metrics --params params/tacna/2020-09.yml -o reports/tacna/2020-09/metrics.json
	@echo "Escrito: reports/tacna/2020-09/metrics.json"

clean:
	rm -rf $(VENV) reports .pytest_cache
