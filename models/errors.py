"""The errors the storage layer tells a user about, in Chinese: here, where both the store and
its migrations can raise them without importing each other (models.db re-exports them)."""
from __future__ import annotations


class StoreError(Exception):
    """A problem the user must be told about, in Chinese."""


class DamagedDatabase(StoreError):
    pass


class NewerDatabase(StoreError):
    pass


class DatabaseLocked(StoreError):
    pass


class NotOurDatabase(DamagedDatabase):
    """A file at the database's path that is not a 清欠工作台 database (empty, another
    program's SQLite file, text): never taken for a new database, never changed."""


class PermissionDenied(StoreError):
    """A change the acting account may not make (role, workstream, or a signed ledger)."""
