"""`python -m megaapi.cli` runs the `megaapi` command."""

from megaapi.cli import main

main()
