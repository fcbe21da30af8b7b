# zhengwu task runner: make run | make test | make lint | make bench
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench docs demo serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/zhengwu demo
	$(BIN)/zhengwu serve --host $(HOST) --port $(PORT)

demo: $(STAMP)
	$(BIN)/zhengwu demo

serve: $(STAMP)
	$(BIN)/zhengwu serve --host $(HOST) --port $(PORT)

# The suite on TEST_WORKERS parallel pytest-xdist workers (0: one process); each browser test module stays on one
# worker (its server and Chromium start once). The 30 slowest tests are listed to keep an eye on CI's time.
TEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=30

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m zhengwu.cli db check

bench: $(STAMP)
	$(BIN)/python -m benchmarks

docs: $(STAMP)
	$(BIN)/python -c "from zhengwu.cli import render_reference; open('docs/cli.md', 'w', encoding='utf-8').write(render_reference())"

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
