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

# `exec`: the recipe's shell becomes the command, so the signal that stops make's recipe
# (Ctrl-C, `timeout`, a closed terminal) reaches Python, which stops everything it started.
demo: setup
	exec $(PY) -m infra.demo

test: setup
	exec $(PY) -m pytest

bench: setup
	exec $(PY) -m infra.bench

lint: $(STAMP)
	$(VENV)/bin/ruff check .

fmt-check:
	terraform fmt -check -recursive terraform

# Stops only the process groups this checkout recorded in .localcloud/groups (never another
# checkout's emulators or functions, whatever their names).
down:
	@$(if $(wildcard $(PY)),$(PY),$(PYTHON)) -m infra.localcloud down

clean: down
	rm -rf $(VENV) .localcloud build
