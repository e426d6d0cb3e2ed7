# MiniRedis developer commands. `make up` and `make test` work on a fresh machine: they install
# what they need first (uv in .tools/, then every component into .venv).
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
NODE_PORT ?= 6390

.PHONY: install native dashboard up test lint test-node test-frontend bench-node bench-api clean e2e-kind

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

$(VENV)/.installed: pyproject.toml $(wildcard */pyproject.toml) $(wildcard uv.lock) | $(UV)
	$(UV) sync --all-packages --frozen 2>/dev/null || $(UV) sync --all-packages
	touch $@

# The node's hot path compiled with mypyc, in place (scripts/build_node_native.py), whenever one
# of those modules changed. Without a C compiler the node stays pure Python: slower, same results.
NATIVE_SOURCES := $(shell sed -n 's|^    "\(miniredis_node/.*\.py\)",$$|nodeimage/\1|p' scripts/build_node_native.py)

$(VENV)/.native: $(VENV)/.installed scripts/build_node_native.py $(NATIVE_SOURCES)
	@if $(PY) scripts/build_node_native.py > $(VENV)/native-build.log 2>&1; then \
		echo "node hot path compiled with mypyc ($(words $(NATIVE_SOURCES)) modules)"; \
	else \
		$(PY) scripts/build_node_native.py clean; \
		echo "WARNING: mypyc could not compile the node (see $(VENV)/native-build.log): it runs as pure Python"; \
	fi
	touch $@

native: $(VENV)/.native ## Compile the node's hot path (mypyc); `make install` does it

install: $(VENV)/.installed $(VENV)/.native ## Create .venv with every component and the dev tools

GATEWAY_PORT ?= 8080

frontend/dist/index.html: frontend/package-lock.json frontend/index.html $(shell find frontend/src -type f 2>/dev/null)
	cd frontend && npm ci --no-audit --no-fund && npm run build

dashboard: ## Build the dashboard the API serves at / (needs Node.js and npm)
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory frontend/dist/index.html; \
	else echo "npm not found: the API will run without the dashboard"; fi

up: install dashboard ## Migrate the SQLite database and start the API (local runtime) on GATEWAY_PORT
	@echo "MiniRedis API and dashboard: http://127.0.0.1:$(GATEWAY_PORT)  (API docs: http://127.0.0.1:$(GATEWAY_PORT)/docs)"
	GATEWAY_PORT=$(GATEWAY_PORT) $(VENV)/bin/miniredis up --port $(GATEWAY_PORT)

lint: install ## ruff, and mypy --strict on the node
	$(VENV)/bin/ruff check nodeimage operator tests scripts
	$(VENV)/bin/ruff format --check nodeimage operator tests scripts
	$(VENV)/bin/ruff check api benchmarks/api_bench.py
	$(VENV)/bin/ruff format --check api benchmarks/api_bench.py
	$(VENV)/bin/mypy

test: install lint ## Every test
	$(VENV)/bin/pytest -q -n 2 --dist loadgroup tests

test-frontend: install
	$(VENV)/bin/pytest -q tests/frontend

test-node: install
	$(VENV)/bin/pytest -q tests/node

bench-api: install ## The API on the local runtime: create→PONG, exec overhead, listing 1,000 nodes, a sampling cycle
	$(PY) benchmarks/api_bench.py

e2e-kind: install ## The operator, chart and images on a throwaway kind cluster (skips without docker and kind)
	bash tests/e2e/kind/run.sh

bench-node: install ## Our node vs redis-server: throughput, memory per key, start-up time
	$(PY) benchmarks/node_bench.py

clean:
	rm -rf $(VENV) .tools .mypy_cache .ruff_cache .pytest_cache nodeimage/build
	find nodeimage -name '*.so' -delete
