"""The editor's buffers, kept by pygls, split into lines the way LSP does.

pygls' TextDocument splits with `str.splitlines`, so an incremental change
after a form feed or a U+2028 lands one line off and corrupts fixloop's copy
of the buffer. These subclasses split with fixloop's one line model.
"""

from __future__ import annotations

from collections.abc import Sequence

from pygls.workspace import TextDocument, Workspace

from fixloop.text.lines import split_lines


class LspTextDocument(TextDocument):
    """A buffer whose lines end at "\\n", "\\r\\n" or "\\r" only."""

    @property
    def lines(self) -> Sequence[str]:
        return tuple(split_lines(self.source))


class LspWorkspace(Workspace):
    """pygls' workspace, holding LspTextDocuments."""

    def _create_text_document(self, doc_uri, source=None, version=None, language_id=None):
        return LspTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self._position_codec,
        )


def adopt(workspace: Workspace) -> None:
    """Make the workspace pygls built at `initialize` (before any document) an LspWorkspace.

    pygls has no seam for its workspace class; the subclass adds no state, so
    changing the fresh object's class is the smallest safe step."""
    if type(workspace) is Workspace:
        workspace.__class__ = LspWorkspace
