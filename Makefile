# Every target installs what it needs into .venv first; nothing reaches AWS.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: test demo lint clean

$(STAMP): pyproject.toml requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -e .
	touch $(STAMP)

## make test: the whole test suite, offline, no AWS credentials needed
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make demo: the offline pipeline (needs the emulator and local S3 of issue 5)
demo:
	@echo "make demo: not built yet - the Bedrock emulator and local S3 arrive with issue 5" >&2
	@exit 1

## make lint: ruff over the code and the tests
lint: $(STAMP)
	$(BIN)/ruff check lambda_src tests

clean:
	rm -rf $(VENV) .hypothesis .ruff_cache
