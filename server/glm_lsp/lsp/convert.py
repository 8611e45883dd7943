"""Core results to lsprotocol objects (and back): the only place the two models meet."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path

from glm_lsp.assistant import FileChange, LineSpan, minimal_changes

ENCODINGS = {
    types.PositionEncodingKind.Utf8: "utf-8",
    types.PositionEncodingKind.Utf16: "utf-16",
    types.PositionEncodingKind.Utf32: "utf-32",
}


def encoding_name(kind: object) -> str:
    """The negotiated position encoding as the edits package names it (UTF-16 by default)."""
    for enum, name in ENCODINGS.items():
        if kind == enum or kind == enum.value:
            return name
    return "utf-16"


def lines_of(range_: types.Range | None) -> LineSpan | None:
    """Whole lines covered by an LSP range; a range ending at column 0 stops the line before."""
    if range_ is None:
        return None
    end = range_.end.line
    if range_.end.character == 0 and end > range_.start.line:
        end -= 1
    return LineSpan(range_.start.line + 1, end + 1)


def text_edits(old: str, new: str, encoding: str) -> list[types.TextEdit]:
    return [
        types.TextEdit(
            range=types.Range(
                start=types.Position(line=c.start.line, character=c.start.character),
                end=types.Position(line=c.end.line, character=c.end.character),
            ),
            new_text=c.new_text,
        )
        for c in minimal_changes(old, new, encoding)
    ]


DocumentChange = types.TextDocumentEdit | types.CreateFile | types.RenameFile | types.DeleteFile


def workspace_edit(
    root: Path, changes: list[FileChange], open_docs: dict[str, tuple[str, int]], encoding: str
) -> types.WorkspaceEdit:
    """One WorkspaceEdit for every changed file, each text edit pinned to the document version
    it was computed from (None for files that are not open), so a stale edit is refused."""
    document_changes: list[DocumentChange] = []
    for change in changes:
        path = str(root / change.path)
        uri, version = open_docs.get(path, (from_fs_path(path) or path, None))
        if change.new is None:
            document_changes.append(types.DeleteFile(uri=uri))
            continue
        if change.renamed_from is not None:
            source = str(root / change.renamed_from)
            source_uri, _ = open_docs.get(source, (from_fs_path(source) or source, None))
            document_changes.append(types.RenameFile(old_uri=source_uri, new_uri=uri))
            if change.old == change.new:
                continue
        elif change.old is None:
            document_changes.append(types.CreateFile(uri=uri))
        document_changes.append(
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(
                    uri=uri, version=version
                ),
                edits=list(text_edits(change.old or "", change.new, encoding)),
            )
        )
    return types.WorkspaceEdit(document_changes=document_changes)


ANNOTATION = "glm"


def needing_confirmation(
    edit: types.WorkspaceEdit, label: str, summary: str
) -> types.WorkspaceEdit:
    """The same edit with every change annotated `needsConfirmation`, so an editor that
    honours change annotations shows it for review before anything lands."""
    changes: list[DocumentChange] = []
    for change in edit.document_changes or []:
        if isinstance(change, types.TextDocumentEdit):
            edits: list[types.TextEdit | types.AnnotatedTextEdit | types.SnippetTextEdit] = [
                types.AnnotatedTextEdit(
                    range=e.range, new_text=e.new_text, annotation_id=ANNOTATION
                )
                if isinstance(e, types.TextEdit)
                else e
                for e in change.edits
            ]
            changes.append(types.TextDocumentEdit(text_document=change.text_document, edits=edits))
        else:
            change.annotation_id = ANNOTATION
            changes.append(change)
    annotation = types.ChangeAnnotation(label=label, needs_confirmation=True, description=summary)
    return types.WorkspaceEdit(
        document_changes=changes, change_annotations={ANNOTATION: annotation}
    )
