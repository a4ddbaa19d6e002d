# Every target sets up what it needs from a clean clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export CMSREG_INSTANCE ?= $(CURDIR)/instance

.PHONY: run test test-fast lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever setup.cfg changes (a new dependency).
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/cmsreg-server init
	$(BIN)/cmsreg-server seed
	$(BIN)/cmsreg-server run --host 127.0.0.1 --port $(PORT)

# -n auto: one test process per core (pytest-xdist); PYTEST_ARGS="-n 0" runs them in one.
test: $(VENV)/.installed
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

# The edit-test loop: everything but the tests marked slow (real servers killed, soak, contract).
test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest -n auto -m "not slow" $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.installed
	@for b in bench/*.py; do case $$b in */_*) continue;; esac; echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) instance build *.egg-info
