"""`python -m runmodels` runs the `runmodels` command."""

from runmodels.cli.main import main

main()
