"""Command-line subcommands: one module per area, each with ``register(subparsers)``.

``desktop.cli`` loads every module here, so an area adds its commands without
touching the others.
"""
