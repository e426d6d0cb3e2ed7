# MiniRedis developer commands. `make up` and `make test` work on a fresh machine: they install
# what they need first (uv in .tools/, then every component into .venv).
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
NODE_PORT ?= 6390

.PHONY: install up test lint test-node bench-node clean

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

$(VENV)/.installed: pyproject.toml nodeimage/pyproject.toml $(wildcard uv.lock) | $(UV)
	$(UV) sync --all-packages --frozen 2>/dev/null || $(UV) sync --all-packages
	touch $@

install: $(VENV)/.installed ## Create .venv with every component and the dev tools

up: install ## Start one node and print how to connect
	@echo "MiniRedis node on 127.0.0.1:$(NODE_PORT) — connect with: redis-cli -p $(NODE_PORT)"
	$(VENV)/bin/miniredis-node --port $(NODE_PORT)

lint: install ## ruff, and mypy --strict on the node
	$(VENV)/bin/ruff check nodeimage tests
	$(VENV)/bin/ruff format --check nodeimage tests
	$(VENV)/bin/mypy

test: install lint ## Every test
	$(VENV)/bin/pytest -q -n 2 --dist loadgroup tests

test-node: install
	$(VENV)/bin/pytest -q tests/node

bench-node: install ## Our node vs redis-server: throughput, memory per key, start-up time
	$(PY) benchmarks/node_bench.py

clean:
	rm -rf $(VENV) .tools .mypy_cache .ruff_cache .pytest_cache
