# Two commands for a newcomer: `make run` and `make test`. Both set everything up from python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Installs come from requirements.lock (every package, exact version, hashes), written by `make lock` from
# pyproject.toml's pins with uv; tests/test_install_lock.py fails when the two disagree. Bytecode is compiled
# at install: where PYTHONDONTWRITEBYTECODE is set, every process would otherwise recompile its imports
# (Great Expectations alone: ~6 s per process).
LOCK := requirements.lock
LOCK_EXTRAS := --extra dev --extra bench --extra spark
UV_VERSION := $(shell sed -n 's/^uv==\([^ ]*\).*/\1/p' $(LOCK))
UV := $(BIN)/uv
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test lint bench clean browser lock

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q uv==$(UV_VERSION)

$(STAMP): pyproject.toml $(LOCK) | $(UV)
	$(UV) pip sync -q --python $(BIN)/python --require-hashes --compile-bytecode $(LOCK)
	$(UV) pip install -q --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

# Refresh the lock after a change to pyproject.toml: the newest versions its pins allow, for every platform
# (--universal) and Python 3.11, with hashes. The same pyproject.toml and index give the same file.
lock: | $(UV)
	$(UV) pip compile -q pyproject.toml $(LOCK_EXTRAS) --universal --python-version 3.11 --generate-hashes \
	  --custom-compile-command "make lock" -o $(LOCK)

run: $(STAMP)
	-$(BIN)/loanstudio catalog
	$(BIN)/loanstudio design

# Debian's chromium and CJK fonts for the designer's browser test (tests/designer/test_browser.py).
# Tolerant where apt is unavailable: the test then skips with a reason, except under CI=true.
browser:
	@dpkg -s chromium fonts-noto-cjk >/dev/null 2>&1 || \
	  { command -v apt-get >/dev/null 2>&1 && apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null; } || \
	  echo "browser: chromium could not be installed here; the browser test will be skipped"

test: $(STAMP) browser
	$(BIN)/ruff check --no-cache .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) generated/*/
