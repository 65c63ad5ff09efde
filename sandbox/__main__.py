"""`python -m sandbox` runs the CLI."""

from __future__ import annotations

from sandbox.cli import main

main()
