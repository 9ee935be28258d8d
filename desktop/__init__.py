"""Start-up, wiring, the window shell and the command line."""
from models.version import VERSION as __version__  # noqa: F401
