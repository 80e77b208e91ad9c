# The README's commands. `make run` and `make test` are all a new machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app survey
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: run test check install translations browser lint format audit bench clean

$(STAMP): pyproject.toml requirements.lock
	@.ci/install-pango  # WeasyPrint's system library, installed when missing and we may
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# Catalogues are compiled here, never committed as binaries.
translations: install
	$(BIN)/pybabel compile --statistics -d survey/translations

# Browser tests drive Debian's chromium (installed when missing and we may) and inject
# axe-core from the npm registry, pinned in package-lock.json.
browser: node_modules/.installed
	@test -x /usr/bin/chromium || .ci/install-chromium

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: translations
	$(FLASK) init-db
	$(FLASK) seed-reference
	$(FLASK) seed-demo --if-empty
	@echo "Staff workspace: http://127.0.0.1:$(PORT)/staff/ (demo.admin@example.org; the password was printed when the demo was first seeded)."
	@echo "Lost the demo password? Run: $(FLASK) create-user --reset demo.admin@example.org"
	@# A worker beside the app runs the exports (survey/jobs); it stops when the app does.
	$(FLASK) worker --workers 2 & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
		$(FLASK) run --port $(PORT)

test: translations browser
	$(BIN)/pytest $(PYTEST_ARGS)

# The quick loop: no chromium, no npm, none of the tests marked slow (browser, wheel).
check: translations
	$(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The locked versions against known vulnerabilities; warns (does not fail) when no
# advisory source can be reached, fails on a vulnerable version (.ci/audit.py).
audit: install
	$(BIN)/python .ci/audit.py requirements.lock

bench: translations
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
