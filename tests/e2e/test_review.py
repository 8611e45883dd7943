"""Hunk-by-hunk review over LSP: accept one hunk of two, then revise with feedback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lsprotocol import types
from test_lsp import connect, disconnect

from helpers import make_repo
from provider_server import ProviderServer, Turn

LONG = "".join(f"x{n} = {n}\n" for n in range(1, 21))
BOTH = LONG.replace("x2 = 2\n", "x2 = 20\n").replace("x18 = 18\n", "x18 = 180\n")


def _edit(old: str, new: str) -> Turn:
    args = {"path": "long.py", "old_string": old, "new_string": new}
    return Turn(tool_calls=[("edit_file", args)])


async def test_accept_one_hunk_then_revise_with_feedback(
    provider_server: Callable[..., ProviderServer], tmp_path: Path
) -> None:
    provider = provider_server("hyperstack")
    root = make_repo(tmp_path / "ws", {"long.py": LONG})
    session = await connect("visual-studio-code", provider, root)
    try:
        uri = session.open("long.py")
        provider.script(
            _edit("x2 = 2\n", "x2 = 20\n"), _edit("x18 = 18\n", "x18 = 180\n"), Turn(content="ok")
        )
        await session.command("glm.edit", uri=uri, instruction="scale", preview=True, show=False)
        await session.until(lambda: bool(session.previews))
        (preview,) = session.previews
        hunks = [(h.id, h.path, h.start, h.end, h.whole) for h in preview.hunks]
        assert hunks == [("1", "long.py", 0, 5, False), ("2", "long.py", 14, 20, False)]
        lines = preview.diff.split("\n")
        assert [lines[h.line] for h in preview.hunks] == ["@@ -1,5 +1,5 @@", "@@ -15,6 +15,6 @@"]

        accepted = await session.command("glm.accept", token=preview.token, hunks=["1"])
        assert accepted == {"applied": True}
        (applied,) = session.applied
        (change,) = applied.edit.document_changes or []
        assert isinstance(change, types.TextDocumentEdit)
        assert change.text_document.version == 1
        assert [(e.range.start.line, e.new_text) for e in change.edits] == [(1, "x2 = 20\n")]
        after_first = LONG.replace("x2 = 2\n", "x2 = 20\n")
        session.client.text_document_did_change(  # the editor applied it: version 2
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=after_first)],
            )
        )
        assert await session.command("glm.reject", token=preview.token, hunks=["2"]) == {
            "rejected": True
        }

        provider.script(_edit("x18 = 180\n", "x18 = 18.0\n"), Turn(content="Now a float."))
        revised = await session.command(
            "glm.revise", token=preview.token, feedback="make x18 a float instead", show=False
        )
        await session.until(lambda: len(session.previews) == 2)
    finally:
        await disconnect(session)
    new = session.previews[1]
    assert new.task == revised["task"] and new.token != preview.token
    assert new.files[0].old == after_first
    assert new.files[0].new == after_first.replace("x18 = 18\n", "x18 = 18.0\n")
    assert [h.id for h in new.hunks] == ["1"]
    asked = provider.requests[3].body["messages"]
    assert asked[: len(provider.requests[2].body["messages"])] == provider.requests[2].body[
        "messages"
    ]  # the same conversation, continued
    feedback = asked[-1]
    assert feedback["role"] == "user"
    assert "Their feedback:\n\nmake x18 a float instead" in feedback["content"]
    assert "-x18 = 18\n+x18 = 180" in feedback["content"]  # the hunk turned down
