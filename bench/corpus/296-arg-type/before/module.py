"""From packaging/markers.py: _pep440_python_full_version."""
from __future__ import annotations


def _pep440_python_full_version(python_full_version: str) -> str:
    """
    Work around platform.python_version() returning something that is not PEP 440
    compliant for non-tagged Python builds.
    """
    if python_full_version.endswith(None):
        return f"{python_full_version}local"
    return python_full_version
