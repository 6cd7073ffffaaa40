# Two commands for a newcomer: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PO := $(wildcard web/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test bench lint install translations babel-extract clean

install: $(STAMP) $(MO)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

web/translations/%/LC_MESSAGES/messages.mo: web/translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

translations: $(MO)

run: install
	$(BIN)/fairmatch init-db
	$(BIN)/fairmatch esco import
	$(BIN)/fairmatch demo --if-empty
	$(BIN)/fairmatch run

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Refresh messages.pot and the catalogues after changing user-facing text.
babel-extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ValidationError -k InvalidTransition -k NotFound -k Forbidden -k RateLimited -k N_ -o web/translations/messages.pot .
	$(BIN)/pybabel update -i web/translations/messages.pot -d web/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
