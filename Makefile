# Entry points of the kit. Each target builds .venv/ first when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium

.PHONY: test report lab browser clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Debian's Chromium for the browser tests (a test tool's own browser download cannot work here).
browser:
	@test -x $(CHROMIUM) || { \
	  echo "Instalando chromium (Debian)…"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: $(STAMP) browser
	$(BIN)/python -m pytest

report: $(STAMP)
	$(BIN)/mdrm metrics --params params/tacna/2020-09.yml -o reports/tacna/2020-09/metrics.json
	@echo "Escrito: reports/tacna/2020-09/metrics.json"

clean:
	rm -rf $(VENV) reports .pytest_cache
