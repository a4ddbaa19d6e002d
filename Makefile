# Every target sets up what it needs from a clean clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export CMSREG_INSTANCE ?= $(CURDIR)/instance

.PHONY: run test test-fast lint bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever setup.cfg changes (a new dependency).
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# GOV.UK Frontend (the web pages' styles, scripts, fonts and images) and axe-core (the
# accessibility tests), exactly as package-lock.json pins them; never committed.
NPM_STAMP := node_modules/.installed
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: $(VENV)/.installed $(NPM_STAMP)
	$(BIN)/cmsreg-server init
	$(BIN)/cmsreg-server seed
	$(BIN)/cmsreg-server run --host 127.0.0.1 --port $(PORT)

# One test process per core and one more (pytest-xdist): the tests wait on servers, git and
# subprocesses for a good part of their time. Each process takes the next test when it is free
# (--maxschedchunk=1), the slow ones first (tests/conftest.py), so that no process is left with
# a run of minute-long tests at the end. PYTEST_ARGS="-n 0" runs them in one process.
# Bytecode is compiled first: the tests start hundreds of Python processes (servers, commands),
# and where PYTHONDONTWRITEBYTECODE is set each would otherwise compile the registry anew.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: $(VENV)/.installed $(NPM_STAMP)
	$(BIN)/python -m compileall -q registry cli tests
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxschedchunk=1 $(PYTEST_ARGS)

# The edit-test loop: everything but the tests marked slow (real servers killed, soak, contract).
test-fast: $(VENV)/.installed $(NPM_STAMP)
	$(BIN)/python -m compileall -q registry cli tests
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxschedchunk=1 -m "not slow" $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.installed $(NPM_STAMP)
	@for b in bench/*.py; do case $$b in */_*) continue;; esac; echo "== $$b"; $(BIN)/python $$b || exit 1; done

# docs/screenshots/*.png: the main pages in headless Chromium, on a seeded instance.
screenshots: $(VENV)/.installed $(NPM_STAMP)
	$(BIN)/python -m tests.web.screenshots docs/screenshots

clean:
	rm -rf $(VENV) instance build *.egg-info node_modules
