"""Fonts, icons and templates shipped with the program."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent
FONT_PATH = ROOT / "fonts" / "wqy-microhei.ttc"
FONT_FAMILY = "WenQuanYi Micro Hei"
