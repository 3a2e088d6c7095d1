# Two entry points (see README): `make run` and `make test`. Both set up everything they need.
VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
STORE   ?= var/store
HOST    ?= 127.0.0.1
PORT    ?= 5000

.PHONY: setup system-deps run build test lint bench clean

$(BIN)/kg: pyproject.toml src/kg/__init__.py webapp/__init__.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/kg

# Debian's Chromium for the browser tests (browsers cannot be downloaded by Playwright here).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The main job: build the graph from data/releases/ into the embedded store, then serve it.
run: setup
	$(BIN)/kg --store $(STORE) build data/releases
	$(BIN)/kg --store $(STORE) query agreements
	$(BIN)/kg --store $(STORE) serve --host $(HOST) --port $(PORT)

build: setup
	$(BIN)/kg --store $(STORE) build data/releases

lint: setup
	$(BIN)/ruff check src webapp tests benchmarks notebooks scripts
	$(BIN)/ruff format --check src webapp tests benchmarks notebooks scripts
	$(BIN)/mypy src/kg webapp

# The whole suite, as CI runs it.
test: setup system-deps
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) var .pytest_cache
