"""Data that travels: 报送包 (report packages) from a township up to its county, and the
county's database that keeps each township's latest package side by side.

- ``identity``: which unit a database is (township or county, name, code) and the county's
  thresholds, kept as settings.
- ``package``: the package file itself (a zip holding ``manifest.json`` and the township's
  database), written and read here only; the format is described in the README.
- ``export``: a township writes its package.
- ``receive``: a county checks a package and applies it, or refuses it with one Chinese line.
- ``county``: the county's figures, the sum of its townships' lines.
- ``dispatch``: a county's 督办事项 and its 下发包 (county → townships); the townships' progress
  on them, as their 报送包 carry it back.
- ``apply_dispatch``: a township checks a 下发包 and applies what is addressed to it.

The package's ``kind`` names what it carries: ``report`` (township → county), ``dispatch``
(county → townships), ``liaison_copy`` and ``liaison_return`` (office ↔ workstream liaison).
"""
from __future__ import annotations


class PackageRefused(Exception):
    """A package that cannot be written or applied; the message is one Chinese line and
    nothing has been changed."""
