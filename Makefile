# ShapDrift: `make demo` runs the main job on the bundled example, `make test` runs every test.
# Both install what a fresh Debian machine with Swift lacks (OpenBLAS, LAPACKE) before building.

SWIFT        ?= swift
BIN_DEBUG    := .build/debug/shapdrift
BIN_RELEASE  := .build/release/shapdrift
APT_PACKAGES := libopenblas-dev liblapacke-dev zlib1g-dev
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The Python side's tests run in a virtual environment of their own, on the newest Python >= 3.12
# found (shap 0.54 and xgboost 3.4, the references, need it; pyenv's interpreters count).
PYTHON_VENV  := .venv-python
PYTHON       ?= $(shell for candidate in python3.13 python3.12 $$HOME/.pyenv/versions/3.13*/bin/python $$HOME/.pyenv/versions/3.12*/bin/python python3; do \
                  command -v $$candidate >/dev/null 2>&1 && $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
                  && { command -v $$candidate; break; }; done)

.PHONY: demo test bench deps build release clean python-env lint api-check docs verdict-quality report-screenshots test-tools spark-test fuzz fuzz-smoke
.PHONY: dist-binary dist dist-check install wheel wheel-test

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
	@echo "Full reports: .build/demo/report-14h/report.html (and report.md, report.json, constraint_violations.json, analysis.json, features.csv)"

