# The two commands: `make run` starts Fabflow on SQLite and local files; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test test-sqlite test-postgres lint client bench clean

# `make run PORT=8080 HOST=0.0.0.0`: where the server listens (and, unless FABFLOW_PUBLIC_URL
# is set, the address a connector's updateUrl gives).
HOST ?= 127.0.0.1
PORT ?= 8000

run: $(VENV)/.installed
	$(BIN)/fabflow serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test lint test-sqlite test-postgres

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench scripts clients
	$(BIN)/ruff format --check src tests bench scripts clients
	$(BIN)/lint-imports

# Scale-out tests (several workers) need PostgreSQL: they run in the PostgreSQL pass only.
test-sqlite: $(VENV)/.installed-test
	$(BIN)/pytest -m "not scale_out"

test-postgres: $(VENV)/.installed-test
	$(BIN)/python scripts/with_postgres.py $(BIN)/pytest

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	touch $@

# The test extra also brings the client generator; tests/clients use the Python client.
$(VENV)/.installed-test: pyproject.toml clients/python/pyproject.toml $(VENV)/bin/python
	$(BIN)/pip install --quiet -e '.[test]' -e clients/python
	touch $@ $(VENV)/.installed

# The Python client's generated package, from the API's code (tests/clients checks it is current).
client: $(VENV)/.installed-test
	$(BIN)/python scripts/generate_client.py

clean:
	rm -rf $(VENV) var test-output
