"""One edit from the editor's point of view: run the agent on a document and range, then
turn its result into a WorkspaceEdit pinned to the versions the editor has now."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path

from glm_lsp.agent import actions
from glm_lsp.agent.loop import EditOutcome, EditTask, run_edit
from glm_lsp.edits.diff import unified_diff_many
from glm_lsp.edits.overlay import FileChange
from glm_lsp.edits.stale import rebase_changes
from glm_lsp.errors import GlmError
from glm_lsp.lsp.convert import encoding_name, selection_of, workspace_edit
from glm_lsp.lsp.progress import Progress
from glm_lsp.lsp.server import GlmServer
from glm_lsp.providers.client import ProviderClient
from glm_lsp.providers.types import Usage


@dataclass
class EditRequest:
    uri: str
    range: types.Range | None
    instruction: str
    version: int | None = None  # the version the request was made for, if known
    comment: str = ""  # a glm: comment to remove from the result


@dataclass(frozen=True)
class ProposedFile:
    """One file's text before and after (None: created or deleted), for diff editors."""

    uri: str
    path: str
    old: str | None
    new: str | None


@dataclass
class ProposedEdit:
    edit: types.WorkspaceEdit
    diff: str
    usage: Usage
    summary: str
    files: list[ProposedFile]


async def propose_edit(
    server: GlmServer, request: EditRequest, progress: Progress | None = None
) -> ProposedEdit:
    doc = server.workspace.get_text_document(request.uri)
    if not doc.path:
        raise GlmError(f"{request.uri} is not a file on disk; glm-lsp edits files only.")
    path = Path(doc.path)
    if request.version is not None and doc.version != request.version:
        raise GlmError(f"{path.name} changed since the action was offered; run it again.")
    root = server.root_for(path)
    task = EditTask(
        root=root,
        path=path.relative_to(root).as_posix(),
        instruction=request.instruction or actions.STANDARD[0].instruction,
        selection=selection_of(request.range) if request.range else None,
        buffers=server.open_buffers(),
    )
    client = ProviderClient(await server.current_settings())
    progress = progress or Progress(server, "GLM: editing " + path.name)
    async with progress as report:
        try:
            engine = await server.engine_for(root)
            outcome = await run_edit(task, client, engine, on_progress=report)
        finally:
            await client.aclose()
        report("applying")
        proposal = _proposal(server, root, task.path, request.comment, outcome)
        progress.end_message = outcome.usage.describe()
    server.record_usage(outcome.usage, f"edit of {path.name}")
    return proposal


def _proposal(
    server: GlmServer, root: Path, path: str, comment: str, outcome: EditOutcome
) -> ProposedEdit:
    changes = outcome.changes
    if comment:
        changes = [_uncommented(c, path, comment) for c in changes]
    buffers = server.open_buffers()
    changes = rebase_changes(changes, lambda rel: buffers.get(str(root / rel)))
    encoding = encoding_name(server.position_encoding())
    versions = server.open_versions()
    edit = workspace_edit(root, changes, versions, encoding)
    files = [ProposedFile(_uri(root / c.path, versions), c.path, c.old, c.new) for c in changes]
    return ProposedEdit(edit, unified_diff_many(changes), outcome.usage, outcome.summary, files)


def _uri(path: Path, versions: dict[str, tuple[str, int]]) -> str:
    """The editor's own URI of an open document, else the file's URI."""
    if str(path) in versions:
        return versions[str(path)][0]
    return from_fs_path(str(path)) or path.as_uri()


def _uncommented(change: FileChange, path: str, comment: str) -> FileChange:
    if change.path != path or change.new is None:
        return change
    return replace(change, new=actions.without_comment(change.new, comment))
