# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make run    install, migrate, load demo data, serve on http://127.0.0.1:5000
#   make test   install, lint, run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test test-postgres lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed --if-empty
	$(BIN)/flask run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest

# the same suite on PostgreSQL: make test-postgres PG_URL=postgresql+psycopg://user@host/db
test-postgres: install
	TEST_DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis
