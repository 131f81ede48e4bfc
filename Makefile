# Palier: `make run` serves the demo, `make test` runs the whole suite. See README.md.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes: tests wait on browsers, servers and databases as much as they compute, so
# two share even one core well. Results never depend on it (each process has its own database).
TEST_WORKERS ?= 2
BIN := $(VENV)/bin
# A real LRS for the xAPI tests (Ralph), in a virtualenv of its own: it pins versions of
# uvicorn and FastAPI that must not replace the project's. Its `requests` is missing from
# its own extras.
RALPH_VENV ?= .venv-ralph
RALPH_PACKAGES := "ralph-malph[lrs]==5.1.0" "requests>=2.31,<3"

.DEFAULT_GOAL := run
.PHONY: run test lint install install-dev ralph-venv worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project's metadata changed.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(RALPH_VENV)/.installed: Makefile
	$(PYTHON) -m venv $(RALPH_VENV)
	$(RALPH_VENV)/bin/python -m pip install --quiet $(RALPH_PACKAGES)
	touch $@

ralph-venv: $(RALPH_VENV)/.installed

# Development server on http://$(HOST):$(PORT) with the background-task worker beside it.
# The first run also simulates a pilot (synthetic learners) and activates its calibration,
# labelled as synthetic; var/ keeps it between runs (`make clean` or `palier pilot delete`).
# Links in e-mails follow HOST and PORT unless PALIER_BASE_URL is set. E-mails are saved as
# .eml files in var/mail/ (kept between runs) and announced on this console by the worker.
run: export PALIER_DEBUG ?= 1
run: export PALIER_BASE_URL ?= http://$(HOST):$(PORT)
run: export PALIER_EMAIL_BACKEND ?= file
run: install
	$(BIN)/palier migrate --no-input
	$(BIN)/palier seed --demo
	$(BIN)/palier pilot simulate --size demo --activate || \
	  echo "Palier: no pilot calibration; the demo keeps the provisional calibration."
	$(BIN)/palier demo_certification || \
	  echo "Palier: no demo certification (it needs a calibration estimated from responses)."
	$(BIN)/palier demo_steering
	$(BIN)/palier steering_refresh
	@echo "Palier: http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	@echo "Palier: links in e-mails start with $(PALIER_BASE_URL); e-mails are saved in var/mail/"
	@$(BIN)/palier db_worker --no-startup-delay --interval 1 & \
	  worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/palier runserver $(HOST):$(PORT)

worker: export PALIER_DEBUG ?= 1
worker: install
	$(BIN)/palier db_worker

lint: install-dev
	$(BIN)/ruff check .

# The whole suite: lint and type-check the engine, then every test on SQLite (browser and slow ones included),
# then the database tests again on a PostgreSQL server the test session starts itself.
test: export PALIER_DEBUG = 1
test: export PALIER_SECRET_KEY = test-only-secret-key-not-for-production
test: export PALIER_RALPH_VENV = $(abspath $(RALPH_VENV))
test: export PALIER_REQUIRE_LRS = 1
test: install-dev ralph-venv
	$(BIN)/ruff check .
	$(BIN)/mypy --ignore-missing-imports src/palier/engine
	$(BIN)/python -m pytest -p no:cacheprovider -n $(TEST_WORKERS)
	$(BIN)/python -m pytest -p no:cacheprovider -n $(TEST_WORKERS) --database=postgres -m "not browser" --ignore=tests/engine

clean:
	rm -rf $(VENV) $(RALPH_VENV) var .pytest_cache .ruff_cache
