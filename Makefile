# nmatools: the README's two commands are `make tutorial` (the main job) and
# `make test` (the test suite; .ci/run calls exactly that).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
export NMATOOLS_ROOT := $(ROOT)
# The Go toolchain is the one go.mod's toolchain line names (go1.27.3: GoMLX, compute,
# go-xla and GoNB need Go 1.27); the go command fetches it from the Go module proxy
# when the local Go is another version. Set GOTOOLCHAIN to override.
export GOTOOLCHAIN ?= $(shell sed -n 's/^toolchain //p' $(ROOT)/go.mod)
export GOEXPERIMENT := simd
export GOMLX_NO_AUTO_INSTALL := 1
export GOFLAGS := -buildvcs=false
export PATH := $(ROOT)/bin:$(PATH)

GO ?= go
# The PJRT CPU plugin that `make xla` installs (see docs/backends.md).
PJRT_CPU := $(ROOT)/build/pjrt/pjrt_c_api_cpu_plugin.so

.PHONY: all build vet test test-go test-xla test-notebooks tutorial notebooks run-notebooks \
        setup xla lab browser-check docs bench fuzz clean test-race stress bench-cells test-mistakes docker docker-check

all: build

build:
	$(GO) build -o bin/nmatools ./nmatools/cmd/nmatools

vet:
	$(GO) vet ./nmatools/...

# --- setup ------------------------------------------------------------------
# JupyterLab 4, nbconvert and nbclient (pinned, from PyPI) in the virtual environment
# build/jupyter (made with the python3 on PATH), the GoNB kernel, goimports and gopls
# built from go.mod's tool directives into bin/, and the kernel spec inside build/jupyter.
setup:
	bash scripts/setup-jupyter.sh

# The XLA CPU plugin from PyPI into build/pjrt/ (skipped with a message where
# PyPI cannot be reached: the pure-Go backend is always there).
xla:
	bash scripts/install-xla.sh

# --- the main job -------------------------------------------------------------
# run-notebooks executes the committed notebooks (nbgen -check fails if they are stale);
# it never regenerates them: `make notebooks` is for authors after editing notebooks/src.
tutorial: setup build run-notebooks

# Instructor and student notebooks from their one source.
notebooks:
	$(GO) run ./nmatools/cmd/nbgen -src notebooks/src -out notebooks

run-notebooks:
	bash scripts/run-notebooks.sh

# JupyterLab on the working copies in work/ (PORT, IP, JUPYTER_TOKEN; see scripts/lab.sh).
lab: setup build
	bash scripts/lab.sh

# The instructor notebook in JupyterLab driven by chromium: Run All, every slider dragged
# with the mouse must redraw its figure (scripts/browser-check.sh). Its screenshots go to
# build/browser-check/.
browser-check: setup build
	bash scripts/browser-check.sh

# The browser check, writing its screenshots over the committed ones in docs/ (the
# pictures docs/notebooks.md shows): run it when the notebook's look has changed.
docs: setup build
	SCREENSHOT=$(ROOT)/docs/screenshot.png SHOT_BEFORE=$(ROOT)/docs/slider-before.png \
	  SHOT_AFTER=$(ROOT)/docs/slider-after.png bash scripts/browser-check.sh

# --- the course image (docs/docker.md) ------------------------------------------
# nmatools:latest from docker/Dockerfile: starts the Docker engine if needed, makes the base
# from the Debian archive when it cannot be pulled, trusts this machine's local CA certificates
# while building (EXTRA_CA_CERTS overrides). IMAGE, BASE_IMAGE, DOCKER_BUILD_ARGS.
docker:
	bash scripts/docker-build.sh

# Builds the image, then checks it: every notebook headless in a container (2 GB, no network),
# the browser check against JupyterLab served from a container, and a class of CLASS_SIZE
# students on a real JupyterHub with DockerSpawner (scripts/docker-check.sh). Long: not part of
# make test.
docker-check: setup build docker
	bash scripts/docker-check.sh

# --- tests --------------------------------------------------------------------
# The whole suite on the pure-Go backend, the backend-dependent packages again
# on XLA CPU where the plugin could be installed, then the notebooks: the student one
# headless (its exercises must stop with their messages), plausible student mistakes
# through the kernel (test-mistakes: each reported in its own exercise's cells), the
# instructor notebook live in JupyterLab and chromium (browser-check: every cell, every slider).
test: vet test-go test-race test-xla test-notebooks test-mistakes browser-check

test-go:
	GOMLX_BACKEND=go $(GO) test -count=1 -timeout 20m ./nmatools/...

# The packages that run calls concurrently (split batches, sweep chunks, the explorer)
# under the race detector, on the pure-Go backend (checkptr off: GoMLX's no-SIMD small
# matmul trips it).
test-race:
	GOMLX_BACKEND=go $(GO) test -race -gcflags=all=-d=checkptr=0 -count=1 -timeout 20m \
	  ./nmatools/model/ ./nmatools/train/ ./nmatools/sweep/ ./nmatools/tutorial/

test-xla: xla
	@if [ -f "$(PJRT_CPU)" ]; then \
	  echo "== tests on XLA CPU ($(PJRT_CPU))"; \
	  GOMLX_BACKEND=xla:$(PJRT_CPU) $(GO) test -count=1 -timeout 20m ./nmatools/backend/... ./nmatools/model/... ./nmatools/train/... ./nmatools/sweep/...; \
	else echo "== no PJRT CPU plugin: XLA tests skipped (make xla says why)"; fi

test-notebooks: setup build
	VARIANTS=student bash scripts/run-notebooks.sh

# Plausible mistakes in each exercise (notebooks/src/*.mistakes.json) run through the
# GoNB kernel: each must be reported in its own exercise's cells, in its terms.
test-mistakes: setup build
	bash scripts/student-mistakes.sh

# nmatools against the PyTorch reference side by side (needs python3-torch).
bench:
	bash scripts/bench.sh

# The instructor notebook's cells on XLA CPU without and with the compilation cache
# (scripts/bench-cells.sh; needs make xla).
bench-cells: setup build xla
	bash scripts/bench-cells.sh

# The concurrent code paths run STRESS_RUNS times (default 200) under a watchdog that takes a
# goroutine dump (SIGQUIT) of any run that stops making progress (scripts/stress.sh).
stress:
	bash scripts/stress.sh

# Every fuzz target of the readers of untrusted files (MAT, .pth, .npy/.npz,
# checkpoint directories), FUZZTIME each (e.g. `make fuzz FUZZTIME=10m`), with
# FUZZPARALLEL workers. Each input is run under a 1 GiB allocation cap
# (nmatools/internal/memcap); the first crash stops the run and leaves its
# input under the package's testdata/fuzz/ to commit as a regression seed.
FUZZTIME ?= 1m
FUZZPARALLEL ?= 2
# Minimizing each new interesting input may take the fuzzer's default 60 s,
# most of a short run: keep it short.
FUZZMINTIME ?= 5s
FUZZ_TARGETS := matfile:FuzzRead model:FuzzPth model:FuzzPthPickle model:FuzzCheckpoint \
                npy:FuzzNpy npy:FuzzNpz

fuzz:
	@for t in $(FUZZ_TARGETS); do \
	  pkg=./nmatools/$${t%%:*}/; fn=$${t##*:}; \
	  echo "== $$fn in $$pkg for $(FUZZTIME)"; \
	  GOMLX_BACKEND=go $(GO) test -run XXX -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINTIME) -parallel $(FUZZPARALLEL) $$pkg || exit 1; \
	done

clean:
	rm -rf bin build
