"""Verifiers: one module per tool, the protocol they share (base) and how to build them (registry).

The package re-exports the protocol's values alone: `fixloop.processes` raises
`VerifierError`, and importing it must not build the registry (which imports
every verifier, and they import `fixloop.processes`).
"""

from fixloop.verifiers.base import (
    CheckRequest,
    Finding,
    Severity,
    Span,
    ToolEdit,
    Verifier,
    VerifierError,
)

__all__ = [
    "CheckRequest",
    "Finding",
    "Severity",
    "Span",
    "ToolEdit",
    "Verifier",
    "VerifierError",
]
