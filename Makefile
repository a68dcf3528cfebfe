# mmssl_ext: the two commands of the README
#   make demo   set everything up, then pretrain + kNN on Fashion-MNIST
#   make test   set everything up, then run the test suite (.ci/run calls it)
#
# Variables:
#   STACK             which tested stack `setup`/`test` use (README, "Tested
#                     combinations"):
#                       lock     (default) .venv: the exact set of
#                                requirements/lock.txt (numpy 1.26, torch 2.14.1)
#                       current  .venv-current: the newest versions the ranges
#                                of setup.py admit (numpy 2.x), no lock
#                       onedl    .venv-onedl: onedl-mmengine/-mmcv/-mmpretrain/
#                                -mim (requirements/onedl.txt), onedl-mmcv
#                                built from its sdist without compiled ops
#   PYTHON            interpreter for the venv (default: python3.11, else python3)
#   MMCV_WHEEL_CACHE  folder with a prebuilt full mmcv 2.1.0 wheel (+SHA256SUMS):
#                     when it holds one, setup installs it (checksum verified)
#                     instead of mmcv-lite, so the mmdet/mmseg transfer tests run
#                     (lock and current stacks).
#   TESTS             test paths `make test` runs (default: tests)
#   PYTEST_ARGS       extra pytest arguments (e.g. -x, -k EXPR)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
STACK ?= lock
ifeq ($(STACK),lock)
VENV := .venv
else ifeq ($(STACK),current)
VENV := .venv-current
else ifeq ($(STACK),onedl)
VENV := .venv-onedl
else
$(error STACK must be lock, current or onedl, got '$(STACK)')
endif
VPY := $(VENV)/bin/python
PIP := $(VPY) -m pip
STAMP := $(VENV)/.mmssl_ext-setup
LOCK := requirements/lock.txt
REQS := setup.py tools/setup/install_stack.sh $(addprefix requirements/,runtime.txt faiss.txt mim.txt tests.txt transfer.txt mmcv-lite.txt) \
	$(if $(filter lock,$(STACK)),$(LOCK)) \
	$(if $(filter onedl,$(STACK)),requirements/onedl.txt $(wildcard requirements/lock-onedl.txt))
FASHION_MNIST := /usr/share/datasets/fashion-mnist
TESTS ?= tests
PYTEST_ARGS ?=

.PHONY: setup demo demo-smoke test data mmcv-full clean-venv lock

setup: $(STAMP)

$(STAMP): $(REQS)
	@bash tools/setup/install_system_packages.sh
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	STACK=$(STACK) VPY=$(VPY) MMCV_WHEEL_CACHE="$(MMCV_WHEEL_CACHE)" bash tools/setup/install_stack.sh
	@touch $(STAMP)

data: setup
	$(VPY) tools/dataset_converters/prepare_classification_data.py fashion-mnist data/fashion_mnist

demo: setup
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VPY) tools/demo.py

demo-smoke: setup
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VPY) tools/demo.py --smoke

# pytest's exit status 5 (no tests collected) fails too, with a message: a
# path in TESTS that names no tests is a mistake, not a pass.
test: setup
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VPY) -m pytest $(TESTS) -q -p no:cacheprovider $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc = 5 ]; then echo "make test: pytest collected no tests from TESTS='$(TESTS)' (exit status 5)." >&2; fi; \
	exit $$rc

mmcv-full: setup
	PYTHON=$(VPY) bash tools/mmcv_full/install_mmcv_full.sh
	$(PIP) install $(if $(filter lock,$(STACK)),-c $(LOCK)) -r requirements/transfer.txt

# Rewrite the lock of a stack from its venv (after changing a pin):
# requirements/lock.txt (STACK=lock), requirements/lock-onedl.txt (STACK=onedl).
lock: setup
	@test "$(STACK)" != current || { echo "STACK=current has no lock (it is the newest the ranges admit)" >&2; exit 2; }
	bash tools/setup/write_lock.sh $(VPY) $(if $(filter onedl,$(STACK)),requirements/lock-onedl.txt,$(LOCK))

clean-venv:
	rm -rf $(VENV)
