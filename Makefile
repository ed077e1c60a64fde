# Two commands for a fresh clone: `make demo` and `make test`. Each sets itself up.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
STATIC := src/reoffkit/web/static/reoffkit/app.css
PYTHON ?= python3
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup demo test bench browser office clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

# GOV.UK Frontend and MoJ Frontend come from the npm registry and are built into static files.
$(STATIC): frontend/package-lock.json frontend/build.mjs frontend/src/app.scss frontend/src/app.mjs
	npm ci --prefix frontend --no-audit --no-fund --loglevel=error
	node frontend/build.mjs

setup: $(STAMP) $(STATIC)

# Browser tests drive Debian's Chromium; install it when it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# The workbook tests open the exports in LibreOffice Calc, a second real spreadsheet client; the
# board paper is converted to PDF by LibreOffice Writer, its pages drawn by poppler's pdftoppm.
office:
	@{ dpkg -s libreoffice-calc libreoffice-writer poppler-utils >/dev/null 2>&1; } || { \
	  echo "Installing LibreOffice Calc and Writer, and poppler-utils, for the workbook and board paper tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends libreoffice-calc libreoffice-writer poppler-utils >/dev/null; }

demo: setup
	$(VENV)/bin/reoffkit demo

test: setup browser office
	$(PY) -m pytest $(PYTEST_ARGS)

bench: setup
	$(PY) benchmarks/run.py $(BENCH_ARGS)
	$(PY) benchmarks/performance_page.py $(filter --quick,$(BENCH_ARGS))
	$(PY) benchmarks/import_throughput.py $(filter --quick,$(BENCH_ARGS))
	$(PY) benchmarks/import_throughput.py --alongside $(filter --quick,$(BENCH_ARGS))

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis out var benchmarks/data frontend/node_modules src/reoffkit/web/static/reoffkit
