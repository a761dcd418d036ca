"""Helpers shared by test modules (imported as `helpers`)."""

from __future__ import annotations


def search_replace(search: str, replace: str) -> str:
    """A model reply in the SEARCH/REPLACE format."""
    return f"<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n"
