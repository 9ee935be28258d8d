# 清欠工作台 — two commands for a new machine:
#   make run    set everything up, then start the program on its default database
#   make test   set everything up, then run the tests (Qt off-screen)
#   make xcb-check   the window on a real X display (Xvfb, Qt's xcb platform), with screenshots
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
QT_DEBS := libgl1 libegl1 libxkbcommon0 libglib2.0-0 libfontconfig1 libdbus-1-3
# what Qt's xcb platform (the window on a desktop's X display) loads: PySide6's libqxcb.so and
# libQt6XcbQpa.so, as ldd lists them (without libxcb-icccm4 / libxcb-keysyms1 the window aborts)
XCB_DEBS := libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xkb1 \
  libxcb-image0 libxcb-randr0 libxcb-render-util0 libx11-xcb1 libxcb-xfixes0 libxcb-sync1 libxcb-shm0 \
  libxcb-render0 libxcb-glx0
# an X server without a screen, for the tests and CI's check of the real display
XVFB_DEBS := xvfb xauth
XCB_DIR := build/xcb-check
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench dist dist-check debs test-debs venv demo selftest xcb-check clean qt-support-files

run: debs $(STAMP)
	$(BIN)/qingqian $(ARGS)

test: test-debs $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -n auto --dist loadfile $(PYTEST_ARGS)

bench: debs $(STAMP)
	$(BIN)/pip install -q 'rustpy-xlsxwriter>=0.8,<1' || echo "rustpy-xlsxwriter not installed: the export is measured without it"
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

demo: $(STAMP)
	$(BIN)/qingqian demo --db demo.sqlite

selftest: debs $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/qingqian selftest --db $(DB) --screenshots screens

dist: debs $(STAMP)
	@command -v objdump >/dev/null 2>&1 || ($(SUDO) apt-get install -y -qq --no-install-recommends binutils)
	$(BIN)/pip install -q -e '.[dist]' --config-settings editable_mode=compat || $(BIN)/pip install -q -e '.[dist]'
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m desktop.pages --check
	$(BIN)/pyinstaller --noconfirm --log-level WARN build.spec

# The bundle, as an office PC gets it: build it, make a demo with it, and self-test it off-screen.
dist-check: dist
	rm -rf build/dist-check && mkdir -p build/dist-check
	QT_QPA_PLATFORM=offscreen QINGQIAN_HOME=build/dist-check/home \
	  "dist/清欠工作台/qingqian" demo --db build/dist-check/demo.sqlite >/dev/null
	QT_QPA_PLATFORM=offscreen QINGQIAN_HOME=build/dist-check/home \
	  "dist/清欠工作台/qingqian" selftest --db build/dist-check/demo.sqlite --screenshots build/dist-check/screens
	@du -sh "dist/清欠工作台"

# The window on the X display of an Xvfb server, as a desktop shows it (QT_QPA_PLATFORM=xcb): the
# self-test visits every page and saves its pictures; the program started as `make run` starts
# it is seen on the X screen itself. Fails when a picture is missing or blank.
xcb-check: test-debs $(STAMP)
	rm -rf $(XCB_DIR) && mkdir -p $(XCB_DIR)
	XCB_SHOTS=$(XCB_DIR) QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -s -p no:cacheprovider \
	  tests/test_xcb_display.py
	@ls $(XCB_DIR)/selftest/*.png $(XCB_DIR)/screen/x-screen.png | wc -l | xargs echo "xcb 截图（张）："

# Debian / Ubuntu packages Qt needs to start, on a screen or off it (only those missing are
# installed). A package renamed for 64-bit time (Ubuntu 24.04: libglib2.0-0t64) counts as present.
define install_missing
	@if command -v dpkg >/dev/null 2>&1; then \
	  missing=""; for p in $(1); do \
	    for q in $$p $${p}t64; do dpkg-query -W -f='$${Status}\n' $$q 2>/dev/null; done \
	      | grep -q ' installed$$' || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then echo "安装 Qt 所需系统包:$$missing"; \
	    $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi; \
	fi
endef

debs:
	$(call install_missing,$(QT_DEBS) $(XCB_DEBS))

# the tests also start an X server (tests/test_xcb_display.py)
test-debs:
	$(call install_missing,$(QT_DEBS) $(XCB_DEBS) $(XVFB_DEBS))

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]' --config-settings editable_mode=compat || $(BIN)/pip install -q -e '.[test]'
	$(MAKE) --no-print-directory qt-support-files
	touch $(STAMP)

# PySide6 compiles its signature-support modules from source kept inside its library at every
# start (~45 ms of the 300 the window has to show); written out once as files (SBK_EMBED=false, its
# documented switch) and compiled, they load from bytecode. Redone after every install, so the
# files always match the PySide6 installed. build.spec puts the same files in the bundle.
qt-support-files:
	$(BIN)/python -c "import os, shutil, shiboken6; shutil.rmtree(os.path.join(os.path.dirname(shiboken6.__file__), 'files.dir'), ignore_errors=True)"
	SBK_EMBED=false $(BIN)/python -c "import shiboken6"
	$(BIN)/python -m compileall -q --invalidation-mode unchecked-hash \
	  "$$($(BIN)/python -c "import os, shiboken6; print(os.path.join(os.path.dirname(shiboken6.__file__), 'files.dir'))")"

clean:
	rm -rf $(VENV) build dist *.egg-info
