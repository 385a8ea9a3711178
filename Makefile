# Every target installs what it needs first (.venv, node_modules); nothing reaches AWS but deploy/destroy.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CDK    := node_modules/.bin/cdk
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 1
export CDK_DISABLE_VERSION_CHECK := true
export CDK_DISABLE_CLI_TELEMETRY := true  # the CLI's usage telemetry (and notices: "notices": false in cdk.json) stay off

.PHONY: test test-batch-500 demo lint bench synth deploy destroy clean layer screenshot gallery-screenshot

DEMO_STAMP := $(VENV)/.demo-installed
PIP := $(BIN)/python -m pip install --disable-pip-version-check

# A new .venv, on a Python that can run the project (3.11 or newer)
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
	  { echo "make: Python 3.11 or newer is needed ($(PYTHON) is $$($(PYTHON) --version 2>&1)); pass PYTHON=python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# make demo: only the offline world's packages (a minute or so the first time; pip shows each one)
$(DEMO_STAMP): pyproject.toml requirements-demo.txt
	@echo "make demo: installing the demo's packages (boto3, moto's S3, flask, jsonschema) into $(VENV); once, under a minute"
	@$(MAKE) --no-print-directory $(BIN)/python
	$(PIP) -r requirements-demo.txt -e .
	touch $(DEMO_STAMP)

# make test and the rest: the whole toolchain (pytest, mypy, ruff, aws-cdk-lib, cdk-nag, cfn-lint)
$(STAMP): pyproject.toml requirements-dev.txt requirements-demo.txt
	@echo "make: installing the development toolchain into $(VENV); once, a few minutes"
	@$(MAKE) --no-print-directory $(BIN)/python
	$(PIP) --progress-bar off -r requirements-dev.txt -e .
	touch $(STAMP) $(DEMO_STAMP)

$(CDK): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(CDK)

# The functions' Pillow (the judge's shrinker), as a Lambda layer: the wheel for the runtime
# and architecture in stacks/functions.py (Python 3.14, ARM_64), pinned in requirements-demo.txt;
# no Docker. Pillow 13 ships manylinux_2_28 wheels only (Lambda's Python 3.14 has glibc 2.34).
LAYER         := build/lambda-layer
LAYER_STAMP   := build/.lambda-layer-installed
LAMBDA_PYTHON := 3.14
PILLOW_PIN    := $(shell grep -o '^pillow==[^ ]*' requirements-demo.txt)

$(LAYER_STAMP): requirements-demo.txt | $(BIN)/python
	rm -rf $(LAYER)
	$(PIP) --progress-bar off --no-deps --only-binary=:all: --implementation cp --python-version $(LAMBDA_PYTHON) \
	  --platform manylinux_2_28_aarch64 --platform manylinux2014_aarch64 --target $(LAYER)/python $(PILLOW_PIN)
	touch $(LAYER_STAMP)

## make layer: the Lambda layer with Pillow (make test, synth and deploy build it once)
layer: $(LAYER_STAMP)

## make test: the type checker, then the whole test suite, offline, no AWS credentials needed
# On PYTEST_WORKERS processes (pytest-xdist; 0 runs in this one, as --snapshot-update wants).
# Bytecode is cached even where the environment turns that off: every worker, and every
# command a test starts, would compile the project again.
PYTEST_WORKERS ?= 2
test: $(STAMP) $(CDK) $(LAYER_STAMP)
	$(BIN)/mypy
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## make screenshot: the README's picture of the comparison report (docs/img/report.png), in headless Chromium
screenshot: $(STAMP)
	$(BIN)/python -m imagegen_local.report.screenshot docs/img/report.png

## make gallery-screenshot: the README's picture of the gallery page (docs/img/gallery.png), on the offline world in headless Chromium
gallery-screenshot: $(STAMP)
	$(BIN)/python -m imagegen_local.site_screenshot docs/img/gallery.png

## make demo: the whole pipeline offline, on the Bedrock emulator and a local S3
demo: $(DEMO_STAMP)
	$(BIN)/python -m imagegen_local.demo

## make test-batch-500: the batch test at the issue's 500 items (some 30 s of CPU; make test runs it at 100)
test-batch-500: $(STAMP)
	IMAGEGEN_BATCH_TEST_ITEMS=500 env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -p no:xdist tests/service/test_batches.py

## make lint: ruff over the code and the tests, and the type checker (mypy, 0 errors)
lint: $(STAMP)
	$(BIN)/ruff check lambda_src src stacks tests bench app.py
	$(BIN)/mypy

## make bench: batch concurrency against a slow (emulated) Bedrock, as a ratio to a sequential run;
## the request path in one run: generate end to end against its image and judge calls (P4), then the PNG
## transparency scan against Pillow and the modify handler on those large sources; the offline servers'
## keep-alive latency against Nagle on; a cold start against the lazy runtime; GET /images/{id} at 10,000
## edits against reading every edit; a synthesis against working out each logical id on every call CDK makes; the emulator's renders of large
## answers against Pillow's like work, and their parts against the code they replaced; a CLI run and a local S3
## request against building the parser every run and moto's per-request dispatch; batch items per second through
## the queue against the mapping's maximum concurrency (2, 4, 8), as a ratio to the ideal
bench: $(STAMP)
	$(BIN)/python bench/batch_concurrency.py
	$(BIN)/python -m bench.request_path
	$(BIN)/python bench/keepalive_stall.py
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/describe_edits.py
	$(BIN)/python bench/synth_ids.py
	$(BIN)/python bench/emulator_render.py
	$(BIN)/python bench/per_call_overheads.py
	$(BIN)/python bench/batch_queue.py

## make synth: write the CloudFormation template to cdk.out (offline; CDK_ARGS="-c modelSet=original" etc.)
synth: $(STAMP) $(CDK) $(LAYER_STAMP)
	$(CDK) synth --quiet $(CDK_ARGS)

## make deploy / make destroy: need AWS credentials; see the README
deploy: $(STAMP) $(CDK) $(LAYER_STAMP)
	$(CDK) deploy $(CDK_ARGS)

destroy: $(STAMP) $(CDK) $(LAYER_STAMP)
	$(CDK) destroy $(CDK_ARGS)

clean:
	rm -rf $(VENV) node_modules cdk.out build .hypothesis .ruff_cache .mypy_cache
