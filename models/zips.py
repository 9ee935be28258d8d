"""What Python's ``zipfile`` raises for a damaged archive, besides ``BadZipFile``: every reader of a
file a user or another office hands over (spreadsheets, attachments, data packages) catches these
and says "damaged" in one sentence instead of stopping with a traceback."""
from __future__ import annotations

import zipfile
import zlib

# a broken deflate stream (zlib.error), an offset before the file's start (OSError EINVAL, ValueError),
# the "encrypted" flag (RuntimeError), a compression method Python does not know (NotImplementedError),
# a member name that is not text (UnicodeDecodeError, a ValueError), a cut-off member (EOFError), a
# member the index names but that is missing (KeyError)
DAMAGED_ZIP = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, NotImplementedError, ValueError,
               RuntimeError, OSError, KeyError)
