"""The file tools offered to the model: their public schemas and how each one runs.

Names and argument names are a public contract (documented in the README). Tools act on an
in-memory `Overlay`; an error is returned to the model as the tool's result so it can retry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from glm_lsp.context.secrets import redact_secrets
from glm_lsp.edits.apply import apply_edit
from glm_lsp.edits.overlay import Overlay
from glm_lsp.edits.textedits import split_lines
from glm_lsp.errors import EditError
from glm_lsp.providers.types import ToolCall, ToolSpec

READ_LIMIT = 2000  # lines per read_file call; the model pages with start_line

READ_FILE = ToolSpec(
    name="read_file",
    description=(
        "Read a text file of the workspace. Each line is shown as '<line number>\\t<text>'; "
        "the numbers and the tab are not part of the file. Use start_line/end_line "
        "(1-based, inclusive) to read part of a long file."
    ),
    parameters={
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "Path relative to the workspace root."},
            "start_line": {"type": "integer", "minimum": 1},
            "end_line": {"type": "integer", "minimum": 1},
        },
        "required": ["path"],
    },
)

EDIT_FILE = ToolSpec(
    name="edit_file",
    description=(
        "Replace text in a file. old_string must match the file exactly (whitespace and "
        "indentation included, without line numbers) and exactly once, unless replace_all is "
        "true, which replaces every occurrence. Include enough surrounding lines to make the "
        "match unique."
    ),
    parameters={
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "Path relative to the workspace root."},
            "old_string": {"type": "string", "description": "The exact text to replace."},
            "new_string": {"type": "string", "description": "The text to put in its place."},
            "replace_all": {"type": "boolean", "default": False},
        },
        "required": ["path", "old_string", "new_string"],
    },
)

TOOLS = [READ_FILE, EDIT_FILE]


def _text(args: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = args.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise EditError(f"The argument '{name}' is required and must be a string.")
    return value


def _line(args: dict[str, Any], name: str) -> int | None:
    value = args.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise EditError(f"The argument '{name}' must be a positive whole number.")
    return max(1, int(value))


def read_file(overlay: Overlay, args: dict[str, Any]) -> str:
    """Numbered lines, so the model can refer to them; paged for long files."""
    path = _text(args, "path")
    text = redact_secrets(overlay.read(path))[0]  # what leaves the machine is scrubbed
    lines = [line.rstrip("\r\n") for line in split_lines(text)]
    start = _line(args, "start_line") or 1
    end = min(_line(args, "end_line") or len(lines), len(lines), start + READ_LIMIT - 1)
    if not lines:
        return f"({path} is empty)"
    if start > len(lines):
        raise EditError(f"{path} has only {len(lines)} lines; start_line {start} is past its end.")
    shown = "\n".join(f"{n}\t{lines[n - 1]}" for n in range(start, end + 1))
    if end < len(lines):
        shown += f"\n(lines {start}-{end} of {len(lines)}; read on with start_line={end + 1})"
    return shown


def edit_file(overlay: Overlay, args: dict[str, Any]) -> str:
    path = _text(args, "path")
    replace_all = args.get("replace_all") is True or str(args.get("replace_all")).lower() == "true"
    new_text = apply_edit(
        overlay.read(path),
        _text(args, "old_string"),
        _text(args, "new_string"),
        replace_all=replace_all,
        path=path,
    )
    overlay.write(path, new_text)
    return f"Edited {path}."


RUNNERS: dict[str, Callable[[Overlay, dict[str, Any]], str]] = {
    "read_file": read_file,
    "edit_file": edit_file,
}


def run_tool(call: ToolCall, overlay: Overlay) -> tuple[str, bool]:
    """Run one call; returns (result text for the model, whether it succeeded)."""
    runner = RUNNERS.get(call.name)
    if runner is None:
        return (
            f"Error: there is no tool named '{call.name}'. Use one of: {', '.join(RUNNERS)}.",
            False,
        )
    try:
        return runner(overlay, call.parsed_arguments()), True
    except (EditError, ValueError) as exc:
        return f"Error: {exc}", False
