"""Run-time hook of the PyInstaller bundle (see build.spec), in place of PyInstaller's own
for PySide6: the same Qt search paths, set before the program's first line, but without
loading Qt there. Qt then loads in ``desktop.app.make_app``, while a second thread already
reads the home page's figures (models.warm_start): about 0.1 s of every start."""
import os
import sys


def _qt_paths() -> None:
    base = sys._MEIPASS
    qt = os.path.join(base, "PySide6") if sys.platform.startswith("win") else os.path.join(base, "PySide6", "Qt")
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt, "plugins")
    os.environ["QML2_IMPORT_PATH"] = os.path.join(qt, "qml")
    if sys.platform.startswith("win"):      # so QtNetwork finds OpenSSL DLLs collected beside the program
        os.environ["PATH"] = base + os.pathsep + os.environ.get("PATH", "")


_qt_paths()
del _qt_paths
