"""Command-line subcommands: one module per area, each with ``register(subparsers)``.

``desktop.cli`` loads every module here, so an area adds its commands without
touching the others.
"""

# which module here registers each command word (``desktop.cli`` loads only that one for a
# command, so start-up stays fast; checked by a test). A new command adds its word here.
COMMAND_MODULES = {"demo": "core", "backup": "core", "restore": "core", "selftest": "selftest",
                   "check": "check", "user": "users", "import": "io", "export": "io", "report": "report",
                   "figures": "figures", "init": "init", "package": "package",
                   "directive": "directive", "phase": "setup", "workstream": "setup", "holidays": "holidays",
                   "meeting": "meeting", "item": "meeting", "signoff": "signoff", "fund": "funds",
                   "case": "case", "group": "setup",
                   "asset": "assets", "contract": "contracts", "inspection": "inspections",
                   "daily": "daily", "recycle": "recycle", "settings": "recycle",
                   "campaign": "setup", "attach": "attach", "employer": "employer", "advance": "advance",
                   "project": "project"}
