# ShapDrift: `make demo` runs the main job on the bundled example, `make test` runs every test.
# Both install what a fresh Debian machine with Swift lacks (OpenBLAS, LAPACKE) before building.

SWIFT        ?= swift
BIN_DEBUG    := .build/debug/shapdrift
BIN_RELEASE  := .build/release/shapdrift
APT_PACKAGES := libopenblas-dev liblapacke-dev
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The Python side's tests run in a virtual environment of their own, on the newest Python >= 3.12
# found (shap 0.54 and xgboost 3.4, the references, need it; pyenv's interpreters count).
PYTHON_VENV  := .venv-python
PYTHON       ?= $(shell for candidate in python3.13 python3.12 $$HOME/.pyenv/versions/3.13*/bin/python $$HOME/.pyenv/versions/3.12*/bin/python python3; do \
                  command -v $$candidate >/dev/null 2>&1 && $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
                  && { command -v $$candidate; break; }; done)

.PHONY: demo test bench deps build release clean python-env lint api-check docs fuzz

## Install the system libraries the build links against, when they are missing.
deps:
	@if ! dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then \
	  echo "Installing $(APT_PACKAGES) (apt-get)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## The bundled example (models/fraud-xgb): baseline the fraud-scoring model on its training sample,
## then check two hours of SageMaker-captured traffic: 11:00 (clean, exit 0) and 14:00, when
## distance_km and foreign drifted (exit 1).
DEMO       := models/fraud-xgb
DEMO_CHECK  = $(BIN_RELEASE) check --baseline .build/demo/baseline.json --model $(DEMO)/model.json --data $(DEMO)/capture

demo: release
	@mkdir -p .build/demo
	@echo "== shapdrift inspect --model $(DEMO)/model.json"
	@$(BIN_RELEASE) inspect --model $(DEMO)/model.json
	@echo
	@echo "== shapdrift baseline --model $(DEMO)/model.json --data $(DEMO)/baseline.csv"
	@$(BIN_RELEASE) baseline --model $(DEMO)/model.json --data $(DEMO)/baseline.csv --output .build/demo/baseline.json
	@echo
	@echo "== shapdrift check ... --data $(DEMO)/capture --since 2024-05-01T11:00:00Z --until 2024-05-01T11:59:59Z"
	@$(DEMO_CHECK) --since 2024-05-01T11:00:00Z --until 2024-05-01T11:59:59Z --output-dir .build/demo/report-11h; \
	  status=$$?; echo "(exit code $$status: 0 no drift, 1 drift, 2 error)"; [ $$status -le 1 ]
	@echo
	@echo "== shapdrift check ... --data $(DEMO)/capture --since 2024-05-01T14:00:00Z --until 2024-05-01T14:59:59Z"
	@$(DEMO_CHECK) --since 2024-05-01T14:00:00Z --until 2024-05-01T14:59:59Z --output-dir .build/demo/report-14h; \
	  status=$$?; echo "(exit code $$status: 0 no drift, 1 drift, 2 error)"; [ $$status -le 1 ]
	@echo
	@echo "Full reports: .build/demo/report-14h/report.md (and report.json, constraint_violations.json, analysis.json, features.csv)"

## Every test: the Swift library and command-line tests, then the Python exporter's tests
## (which run the built binary and compare with shap).
test: deps python-env
	$(SWIFT) build
	$(SWIFT) test
	# robustness (docs/robustness.md): the command-line tests, the bad-input corpus among them,
	# run again against the release binary, the one users run.
	$(SWIFT) build -c release --product shapdrift
	SHAPDRIFT_BIN=$(CURDIR)/$(BIN_RELEASE) $(SWIFT) test --skip-build --filter ShapDriftCommandLineTests
	SHAPDRIFT_BIN=$(CURDIR)/$(BIN_DEBUG) $(PYTHON_VENV)/bin/python -m pytest notebooks-export/tests -q

## The checks CI runs besides the tests: the module graph is the documented layering and no
## target uses unsafeFlags (scripts/check-layering.py, docs/architecture.md).
lint:
	python3 scripts/check-layering.py

## Builds and runs Examples/embedding, a separate package that depends on ShapDrift as a user's
## package does, so only the public API is visible to it; it runs the documented example.
api-check: deps
	$(SWIFT) build --package-path Examples/embedding --scratch-path .build-embedding
	.build-embedding/debug/embed-example $(DEMO)

## The DocC documentation of the public API (all modules combined), into .build/docs.
docs: deps
	$(SWIFT) package --allow-writing-to-directory .build/docs generate-documentation --enable-experimental-combined-documentation \
	  $(foreach module,Core Formats Attribution Drift Monitor Reports,--target ShapDrift$(module)) --target ShapDrift \
	  --output-path .build/docs

python-env: $(PYTHON_VENV)/.installed

$(PYTHON_VENV)/.installed: notebooks-export/requirements-test.txt notebooks-export/pyproject.toml
	@[ -n "$(PYTHON)" ] || { echo "The Python tests need Python >= 3.12 (shap 0.54, xgboost 3.4) and none was found:"; \
	  echo "install one (e.g. pyenv install 3.12) or pass PYTHON=/path/to/python3.12"; exit 1; }
	@echo "Python for the exporter's tests: $(PYTHON)"
	@$(PYTHON) -m venv $(PYTHON_VENV) 2>/dev/null || { \
	  echo "Installing python3-venv (apt-get)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv python3-pip && \
	  $(PYTHON) -m venv $(PYTHON_VENV); }
	$(PYTHON_VENV)/bin/python -m pip install -q --upgrade pip
	$(PYTHON_VENV)/bin/python -m pip install -q -r notebooks-export/requirements-test.txt -e notebooks-export
	@touch $@

## libFuzzer campaign over every reader (docs/robustness.md): FUZZ_SECONDS per target (default 60),
## FUZZ_TARGETS to choose; crashing inputs land in .build/fuzz/crashes/<target>/.
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

## Benchmarks (not part of the tests): ShapDrift beside the reference tools, installed into a
## virtual environment of the benchmark's own; prints a table and writes bench/results.json.
BENCH_VENV := .venv-bench

## fasttreeshap builds only for Python < 3.12: a second environment on python3.11 when there is
## one (Debian's python3), else the benchmark runs without it.
FTS_VENV := .venv-bench-fasttreeshap
FTS_PYTHON ?= $(shell for p in python3.11 python3; do v=$$($$p -c 'import sys; print(sys.version_info[:2] < (3, 12))' 2>/dev/null); [ "$$v" = True ] && { command -v $$p; break; }; done)

bench: release $(BENCH_VENV)/.installed $(if $(FTS_PYTHON),$(FTS_VENV)/.installed)
	$(BENCH_VENV)/bin/python bench/run.py $(if $(FTS_PYTHON),--fasttreeshap-python $(FTS_VENV)/bin/python)

$(FTS_VENV)/.installed: bench/requirements-fasttreeshap.txt
	$(FTS_PYTHON) -m venv $(FTS_VENV)
	$(FTS_VENV)/bin/python -m pip install -q --upgrade pip
	$(FTS_VENV)/bin/python -m pip install -q -r bench/requirements-fasttreeshap.txt
	@touch $@

$(BENCH_VENV)/.installed: bench/requirements.txt
	@[ -n "$(PYTHON)" ] || { echo "make bench needs Python >= 3.12 for its reference tools; pass PYTHON=..."; exit 1; }
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install -q -r bench/requirements.txt
	@touch $@

clean:
	rm -rf .build Fuzz/.build $(PYTHON_VENV) $(BENCH_VENV) $(FTS_VENV)
