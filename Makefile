# Two commands do everything on a fresh machine (Python 3.11 and a C++ compiler):
#   make run    set up, then run the default experiment with its figures -> results/default
#   make test   set up, then run the test suite (what CI runs)
#   make validate   the full literature scorecard -> docs/validation.md (about 17 worker-hours: 8-9 h on 2 cores; resumes)

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
OUT    ?= results/default
STAMP   = $(VENV)/.installed
# Test processes: a module runs whole in one of them (module fixtures are built once,
# session fixtures once per process); pytest-xdist hands out the largest modules first.
TEST_WORKERS ?= 2
PYTEST  = $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

.PHONY: setup run test test-all bench validate clean

setup: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] >= (3, 11), "circuit needs Python >= 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/circuit run configs/default.yaml --out $(OUT) --overwrite --workers 2
	@echo "results and figures in $(OUT) (see docs/outputs.md)"

test: $(STAMP)
	$(PYTEST) -m "not slow" --durations=15

test-all: $(STAMP)
	$(PYTEST)

validate: $(STAMP)
	$(BIN)/circuit validate --out results/validation --resume
	$(BIN)/python scripts/publish_validation.py results/validation

bench: $(STAMP)
	$(BIN)/python benchmarks/engine_floor.py
	$(BIN)/python benchmarks/scaling.py
	$(BIN)/python benchmarks/time_breakdown.py
	$(BIN)/python benchmarks/plasticity_cost.py
	$(BIN)/python benchmarks/experiment_overhead.py
	$(BIN)/python benchmarks/watchdog_cost.py
	$(BIN)/python benchmarks/vector_maths.py
	$(BIN)/python benchmarks/compile_time.py

clean:
	rm -rf $(VENV) results build *.egg-info
