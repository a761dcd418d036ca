"""Verifiers: one module per tool, a base protocol and one subprocess helper."""

from fixloop.verifiers.base import (
    CheckRequest,
    Finding,
    Severity,
    Span,
    ToolEdit,
    Verifier,
    VerifierError,
)
from fixloop.verifiers.registry import (
    KNOWN,
    aclose_verifier,
    available,
    make_verifier,
    make_verifiers,
)

__all__ = [
    "KNOWN",
    "CheckRequest",
    "Finding",
    "Severity",
    "Span",
    "ToolEdit",
    "Verifier",
    "VerifierError",
    "aclose_verifier",
    "available",
    "make_verifier",
    "make_verifiers",
]