## The demo's drifted hour rendered by a real browser: headless Chromium (Debian's package, installed
## when missing) takes report.html to PNG at a desktop and a phone width, into docs/; fails on a render
## error, an empty page or horizontal overflow at the phone width, after checking that a page that
## overflows does fail (scripts/report-screenshots.py --self-test).
SCREENSHOTS := .build/screenshots
report-screenshots: build
	@command -v chromium >/dev/null || { echo "Installing chromium (apt-get)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; }
	@mkdir -p $(SCREENSHOTS)
	$(BIN_DEBUG) baseline --quiet --model $(DEMO)/model.json --data $(DEMO)/baseline.csv --output $(SCREENSHOTS)/baseline.json
	$(BIN_DEBUG) check --quiet --baseline $(SCREENSHOTS)/baseline.json --model $(DEMO)/model.json --data $(DEMO)/capture \
	  --since 2024-05-01T14:00:00Z --until 2024-05-01T14:59:59Z --output-dir $(SCREENSHOTS)/report-14h; [ $$? -le 1 ]
	python3 scripts/report-screenshots.py --self-test $(SCREENSHOTS)/report-14h/report.html docs --name report-14h

## promtool (Debian's prometheus package), the real parser the metric files' tests run.
test-tools:
	@command -v promtool >/dev/null || { echo "Installing prometheus for promtool (apt-get)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends prometheus; }

## Every test: the Swift library and command-line tests, then the Python exporter's tests
## (which run the built binary and compare with shap; the metric files' through promtool).
test: deps python-env test-tools
	$(SWIFT) build
	$(SWIFT) test
	# robustness (docs/robustness.md): the command-line tests, the bad-input corpus among them,
	# run again against the release binary, the one users run.
	$(SWIFT) build -c release --product shapdrift
	SHAPDRIFT_BIN=$(CURDIR)/$(BIN_RELEASE) $(SWIFT) test --skip-build --filter ShapDriftCommandLineTests
	SHAPDRIFT_BIN=$(CURDIR)/$(BIN_DEBUG) $(PYTHON_VENV)/bin/python -m pytest notebooks-export/tests -q

## shapdrift_export.spark against a real Spark in local mode (PyPI's pyspark, local[2]): a DataFrame's
## merged partition profiles check like one check of the same rows. Its own target: the pyspark
## download (~400 MB) and Spark's start-up are not part of `make test`; CI runs both.
SPARK_VENV := .venv-spark

spark-test: build $(SPARK_VENV)/.installed
	@command -v java >/dev/null || { echo "Installing openjdk-17-jre-headless (apt-get)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq openjdk-17-jre-headless; }
	SHAPDRIFT_BIN=$(CURDIR)/$(BIN_DEBUG) $(SPARK_VENV)/bin/python -m pytest notebooks-export/tests-spark -q

$(SPARK_VENV)/.installed: notebooks-export/requirements-spark.txt notebooks-export/pyproject.toml
	@[ -n "$(PYTHON)" ] || { echo "make spark-test needs Python >= 3.12 (or PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install -q --upgrade pip
	$(SPARK_VENV)/bin/python -m pip install -q -r notebooks-export/requirements-spark.txt -e notebooks-export
	@touch $@

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

## How good check's verdict is (not part of the tests; minutes): false alarms on fresh clean samples
## of the example generators at 200, 400 and 2,000 rows, detection of drifts at 400 rows, beside
## SageMaker Clarify's NDCG < 0.90 rule on the same samples; the table goes into docs/drift.md.
verdict-quality: release python-env
	$(PYTHON_VENV)/bin/python -m shapdrift_export.verdict_quality --binary $(BIN_RELEASE) --models models --write-docs docs/drift.md

## libFuzzer campaign over every reader (docs/robustness.md): FUZZ_SECONDS per target (default 60),
## FUZZ_TARGETS to choose; crashing inputs land in .build/fuzz/crashes/<target>/.
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

## The short run .ci/run makes of every fuzz target (about 5 minutes with the package's build).
fuzz-smoke: deps
	FUZZ_SECONDS=20 scripts/fuzz.sh

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

## Release artifacts (docs/install.md), none of them part of `make test`. The version in their
## names is the Swift constant (ShapDriftVersion.current) the binary reports; the scripts check
## that the two agree. The binary links the Swift runtime and Foundation statically
## (-static-stdlib) and OpenBLAS/LAPACKE from the system; it is built apart, in .build-dist.
VERSION    := $(shell sed -n 's/.*public static let current = "\([^"]*\)".*/\1/p' Sources/ShapDriftCore/Support/Version.swift)
ARCH       := $(shell uname -m)
DIST_BUILD := .build-dist
BIN_DIST   := $(DIST_BUILD)/release/shapdrift
DIST_DIR   := dist
TARBALL    := $(DIST_DIR)/shapdrift-$(VERSION)-linux-$(ARCH).tar.gz
PREFIX     ?= /usr/local

dist-binary: deps
	$(SWIFT) build -c release --static-swift-stdlib --product shapdrift --scratch-path $(DIST_BUILD)

## shapdrift-VERSION-linux-ARCH.tar.gz: bin/shapdrift, README.md, demo.sh, models/.
dist: dist-binary
	sh packaging/dist/build-tarball.sh $(BIN_DIST) $(VERSION) $(DIST_DIR)

## Installs the release binary into $(PREFIX)/bin (DESTDIR honoured).
install: dist-binary
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN_DIST) $(DESTDIR)$(PREFIX)/bin/shapdrift
	strip --strip-debug $(DESTDIR)$(PREFIX)/bin/shapdrift

## The tarball in a minimal Debian root without Swift (debootstrap + chroot; needs root and, the
## first time, a few minutes), after `make install` into a temporary prefix.
dist-check: dist
	@command -v debootstrap >/dev/null || { echo "Installing debootstrap (apt-get)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq debootstrap; }
	@prefix=$$(mktemp -d) && $(MAKE) --no-print-directory install PREFIX=$$prefix >/dev/null && \
	  [ "$$($$prefix/bin/shapdrift --version)" = "$(VERSION)" ] && echo "make install PREFIX=$$prefix: bin/shapdrift $(VERSION)" && rm -rf $$prefix
	$(SUDO) sh packaging/dist/dist-check.sh $(TARBALL)

## The pip wheels: shapdrift-VERSION-py3-none-linux_ARCH.whl (the binary as the `shapdrift`
## command, packaging/wheel) and the pure shapdrift_export wheel it depends on.
wheel: dist-binary
	@[ -n "$(PYTHON)" ] || { echo "make wheel needs Python >= 3.12 (or PYTHON=...)"; exit 1; }
	mkdir -p $(DIST_BUILD)/wheel && cp $(BIN_DIST) $(DIST_BUILD)/wheel/shapdrift && strip --strip-debug $(DIST_BUILD)/wheel/shapdrift
	SHAPDRIFT_WHEEL_BINARY=$(CURDIR)/$(DIST_BUILD)/wheel/shapdrift $(PYTHON) -m pip wheel -q --no-deps ./packaging/wheel -w $(DIST_DIR)
	$(PYTHON) -m pip wheel -q --no-deps ./notebooks-export -w $(DIST_DIR)

## Installs the wheels into a fresh virtual environment and runs `shapdrift --version` and the demo from it.
wheel-test: wheel
	sh packaging/wheel/wheel-test.sh $(DIST_DIR) $(VERSION) $(PYTHON)

clean:
	rm -rf .build Fuzz/.build $(DIST_BUILD) $(DIST_DIR) $(PYTHON_VENV) $(BENCH_VENV) $(FTS_VENV) $(SPARK_VENV)
