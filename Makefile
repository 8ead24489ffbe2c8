# Two commands for a new user: `make demo` and `make test`.
# (pyspark, of the `spark` extra the tests use, is published as source only: pure Python.)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test setup bytecode clean sample-data bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --only-binary=:all: --no-binary=pyspark -e ".[test,spark]"
	touch $(STAMP)

setup: $(STAMP)

# An editable install leaves our modules uncompiled, and with PYTHONDONTWRITEBYTECODE set
# every `survey` process would compile them again (about 50 ms of start-up). compileall
# writes the bytecode a wheel install would have; it only recompiles files that changed.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q survey

demo: bytecode
	$(BIN)/python scripts/demo.py

test: bytecode
	$(BIN)/python -m pytest

sample-data: $(STAMP)
	$(BIN)/python scripts/make_sample_data.py

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_ingest.py

clean:
	rm -rf $(VENV) build *.egg-info demo-output
