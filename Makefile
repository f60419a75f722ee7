# Entry points of the kit. Each target builds .venv/ first when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium

.PHONY: test lint report lab bench browser clean traducciones

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

# ruff over the whole project (rules in pyproject.toml); `make test` runs it first.
lint: $(STAMP)
	$(BIN)/ruff check .

# pytest on two workers (pytest-xdist; tests/conftest.py spreads them: a module with a module-scoped
# fixture stays whole on one worker, the other tests go one by one); the report runs that several
# modules read are made once for both (tests/report_runs.py).
test: $(STAMP) browser lint
	$(BIN)/python -m pytest -n 2 --dist loadfile --cov=mdrm --cov-report=term:skip-covered

# The speed targets (README.md, «Uso»), measured (not a test): prints a table, writes reports/bench.json.
bench: $(STAMP)
	$(BIN)/python bench/run.py

# The catalogs of the kit's words (docs/idiomas.md): extract the msgids of the Python and the templates
# (babel.cfg) into build/mdrm.pot, bring each catalog of mdrm/locale/ up to date with it (a translator then
# edits only its .po), and compile the .mo files that the package ships.
traducciones: $(STAMP)
	mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg -o build/mdrm.pot --add-location=file --sort-output \
	  --add-comments=Traductores: --project=mdrm --copyright-holder="mdrm" .
	$(BIN)/pybabel update -i build/mdrm.pot -d mdrm/locale -D mdrm --ignore-obsolete
	$(BIN)/pybabel compile -d mdrm/locale -D mdrm --statistics

report: $(STAMP)
	$(BIN)/mdrm report --params params/tacna/2020-09.yml --out reports

# JupyterLab for analysts, from the project's .venv (kernel python3 has mdrm).
lab: $(STAMP)
	@echo "Abra en el navegador la dirección http://127.0.0.1:8888/lab?token=... que aparece abajo,"
	@echo "y luego notebooks/explorar.ipynb."
	$(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=8888 --ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.news_url=None --LabApp.extension_manager=readonly \
	  $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

clean:
	rm -rf $(VENV) reports .pytest_cache
