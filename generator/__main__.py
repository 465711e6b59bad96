"""`python -m generator` runs the `runmodels` command."""

from .cli import main

main()
