"""Conversions between engine values and LSP types."""

from __future__ import annotations

from lsprotocol import types as T

from fixloop.engine.seam import Snapshot
from fixloop.lsp.positions import to_client
from fixloop.text.edits import LineEdit
from fixloop.text.lines import split_lines
from fixloop.verifiers.base import Finding, Span


def _line(lines: list[str], number: int) -> str:
    return lines[number].rstrip("\r\n") if 0 <= number < len(lines) else ""


def span_to_range(lines: list[str], span: Span, encoding: str) -> T.Range:
    return T.Range(
        start=T.Position(span.start_line, to_client(_line(lines, span.start_line), span.start_col, encoding)),
        end=T.Position(span.end_line, to_client(_line(lines, span.end_line), span.end_col, encoding)),
    )


def diagnostic(lines: list[str], finding: Finding, finding_id: str, encoding: str) -> T.Diagnostic:
    return T.Diagnostic(
        range=span_to_range(lines, finding.span, encoding),
        message=finding.message,
        severity=T.DiagnosticSeverity(int(finding.severity)),
        code=finding.code,
        source=finding.source,
        data={"fixloop": finding_id},
    )


def line_edit_to_text_edit(lines: list[str], edit: LineEdit, encoding: str) -> T.TextEdit:
    """A whole-line replacement as a TextEdit; the last line may lack its newline."""
    start = T.Position(edit.start, 0)
    if edit.end >= len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
        last = len(lines) - 1
        end = T.Position(last, to_client(_line(lines, last), len(_line(lines, last)), encoding))
    else:
        end = T.Position(edit.end, 0)
    return T.TextEdit(range=T.Range(start, end), new_text=edit.new_text)


def workspace_edit(
    snapshot: Snapshot, edits: tuple[LineEdit, ...], encoding: str, document_changes: bool
) -> T.WorkspaceEdit:
    """The fix as an edit pinned to the version it was verified for."""
    lines = split_lines(snapshot.text)
    text_edits = [line_edit_to_text_edit(lines, edit, encoding) for edit in edits]
    if document_changes:
        return T.WorkspaceEdit(
            document_changes=[
                T.TextDocumentEdit(
                    text_document=T.OptionalVersionedTextDocumentIdentifier(
                        uri=snapshot.uri, version=snapshot.version
                    ),
                    edits=text_edits,
                )
            ]
        )
    return T.WorkspaceEdit(changes={snapshot.uri: text_edits})
