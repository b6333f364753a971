# Every target works on a fresh clone: the virtualenv is created and the project installed on demand.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo run test lint format bench bench-dispatch bench-poll bench-push migrate check-config clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP) ## chat with the bot in the terminal (no token, no network)
	$(BIN)/python -m bot console

run: $(STAMP) ## the Telegram bot (long polling unless WEBHOOK_URL is set)
	$(BIN)/python -m bot run

test: $(STAMP) ## the whole test suite
	$(BIN)/python -m pytest -q

lint: $(STAMP) ## ruff (lint + format check) and mypy --strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: bench-dispatch bench-poll bench-push ## benchmarks; each prints a JSON line at the end

bench-dispatch: $(STAMP)
	$(BIN)/python -m bench.dispatch

bench-poll: $(STAMP)
	$(BIN)/python -m bench.poll

bench-push: $(STAMP)
	$(BIN)/python -m bench.push

migrate: $(STAMP)
	$(BIN)/python -m bot migrate

check-config: $(STAMP)
	$(BIN)/python -m bot check-config

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
