# One command for the demo, one for the tests. Each creates the venv and installs pinned dependencies.
PYTHON ?= python3.12
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install clean odd

$(STAMP): pyproject.toml requirements.lock
	@echo "setting up $(VENV) with $(PYTHON) and the pinned dependencies (about a minute, once)"
	$(PYTHON) -m venv $(VENV)
	@( $(BIN)/python -m pip install --upgrade pip \
	  && $(BIN)/python -m pip install -r requirements.lock \
	  && $(BIN)/python -m pip install --no-deps -e . ) > $(VENV)/install.log 2>&1 \
	  || (cat $(VENV)/install.log; echo "installation failed; log in $(VENV)/install.log"; exit 1)
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/radsim run demo.toml --out results/demo    # an example, found by name: radsim examples

test: $(STAMP)
	bash tests/browser/setup.sh $(VENV)    # chromium and Solara's front-end assets for the dashboard's browser test
	$(BIN)/python -m pytest -n 2 tests

clean:
	rm -rf $(VENV) results .pytest_cache .hypothesis

odd: $(STAMP)
	$(BIN)/python -m experiments.scripts.odd
