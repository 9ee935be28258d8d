"""A change that reaches a record of a signed-off ledger needs a person's 修改理由: try the change
without one; when it is refused for that, ask for the reason and try once more with it."""
from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from models.errors import PermissionDenied
from models.ledger.repo import ValidationError

SIGNED = "已审核签字"


def with_reason(parent: QWidget, title: str, work: Callable[[str], object], *, raise_invalid: bool = False) -> bool:
    """Run ``work(reason)``; True when it was done. Refusals are shown in a message box (a
    ``ValidationError`` is raised instead with ``raise_invalid``: the caller's dialog shows it)."""
    reason = ""
    while True:
        try:
            work(reason)
            return True
        except PermissionDenied as exc:
            if SIGNED not in str(exc) or reason:
                QMessageBox.warning(parent, title, str(exc))
                return False
            text, ok = QInputDialog.getText(parent, title, "该记录所属台账已审核签字，请填写修改理由（记入审计日志）：")
            if not ok or not text.strip():
                return False
            reason = text.strip()
        except ValidationError as exc:
            if raise_invalid:
                raise
            QMessageBox.warning(parent, title, str(exc))
            return False


def recycle_with_reason(parent: QWidget, title: str, question: str, work: Callable[[str], object]) -> bool:
    """Move records to the recycle bin as the command line does (``recycle move --reason``): the
    person says why (记入审计日志; it is also the 修改理由 a signed ledger asks for), then
    ``work(reason)`` runs through the ledger's service. True when it was done; a refusal is
    shown in a message box."""
    while True:
        text, ok = QInputDialog.getText(parent, title, f"{question}\n可在“回收站”中恢复。请填写理由（记入审计日志）：")
        if not ok:
            return False
        if text.strip():
            break
        QMessageBox.information(parent, title, "移入回收站须说明理由。")
    try:
        work(text.strip())
    except (PermissionDenied, ValidationError) as exc:
        QMessageBox.warning(parent, title, str(exc))
        return False
    return True


def which(repo, ids, unit: str = "条记录", most: int = 3) -> str:
    """The records a prompt is about, named as the ledger names them: “2 条问题（QS20261102002、
    QS20261103004）”, so that the person confirms knowing which ones."""
    field = repo.ledger.label_field
    names = []
    for i in list(ids)[:most] if field else []:
        row = repo.get(i) or {}
        value = row.get(f"{field}__label") or row.get(field)
        if value not in (None, ""):
            names.append(str(value))
    shown = "、".join(names) + ("等" if len(ids) > most and names else "")
    return f"{len(ids)} {unit}" + (f"（{shown}）" if shown else "")
