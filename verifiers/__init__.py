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
from fixloop.verifiers.registry import KNOWN, make_verifiers

__all__ = [
    "KNOWN",
    "CheckRequest",
    "Finding",
    "Severity",
    "Span",
    "ToolEdit",
    "Verifier",
    "VerifierError",
    "make_verifiers",
]
