# ltadmm-verify: two commands on a fresh machine.
#   make report   set-up, then the verification report (reports/verification.pdf and .json)
#   make test     set-up, then every test (tests/ and theorems/)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup test report lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,mpi]"
	touch $(STAMP)

setup: $(STAMP)

# One BLAS thread per process: the suite's linear algebra is small. The tests are spread over one
# process per core (pytest-xdist, -n auto).
test: $(STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest -n auto tests theorems

report: $(STAMP)
	$(BIN)/ltadmm-verify report --out reports/verification.pdf

lint: $(STAMP)
	$(BIN)/ruff check ltadmm_verify tests theorems benchmarks
	$(BIN)/mypy ltadmm_verify

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_round.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache
