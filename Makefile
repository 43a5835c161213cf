# The two commands of the README:  make demo   and   make test
#
# Python: PYTHON=... if given, else the newest supported one found: for 3.13 down to 3.10,
# python3 if it is that version, else pythonX.Y on PATH, else pyenv's own build of it (a pyenv
# shim of a version that is not active refuses to run); last, python3 if it is 3.10 or newer.
VENV := .venv
BIN   = $(VENV)/bin

ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for v in 3.13 3.12 3.11 3.10; do \
	  for c in python3 python$$v $$(pyenv root 2>/dev/null)/versions/$$v*/bin/python$$v; do \
	    [ "$$($$c -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = $$v ] \
	      && { echo $$c; exit 0; }; \
	  done; \
	done; \
	python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null && echo python3)
endif
# The interpreter's real path and version: the venv is rebuilt when they change.
PY_ID := $(shell $(PYTHON) -c 'import platform, sys; print(sys.executable, platform.python_version())' 2>/dev/null)

STAMP     := $(VENV)/.installed
STAMP_DEV := $(VENV)/.installed-dev
ifneq ($(shell cat $(STAMP) 2>/dev/null),$(PY_ID))
.PHONY: $(STAMP)
endif

# pip on a clean machine (CI: no cache, no stdin): no prompts, patient retries, and the whole
# install tried three times, so one dropped connection does not fail the run.
PIP_OPTS := --quiet --no-input --progress-bar off --retries 10 --timeout 60
define pip_install
for i in 1 2 3; do \
  $(BIN)/python -m pip install $(PIP_OPTS) $(1) && exit 0; \
  [ $$i -lt 3 ] && echo "make: pip install failed (try $$i of 3); again in $$((i * 15)) s" >&2 \
    && sleep $$((i * 15)); \
done; exit 1
endef

.PHONY: demo test install install-dev bench lint clean python

# The product alone (what `make demo` needs). Made anew, from an empty folder, when
# pyproject.toml changes or another Python is chosen, so no package a previous pyproject.toml
# asked for stays behind.
$(STAMP): pyproject.toml
	@[ -n '$(PY_ID)' ] || { echo "make: no usable Python 3.10+ (PYTHON='$(PYTHON)'; tried python3.13 ... python3.10, python3): install one or say PYTHON=/path/to/python3.X" >&2; exit 1; }
	@if [ -e '$(VENV)' ] && [ ! -f '$(VENV)/pyvenv.cfg' ]; then echo "make: $(VENV) is not a virtual environment; not replacing it" >&2; exit 1; fi
	@echo "make: creating $(VENV) with Python $(lastword $(PY_ID)) ($(firstword $(PY_ID)))"
	rm -rf '$(VENV)'
	$(firstword $(PY_ID)) -m venv '$(VENV)'
	@$(call pip_install,--upgrade pip)
	@$(call pip_install,-e .)
	echo '$(PY_ID)' > $(STAMP)

# ... plus the dev extra (pytest, hypothesis, ruff, mypy, psutil; hazm on 3.12+).
$(STAMP_DEV): $(STAMP)
	@$(call pip_install,-e '.[dev]')
	touch $(STAMP_DEV)

install: $(STAMP)
install-dev: $(STAMP_DEV)

python:
	@echo '$(PY_ID)'

demo: $(STAMP)
	$(BIN)/archive ingest raw/ --index index/ ; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 3 ]
	@echo
	@echo '== archive query "nuclear talks" (English)'
	$(BIN)/archive query "nuclear talks" --index index/ --limit 3
	@echo
	@echo '== archive query "همکاری‌های اقتصادی" (Persian)'
	$(BIN)/archive query "همکاری‌های اقتصادی" --index index/ --limit 3
	@echo
	@echo '== archive query "red sea" --both (each hit, then its version in the other language)'
	$(BIN)/archive query "red sea" --index index/ --limit 2 --both

test: $(STAMP_DEV)
	$(BIN)/python -m pytest -q

lint: $(STAMP_DEV)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src/archive

bench: $(STAMP_DEV)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) index/_* index/*.toc index/*.seg index/*.pst build *.egg-info
