"""What every report returns, and the one error a report raises when it cannot be made.
Kept apart from ``models.reports`` so the report modules need not import the package that
imports them."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class ReportUnavailable(Exception):
    """The report cannot be made (a module or a record is missing); the message is Chinese."""


@dataclass
class ReportResult:
    path: Path
    title: str
    pages: int = 0
    passed: bool = True
    check_text: str = ""
    extra: list[Path] = field(default_factory=list)     # e.g. the Excel file beside the 统计报表
    seconds: float = 0.0
    figures: dict = field(default_factory=dict)          # the weekly briefing's workstream sections' totals
