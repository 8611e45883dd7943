"""Prompt text, kept as data so the loop stays about control flow."""

from __future__ import annotations

from dataclasses import dataclass

from glm_lsp.edits.textedits import split_lines

SYSTEM_TOOLS = """\
You are GLM, a careful senior engineer editing code inside the user's editor.
Change the code as the user asks, using the edit_file tool; read other files with read_file
only when you need them. Keep the change focused: touch only what the instruction needs,
keep the file's style, indentation and line endings. When you are done, answer with one or
two sentences saying what you changed, without repeating the code."""

SYSTEM_TEXT = """\
You are GLM, a careful senior engineer editing code inside the user's editor.
Change the code as the user asks. Keep the change focused: touch only what the instruction
needs, keep the file's style and indentation. You cannot call tools; write every change as a
SEARCH/REPLACE block as described below, then one or two sentences saying what you changed.
To read another file first, write only
<tool_call>read_file<arg_key>path</arg_key><arg_value>PATH</arg_value></tool_call>
and wait for its content.

{format}"""

SYSTEM_ASK = """\
You are GLM, a senior engineer answering questions about the user's code. Answer concisely
and concretely; use code blocks for code."""

DEFAULT_INSTRUCTION = (
    "Improve this code: fix any bugs you find and make it clearer, keeping its behaviour "
    "and its public interface."
)


@dataclass(frozen=True)
class Selection:
    """Lines the user selected, 1-based and inclusive."""

    start: int
    end: int


def edit_request(path: str, text: str, instruction: str, selection: Selection | None) -> str:
    """The user turn of an edit: the file, what is selected, then the instruction last."""
    parts = [
        f"File: {path}",
        f"```\n{text}{'' if text.endswith(chr(10)) or not text else chr(10)}```",
    ]
    if selection is not None:
        lines = split_lines(text)[selection.start - 1 : selection.end]
        parts.append(
            f"Selected lines {selection.start}-{selection.end} of {path}:\n```\n"
            + "\n".join(line.rstrip("\r\n") for line in lines)
            + "\n```\nChange only the selected lines unless the instruction needs more."
        )
    parts.append(f"Instruction: {instruction}")
    return "\n\n".join(parts)


def ask_request(question: str, path: str | None, text: str | None) -> str:
    if path is None or text is None:
        return question
    return f"File: {path}\n```\n{text}\n```\n\n{question}"


def retry_text_edits(errors: list[str]) -> str:
    """Told to a text-format model whose blocks did not apply."""
    return (
        "Some of your SEARCH/REPLACE blocks could not be applied, so none of that reply was "
        "kept:\n\n" + "\n\n".join(errors) + "\n\nWrite the corrected blocks again; the SEARCH "
        "part must match the current file exactly."
    )
