"""Taking ledgers in from the files townships keep, and giving files back.

- ``reading``: a file (.xlsx / .xls / .ods / .csv, GBK or UTF-8) → sheets of cell rows.
- ``header``: where the header sits, and which column is which field.
- ``importer``: ``plan_import`` (read, map, check; writes nothing) and ``commit_import``.
- ``exporter``: ``export_ledger`` to .xlsx in the township layout, or .csv.

Nothing here imports Qt; the dialogs in ``views`` drive these functions.
"""
from models.io.reading import UnusableFile

__all__ = ["UnusableFile"]
