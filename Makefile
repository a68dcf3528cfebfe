# mmssl_ext: the two commands of the README
#   make demo   set everything up, then pretrain + kNN on Fashion-MNIST
#   make test   set everything up, then run the test suite (.ci/run calls it)
#
# Variables:
#   PYTHON            interpreter for the venv (default: python3.11, else python3)
#   MMCV_WHEEL_CACHE  folder with a prebuilt full mmcv 2.1.0 wheel (+SHA256SUMS):
#                     when it holds one, setup installs it (checksum verified)
#                     instead of mmcv-lite, so the mmdet/mmseg transfer tests run.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.mmssl_ext-setup
REQS := requirements/runtime.txt requirements/mmcv-lite.txt requirements/tests.txt requirements/transfer.txt setup.py
FASHION_MNIST := /usr/share/datasets/fashion-mnist
PYTEST_ARGS ?=

.PHONY: setup demo demo-smoke test data mmcv-full clean-venv

setup: $(STAMP)

$(STAMP): $(REQS)
	@bash tools/setup/install_system_packages.sh
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --upgrade "pip>=24" >/dev/null
	$(VPY) -m pip install -r requirements/runtime.txt -r requirements/tests.txt
	@if [ -n "$(MMCV_WHEEL_CACHE)" ]; then \
	    MMCV_WHEEL_CACHE="$(MMCV_WHEEL_CACHE)" PYTHON=$(VPY) bash tools/mmcv_full/install_mmcv_full.sh --from-cache-only && \
	    $(VPY) -m pip install -r requirements/transfer.txt; \
	else \
	    $(VPY) -m pip show mmcv >/dev/null 2>&1 || $(VPY) -m pip install -r requirements/mmcv-lite.txt; \
	fi
	$(VPY) -m pip install --no-deps -e .
	$(VPY) -c "import mmssl_ext, mmpretrain; print('mmssl_ext', mmssl_ext.__version__, 'ready')"
	@touch $(STAMP)

data: setup
	$(VPY) tools/dataset_converters/prepare_classification_data.py fashion-mnist data/fashion_mnist

demo: setup
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VPY) tools/demo.py

demo-smoke: setup
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VPY) tools/demo.py --smoke

test: setup
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VPY) -m pytest tests -q -p no:cacheprovider $(PYTEST_ARGS)

mmcv-full: setup
	PYTHON=$(VPY) bash tools/mmcv_full/install_mmcv_full.sh
	$(VPY) -m pip install -r requirements/transfer.txt

clean-venv:
	rm -rf $(VENV)
