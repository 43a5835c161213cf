# The two commands of the README:  make demo   and   make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

.PHONY: demo test install bench lint clean

# A virtual environment with the package (editable) and the dev extra; redone only when
# pyproject.toml changes, so re-running `make demo` / `make test` is quick.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/archive ingest raw/ --index index/ ; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 3 ]
	@echo
	@echo '== archive query "nuclear talks" (English)'
	$(BIN)/archive query "nuclear talks" --index index/ --limit 3
	@echo
	@echo '== archive query "همکاری‌های اقتصادی" (Persian)'
	$(BIN)/archive query "همکاری‌های اقتصادی" --index index/ --limit 3

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src/archive

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) index/_* index/*.toc index/*.seg index/*.pst build *.egg-info
