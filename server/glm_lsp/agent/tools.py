"""The file tools offered to the model: their public schemas and how each one runs.

Names and argument names are a public contract (documented in the README). Tools act on an
in-memory `Overlay` of the workspace, never on disk; what they return is scrubbed of
secrets; an error goes back to the model as the tool's result so it can retry.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from glm_lsp.context.engine import ContextEngine
from glm_lsp.context.secrets import redact_secrets
from glm_lsp.edits.apply import apply_edit
from glm_lsp.edits.overlay import Overlay
from glm_lsp.edits.patch import apply_patch
from glm_lsp.edits.textedits import split_lines
from glm_lsp.errors import EditError, GlmError
from glm_lsp.providers.glm_markup import unpaired_tag
from glm_lsp.providers.types import ToolCall, ToolSpec

READ_LIMIT = 2000  # lines per read_file call; the model pages with start_line
LIST_LIMIT = 500
SEARCH_LIMIT = 200


@dataclass
class Workspace:
    """What the tools act on: the overlay (writes) and the context engine (file set, index)."""

    overlay: Overlay
    engine: ContextEngine | None = None

    def files(self) -> list[str]:
        """The files the model may see: the engine's file set plus files created in this task."""
        listed = set(self.engine.files) if self.engine else set()
        for change in self.overlay.changes():
            if change.new is None:
                listed.discard(change.path)
            else:
                listed.add(change.path)
            if change.renamed_from:
                listed.discard(change.renamed_from)
        return sorted(listed)


def _path(description: str = "Path relative to the workspace root.") -> dict[str, str]:
    return {"type": "string", "description": description}


def _spec(name: str, description: str, properties: dict[str, Any], required: list[str]) -> ToolSpec:
    return ToolSpec(
        name, description, {"type": "object", "properties": properties, "required": required}
    )


READ_FILE = _spec(
    "read_file",
    "Read a text file of the workspace. Each line is shown as '<line number>\\t<text>'; the "
    "numbers and the tab are not part of the file. Use start_line/end_line (1-based, "
    "inclusive) to read part of a long file.",
    {
        "path": _path(),
        "start_line": {"type": "integer", "minimum": 1},
        "end_line": {"type": "integer", "minimum": 1},
    },
    ["path"],
)
LIST_FILES = _spec(
    "list_files",
    "List the workspace's files (secret and ignored files are never listed), optionally only "
    "under a folder and/or matching a glob such as '*.py' or 'src/**/test_*.ts'.",
    {"path": _path("A folder relative to the workspace root."), "glob": {"type": "string"}},
    [],
)
SEARCH = _spec(
    "search",
    "Search the workspace's files for a regular expression (Python syntax); returns "
    "'path:line: text' for each matching line.",
    {
        "pattern": {"type": "string"},
        "glob": {"type": "string", "description": "Only files matching this glob."},
    },
    ["pattern"],
)
FIND_SYMBOL = _spec(
    "find_symbol",
    "Find where a function, class, method or type is defined: its file, line and signature.",
    {"name": {"type": "string"}},
    ["name"],
)
EDIT_FILE = _spec(
    "edit_file",
    "Replace text in a file. old_string must match the file (without line numbers) and match "
    "exactly once, unless replace_all is true, which replaces every occurrence. Include "
    "enough surrounding lines to make the match unique.",
    {
        "path": _path(),
        "old_string": {"type": "string", "description": "The text to replace."},
        "new_string": {"type": "string", "description": "The text to put in its place."},
        "replace_all": {"type": "boolean", "default": False},
    },
    ["path", "old_string", "new_string"],
)
CREATE_FILE = _spec(
    "create_file",
    "Create a new file with the given content. Fails if the file exists: use edit_file then.",
    {"path": _path(), "content": {"type": "string"}},
    ["path", "content"],
)
DELETE_FILE = _spec("delete_file", "Delete a file.", {"path": _path()}, ["path"])
RENAME_FILE = _spec(
    "rename_file",
    "Move or rename a file to a path that does not exist yet.",
    {"path": _path(), "new_path": _path("The new path, relative to the workspace root.")},
    ["path", "new_path"],
)
APPLY_PATCH = _spec(
    "apply_patch",
    "Apply a unified diff (one or many files; '--- a/path' / '+++ b/path' headers, "
    "/dev/null to create or delete). Hunks are located by their content, so line numbers "
    "may be approximate; every hunk must match one place, or nothing is applied.",
    {"patch": {"type": "string"}},
    ["patch"],
)

TOOLS = [
    READ_FILE,
    LIST_FILES,
    SEARCH,
    FIND_SYMBOL,
    EDIT_FILE,
    CREATE_FILE,
    DELETE_FILE,
    RENAME_FILE,
    APPLY_PATCH,
]


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


def _glob_matches(rel: str, pattern: str) -> bool:
    """A glob with '/' matches the whole path ('**' spans folders); without, the file name."""
    if "/" not in pattern:
        return fnmatch.fnmatch(rel.rsplit("/", 1)[-1], pattern)
    return fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern.replace("**/", ""))


def read_file(ws: Workspace, args: dict[str, Any]) -> str:
    """Numbered lines, so the model can refer to them; paged for long files."""
    path = _text(args, "path")
    text = redact_secrets(ws.overlay.read(path))[0]  # what leaves the machine is scrubbed
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


def _listed(ws: Workspace, folder: str, glob: str) -> Iterator[str]:
    prefix = folder.strip("/").removeprefix("./")
    prefix = "" if prefix in ("", ".") else prefix + "/"
    for rel in ws.files():
        if rel.startswith(prefix) and (not glob or _glob_matches(rel, glob)):
            yield rel


