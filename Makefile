# Aduan — the two commands a newcomer needs: `make demo` and `make test`.
# Each sets itself up (virtualenv, packages, system packages) and stops what it started.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)/functions:$(CURDIR)

.PHONY: demo test bench lint fmt-check setup system down clean

$(STAMP): requirements-dev.txt functions/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $(STAMP)

system:
	@bash infra/setup_system.sh

setup: $(STAMP) system

demo: setup
	$(PY) -m infra.demo

test: setup
	$(PY) -m pytest

bench: setup
	$(PY) -m infra.bench

lint: $(STAMP)
	$(VENV)/bin/ruff check .

fmt-check:
	terraform fmt -check -recursive terraform

down:
	-pkill -f 'cloud-firestore-emulator|pubsub-emulator|functions_framework|infra.xsim' || true

clean: down
	rm -rf $(VENV) .localcloud build
