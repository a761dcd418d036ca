"""A verifier fixloop cannot run here: it says why and how to get it, and never passes."""

from __future__ import annotations

from fixloop.verifiers.base import CheckRequest, Finding, VerifierError
from fixloop.verifiers.languages import install_hint


class Unavailable:
    """Stands in for a verifier a language's gate names but this fixloop does not have.

    Every check raises VerifierError, so the gate fails (never a pass) and the
    scheduler tells the user once, with how to get the tool.
    """

    def __init__(self, name: str, language: str, reason: str = "") -> None:
        self.name = name
        self.reason = reason or (
            f"{name} is not available in this fixloop, so {language} files are not checked "
            f"and no fix is verified for them ({install_hint(name)}; or choose other verifiers "
            f"with `verifiers.{language}` in .fixloop.toml)"
        )

    async def check(self, request: CheckRequest) -> tuple[Finding, ...]:
        raise VerifierError(self.reason)
