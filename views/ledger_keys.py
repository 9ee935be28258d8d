"""Which columns of a declared ledger's page a clerk works by: its number or name, the party, the
money that matters, its state, who handles it and by when. Each ledger declares them beside its
fields (``extra["key_columns"]``, e.g. models/ledgers/funds.py); a ledger added without them gets
its first FALLBACK_KEYS columns. The ledger table shows them first, in this order, and on a small
screen (1366×768 at 125 % or 150 %) fits them to the window before anything else (headers and
names on two lines, then names narrowed); the other columns follow to the right.

Long texts (反映问题, 列入事由, 化解措施, 工作动态) are not key columns: they cannot show whole in
a row of two lines, and a key column never shows "…"; the whole text is in the record's form."""
from __future__ import annotations

FALLBACK_KEYS = 6      # a ledger declaring none: its first this many declared columns (long texts left out)


def key_columns_for(ledger) -> tuple[str, ...]:
    """The ledger's key columns: its declaration's, else (a ledger added without them) its first
    FALLBACK_KEYS declared columns that are not long texts."""
    own = ledger.extra.get("key_columns")
    if own:
        return tuple(own)
    return tuple(f.name for f in ledger.table_fields if f.kind != "longtext")[:FALLBACK_KEYS]