def list_files(ws: Workspace, args: dict[str, Any]) -> str:
    found = list(
        _listed(ws, _text(args, "path", required=False), _text(args, "glob", required=False))
    )
    if not found:
        return "No files match."
    more = (
        f"\n({len(found) - LIST_LIMIT} more not shown; narrow path or glob)"
        if len(found) > LIST_LIMIT
        else ""
    )
    return "\n".join(found[:LIST_LIMIT]) + more


def search(ws: Workspace, args: dict[str, Any]) -> str:
    try:
        pattern = re.compile(_text(args, "pattern"))
    except re.error as exc:
        raise EditError(f"the pattern is not a valid regular expression ({exc}).") from exc
    hits: list[str] = []
    for rel in _listed(ws, "", _text(args, "glob", required=False)):
        try:
            text = ws.overlay.read(rel)
        except EditError:
            continue  # binary or vanished: not searchable
        for number, line in enumerate(split_lines(text), 1):
            if pattern.search(line):
                hits.append(f"{rel}:{number}: {redact_secrets(line.rstrip())[0][:300]}")
                if len(hits) >= SEARCH_LIMIT:
                    return (
                        "\n".join(hits)
                        + f"\n(stopped at {SEARCH_LIMIT} matches; narrow the search)"
                    )
    return "\n".join(hits) if hits else "No matches."


def find_symbol(ws: Workspace, args: dict[str, Any]) -> str:
    name = _text(args, "name")
    if ws.engine is None:
        raise EditError("the symbol index is not available; use search instead.")
    found = [
        f"{rel}:{tag.line + 1}: {tag.category} {redact_secrets(tag.signature or tag.name)[0]}"
        for rel in sorted(ws.engine.graph.defining(name))
        for tag in ws.engine.graph.definitions(rel)
        if tag.name == name
    ]
    return "\n".join(found) if found else f"No definition of {name} found; try search."


def edit_file(ws: Workspace, args: dict[str, Any]) -> str:
    path = _text(args, "path")
    replace_all = args.get("replace_all") is True or str(args.get("replace_all")).lower() == "true"
    old, new = _text(args, "old_string"), _text(args, "new_string")
    text = ws.overlay.read(path)
    before = ws.overlay.original(path)
    text = apply_edit(text, old, new, replace_all=replace_all, path=path, before=before)
    ws.overlay.write(path, text)
    return f"Edited {path}."


def create_file(ws: Workspace, args: dict[str, Any]) -> str:
    path = _text(args, "path")
    if ws.overlay.exists(path):
        raise EditError(f"{path} already exists; change it with edit_file instead.")
    ws.overlay.write(path, _text(args, "content"))
    return f"Created {path}."


def delete_file(ws: Workspace, args: dict[str, Any]) -> str:
    path = _text(args, "path")
    ws.overlay.delete(path)
    return f"Deleted {path}."


def rename_file(ws: Workspace, args: dict[str, Any]) -> str:
    path, target = _text(args, "path"), _text(args, "new_path")
    ws.overlay.rename(path, target)
    return f"Renamed {path} to {target}."


def apply_patch_tool(ws: Workspace, args: dict[str, Any]) -> str:
    results = apply_patch(ws.overlay.text_or_none, _text(args, "patch"))
    for result in results:
        if result.renamed_from:
            ws.overlay.rename(result.renamed_from, result.path)
        if result.new is None:
            ws.overlay.delete(result.path)
        else:
            ws.overlay.write(result.path, result.new)
    return "Applied the patch to " + ", ".join(r.path for r in results) + "."


RUNNERS: dict[str, Callable[[Workspace, dict[str, Any]], str]] = {
    "read_file": read_file,
    "list_files": list_files,
    "search": search,
    "find_symbol": find_symbol,
    "edit_file": edit_file,
    "create_file": create_file,
    "delete_file": delete_file,
    "rename_file": rename_file,
    "apply_patch": apply_patch_tool,
}
WRITING = frozenset({"edit_file", "create_file", "delete_file", "rename_file", "apply_patch"})


def _strings(value: object) -> Iterator[str]:
    """Every string in decoded JSON arguments."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def describe_call(call: ToolCall) -> str:
    """One line for the user: the tool and what it looks at, e.g. `search "def main"`."""
    try:
        args = call.parsed_arguments()
    except ValueError:
        return call.name
    for key in ("path", "pattern", "name"):
        if isinstance(args.get(key), str) and args[key]:
            value = args[key] if key == "path" else f'"{args[key]}"'
            return f"{call.name} {value}"
    return call.name


def run_tool(call: ToolCall, ws: Workspace) -> tuple[str, bool]:
    """Run one call; returns (result text for the model, whether it succeeded)."""
    runner = RUNNERS.get(call.name)
    if runner is None:
        return (
            f"Error: there is no tool named '{call.name}'. Use one of: {', '.join(RUNNERS)}.",
            False,
        )
    try:
        args = call.parsed_arguments()
        garbled = next(filter(None, map(unpaired_tag, _strings(args))), None)
        if garbled is not None:
            return (
                f"Error: the arguments of {call.name} hold GLM's tool-call markup that does not "
                f"pair up ({garbled}), so the call was garbled on its way here and nothing was "
                "done. Send the call again with plain argument values.",
                False,
            )
        return runner(ws, args), True
    except (GlmError, ValueError) as exc:
        return f"Error: {exc}", False
    except OSError as exc:  # a path the system refuses: too long, a bad name, no permission
        reason = (exc.strerror or type(exc).__name__).lower()
        return (
            f"Error: {call.name} failed ({reason}); use a shorter, ordinary path relative "
            "to the workspace root.",
            False,
        )
    except RecursionError:
        return f"Error: the arguments of {call.name} are nested too deeply to handle.", False
