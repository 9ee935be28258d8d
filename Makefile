# 清欠工作台 — two commands for a new machine:
#   make run    set everything up, then start the program on its default database
#   make test   set everything up, then run the tests (Qt off-screen)
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
QT_DEBS := libgl1 libegl1 libxkbcommon0 libglib2.0-0 libfontconfig1 libdbus-1-3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench dist dist-check debs venv demo selftest clean

run: debs $(STAMP)
	$(BIN)/qingqian $(ARGS)

test: debs $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: debs $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

demo: $(STAMP)
	$(BIN)/qingqian demo --db demo.sqlite

selftest: debs $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/qingqian selftest --db $(DB) --screenshots screens

dist: debs $(STAMP)
	@command -v objdump >/dev/null 2>&1 || ($(SUDO) apt-get install -y -qq --no-install-recommends binutils)
	$(BIN)/pip install -q -e '.[dist]'
	$(BIN)/pyinstaller --noconfirm --log-level WARN build.spec

# The bundle, as an office PC gets it: build it, make a demo with it, and self-test it off-screen.
dist-check: dist
	rm -rf build/dist-check && mkdir -p build/dist-check
	QT_QPA_PLATFORM=offscreen QINGQIAN_HOME=build/dist-check/home \
	  "dist/清欠工作台/qingqian" demo --db build/dist-check/demo.sqlite >/dev/null
	QT_QPA_PLATFORM=offscreen QINGQIAN_HOME=build/dist-check/home \
	  "dist/清欠工作台/qingqian" selftest --db build/dist-check/demo.sqlite --screenshots build/dist-check/screens
	@du -sh "dist/清欠工作台"

# Debian / Ubuntu packages Qt needs to start (only those missing are installed).
debs:
	@if command -v dpkg >/dev/null 2>&1; then \
	  missing=""; for p in $(QT_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then echo "安装 Qt 所需系统包:$$missing"; \
	    $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi; \
	fi

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) build dist *.egg-info
