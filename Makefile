# ShapDrift: `make demo` runs the main job on the bundled example, `make test` runs every test.
# Both install what a fresh Debian machine with Swift lacks (OpenBLAS, LAPACKE) before building.

SWIFT        ?= swift
BIN_DEBUG    := .build/debug/shapdrift
BIN_RELEASE  := .build/release/shapdrift
APT_PACKAGES := libopenblas-dev liblapacke-dev
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test deps build release clean

## Install the system libraries the build links against, when they are missing.
deps:
	@if [ ! -e /usr/include/lapacke.h ] || ! ls /usr/include/*/cblas.h /usr/include/cblas.h >/dev/null 2>&1 \
	    || ! ls /usr/lib/*/libopenblas.so /usr/lib/libopenblas.so >/dev/null 2>&1; then \
	  echo "Installing $(APT_PACKAGES) (apt-get)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## The bundled example: baseline the model on its training sample, then check captured traffic
## in which two features drifted. `check` exits 1 on drift, which is the expected outcome here.
demo: release
	@echo "== shapdrift inspect --model models/xgb-regression/model.json"
	@$(BIN_RELEASE) inspect --model models/xgb-regression/model.json
	@echo
	@echo "== shapdrift baseline --model models/xgb-regression/model.json --data models/xgb-regression/baseline.csv"
	@$(BIN_RELEASE) baseline --model models/xgb-regression/model.json --data models/xgb-regression/baseline.csv \
	  --output .build/demo-baseline.json
	@echo
	@echo "== shapdrift check --baseline .build/demo-baseline.json --model models/xgb-regression/model.json --data models/xgb-regression/current.csv"
	@$(BIN_RELEASE) check --baseline .build/demo-baseline.json --model models/xgb-regression/model.json \
	  --data models/xgb-regression/current.csv --output-dir .build/demo-report; \
	  status=$$?; echo "(exit code $$status: 0 no drift, 1 drift, 2 error)"; [ $$status -le 1 ]

## Every test: the Swift library and command-line tests.
test: deps
	$(SWIFT) build
	$(SWIFT) test

clean:
	rm -rf .build
