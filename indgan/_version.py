"""The version of indgan: one place (pyproject.toml reads it, the package and the HTML report show it)."""

__version__ = "0.1.0"
