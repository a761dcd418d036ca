"""fixloop: a language server that turns diagnostics into verified fixes, fast."""

__version__ = "0.1.0"
