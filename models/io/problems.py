"""What an import says about a row it refuses: shared by the planning (models.io.importer) and
the writing (models.io.writing), so neither imports the other for it."""
from __future__ import annotations

from dataclasses import dataclass

from models.ledger.fields import Ledger


@dataclass
class Problem:
    row: int                        # as the spreadsheet shows it
    column: str                     # as its header says
    rule: str
    message: str
    field: str = ""

    def to_json(self) -> dict:
        return {"row": self.row, "column": self.column, "rule": self.rule, "message": self.message}


def field_label(ledger: Ledger, name: str) -> str:
    """A field's label for a message; the name itself when the ledger has no such field."""
    return ledger.field(name).label if ledger.has(name) else name
