"""One edit from the editor's point of view: check the document, run the assistant's edit,
and turn its proposed change into a WorkspaceEdit pinned to the versions the editor has now."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path

from glm_lsp.assistant import (
    DEFAULT_INSTRUCTION,
    Cancelled,
    EditRequest,
    Event,
    Failed,
    FileChange,
    Notice,
    Progress,
    ProposedChange,
    Usage,
    UsageReport,
    hunks_of,
    partial_message,
    select,
    step,
    unified_diff_many,
    with_diff_lines,
)
from glm_lsp.errors import GlmError
from glm_lsp.lsp.convert import encoding_name, lines_of, workspace_edit
from glm_lsp.lsp.progress import Progress as ProgressUI
from glm_lsp.lsp.protocol import EditArgs, PreviewFile, PreviewHunk
from glm_lsp.lsp.server import GlmServer


@dataclass
class ProposedEdit:
    edit: types.WorkspaceEdit
    diff: str
    usage: Usage
    summary: str
    files: list[PreviewFile]
    failed: list[str]  # edits the model tried and did not make
    root: Path = Path()
    changes: list[FileChange] = field(default_factory=list)
    hunks: list[PreviewHunk] = field(default_factory=list)
    draft: str = ""  # the assistant's draft, for glm.revise
    taken: set[str] = field(default_factory=set)  # hunk ids accepted so far
    turned_down: set[str] = field(default_factory=set)  # hunk ids rejected so far

    def hunk_ids(self) -> set[str]:
        return {hunk.id for hunk in self.hunks}

    def rejected_diff(self) -> str:
        """The hunks the user turned down (or, when they took some, the ones left)."""
        left = self.turned_down or (self.hunk_ids() - self.taken if self.taken else set())
        return unified_diff_many(select(self.changes, left)) if left else ""

    def complete_edit(self) -> types.WorkspaceEdit:
        """The edit to apply without a preview; a partial one is refused, naming what failed."""
        if self.failed:
            raise GlmError(partial_message(self.failed, "nothing was applied"))
        return self.edit


async def propose_edit(
    server: GlmServer, args: EditArgs, progress: ProgressUI | None = None
) -> ProposedEdit:
    """Run the assistant on the document and range of `args`; raise its failure."""
    request = _request(server, args)
    await confirm_scope(server, request.root / request.path)
    name = Path(request.path).name
    progress = progress or ProgressUI(server, "GLM: editing " + name)
    return await proposed(server, server.assistant.edit(request), name, progress)


async def proposed(
    server: GlmServer, events: AsyncIterator[Event], name: str, progress: ProgressUI
) -> ProposedEdit:
    """The proposal an edit (or a revise) ends with; its failure raised."""
    proposal: ProposedEdit | None = None
    usage = Usage()
    async with progress as report:
        async for event in events:
            if isinstance(event, Progress):
                report(event.message)
            elif isinstance(event, Notice):
                server.notice(event.message)
            elif isinstance(event, ProposedChange):
                proposal = _proposal(server, event)
            elif isinstance(event, UsageReport):
                progress.end_message = event.usage.describe()
                usage = event.usage
        raise_failure(event)
    server.log_usage(usage, f"edit of {name}")
    assert proposal is not None
    proposal.usage = usage
    return proposal


async def confirm_scope(server: GlmServer, path: Path) -> None:
    """A file outside every workspace folder is sent only after the user says so: opening
    a stray file must not be enough to ship it to a provider."""
    if server.in_workspace(path):
        return
    send = types.MessageActionItem(title="Send")
    answer = await server.window_show_message_request_async(
        types.ShowMessageRequestParams(
            type=types.MessageType.Warning,
            message=f"GLM: {path} is outside every workspace folder; send it to the provider?",
            actions=[send, types.MessageActionItem(title="Cancel")],
        )
    )
    if answer is None or answer.title != send.title:
        raise GlmError(f"{path.name} is outside every workspace folder and was not sent.")


def raise_failure(event: Event) -> None:
    """The last event of an operation, as the exception the LSP layer expects."""
    if isinstance(event, Failed):
        raise GlmError(event.message, detail=event.detail)
    if isinstance(event, Cancelled):
        raise asyncio.CancelledError()


async def drain(events: AsyncIterator[Event]) -> list[Event]:
    """Every event of an operation; its failure raised."""
    seen = [event async for event in events]
    raise_failure(seen[-1])
    return seen


def _request(server: GlmServer, args: EditArgs) -> EditRequest:
    doc = server.workspace.get_text_document(args.uri)
    if not doc.path:
        raise GlmError(f"{args.uri} is not a file on disk; glm-lsp edits files only.")
    path = Path(doc.path)
    if args.version is not None and doc.version != args.version:
        raise GlmError(f"{path.name} changed since the action was offered; run it again.")
    root = server.root_for(path)
    return EditRequest(
        root=root,
        path=path.relative_to(root).as_posix(),
        instruction=args.instruction or DEFAULT_INSTRUCTION,
        lines=lines_of(args.range),
        buffers=server.open_buffers,
        comment=args.comment,
    )


def _proposal(server: GlmServer, change: ProposedChange) -> ProposedEdit:
    encoding = encoding_name(server.position_encoding())
    versions = server.open_versions()
    edit = workspace_edit(change.root, change.changes, versions, encoding)
    files = [
        PreviewFile(_uri(change.root / c.path, versions), c.path, c.old, c.new)
        for c in change.changes
    ]
    hunks = [
        PreviewHunk(
            h.id,
            _uri(change.root / h.path, versions),
            h.path,
            h.line,
            h.new_start - 1,
            h.new_start - 1 + h.new_lines,
            h.whole_file,
        )
        for h in with_diff_lines(hunks_of(change.changes), change.diff)
    ]
    return ProposedEdit(
        edit,
        change.diff,
        Usage(),
        change.summary,
        files,
        change.failed,
        change.root,
        change.changes,
        hunks,
        change.draft,
    )


def hunk_edit(server: GlmServer, proposal: ProposedEdit, ids: set[str]) -> types.WorkspaceEdit:
    """The edit that takes hunks `ids` of a preview, after those taken already; pinned to
    the versions the editor has now, once their text is checked to be what was proposed."""
    unknown = ids - proposal.hunk_ids()
    if unknown:
        raise GlmError(f"The preview has no hunk {', '.join(sorted(unknown))}.")
    changes = step(proposal.changes, proposal.taken, ids - proposal.taken)
    buffers = server.open_buffers()
    for change in changes:
        now = buffers.get(str(proposal.root / change.path))
        if now is not None and change.old is not None and now != change.old:
            raise GlmError(f"{change.path} changed since the preview; revise or ask again.")
    encoding = encoding_name(server.position_encoding())
    return workspace_edit(proposal.root, changes, server.open_versions(), encoding)


def _uri(path: Path, versions: dict[str, tuple[str, int]]) -> str:
    """The editor's own URI of an open document, else the file's URI."""
    if str(path) in versions:
        return versions[str(path)][0]
    return from_fs_path(str(path)) or path.as_uri()
