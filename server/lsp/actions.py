"""Code actions for one diagnostic: the verified fix, a running loop, a retry, an escalation."""

from __future__ import annotations

from lsprotocol import types as T

from fixloop.engine.seam import Offer, Origin, Snapshot, State, Tier, TrackedView
from fixloop.lsp.convert import workspace_edit

RETRY = "fixloop.retry"
CANCEL = "fixloop.cancel"
ESCALATE = "fixloop.escalate"
SHORTCUT_TIERS = {Origin.TOOL: "checking the tool's fix", Origin.MEMORY: "checking a remembered fix"}


def fix_edit(snapshot: Snapshot, tracked: TrackedView, encoding: str, document_changes: bool):
    fix = tracked.fix
    assert fix is not None
    return workspace_edit(snapshot, fix.edits(tracked.window), encoding, document_changes)


def checking(diagnostic: T.Diagnostic, verifier: str) -> T.CodeAction:
    """Another server's diagnostic, while fixloop checks the buffer with `verifier` to fix it."""
    code = "" if diagnostic.code is None else str(diagnostic.code)
    doing = f"checking with {verifier}"
    return T.CodeAction(
        title=f"fixloop: fixing {code}… ({doing})",
        kind=T.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        disabled=T.CodeActionDisabled(reason=f"fixloop is {doing}"),
    )


def actions_for(
    diagnostic: T.Diagnostic,
    tracked: TrackedView,
    snapshot: Snapshot,
    *,
    attempts: int,
    encoding: str,
    resolve_edit: bool,
    document_changes: bool,
    offer: Offer | None = None,
) -> list[T.CodeAction]:
    """What the light bulb shows for one of fixloop's diagnostics."""
    code = tracked.finding.code
    arguments = [snapshot.uri, tracked.id]
    escalate = (
        [
            T.CodeAction(
                title=f"fixloop: {offer.title}",
                kind=T.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                command=T.Command(title=offer.title, command=ESCALATE, arguments=arguments),
            )
        ]
        if offer is not None
        else []
    )
    if tracked.state is State.FIXED and tracked.fix is not None:
        action = T.CodeAction(
            title=tracked.fix.title,
            kind=T.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            is_preferred=True,
            data={"uri": snapshot.uri, "version": snapshot.version, "id": tracked.id},
        )
        if not resolve_edit:
            action.edit = fix_edit(snapshot, tracked, encoding, document_changes)
        return [action]
    if tracked.state in (State.QUEUED, State.RUNNING):
        if tracked.state is State.QUEUED:
            doing = "queued"
        elif tracked.tier in SHORTCUT_TIERS:
            doing = SHORTCUT_TIERS[tracked.tier]
        elif tracked.attempt:
            doing = f"attempt {tracked.attempt} of {attempts}"
        else:
            doing = "starting"
        on_frontier = tracked.tier == Tier.FRONTIER and tracked.model is not None
        model = f" with {tracked.model}" if on_frontier else ""
        return [
            T.CodeAction(
                title=f"fixloop: fixing {code}{model}… ({doing})",
                kind=T.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                disabled=T.CodeActionDisabled(reason=f"fixloop is still working ({doing})"),
            )
        ] + escalate
    reason = tracked.result.reason if tracked.result else tracked.state.value
    return [
        T.CodeAction(
            title=f"fixloop: retry fixing {code} ({tracked.state.value})",
            kind=T.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            command=T.Command(
                title=f"retry ({reason})"[:120],
                command=RETRY,
                arguments=arguments,
            ),
        )
    ] + escalate
