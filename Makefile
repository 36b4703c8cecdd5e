# Two commands for a newcomer: `make run` and `make test`. Both set everything up from python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	touch $(STAMP)

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
	$(BIN)/python -m pytest -q -n 2

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) generated/*/
