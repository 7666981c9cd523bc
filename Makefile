# flatminima: every target creates .venv and installs the project on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: verify test lint bench latex docs docs-results mutate fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

verify: $(STAMP)  ## run the whole claim catalogue and print the result table
	$(BIN)/flatminima verify

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(STAMP) lint  ## lint, then the unit tests and one test per catalogue claim (PYTEST_ARGS=...)
	$(BIN)/python -m pytest -q -n auto --dist worksteal $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

docs: $(STAMP)  ## rewrite the generated blocks of README.md and docs/ from the catalogue
	$(BIN)/python -m verify.docs

docs-results: $(STAMP)  ## rerun the quick catalogue into docs/results/quick.json, then make docs
	$(BIN)/flatminima verify --json docs/results/quick.json || test $$? -eq 1
	$(BIN)/python -m verify.docs

mutate: $(STAMP)  ## mutation testing (mutmut) of the deciding code, a 10% sample (SHARD=K/N: one part); kill rates into docs/reliability.md
	$(BIN)/python tests/mutate.py run $(if $(SHARD),--shard $(SHARD))
	$(BIN)/python tests/mutate.py report

latex: $(STAMP)
	$(BIN)/flatminima latex -o out/derivations.tex --pdf

fuzz: $(STAMP)  ## degeneracy fuzzing, 40 cases per claim: rewrites docs/reliability.md's counts
	$(BIN)/python tests/test_fuzz.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .flatminima out mutants
