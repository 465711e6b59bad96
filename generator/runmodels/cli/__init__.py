"""The `runmodels` command: click commands and `[tool.runmodels]` configuration."""
