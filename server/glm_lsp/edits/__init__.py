"""File edits, independent of the LSP: apply, parse, diff, convert to ranges, overlay.

The agent's tools change an in-memory `Overlay`; `apply_edit` and the SEARCH/REPLACE
parser make the changes; `unified_diff` and `minimal_changes` turn the results into what
the user sees (a git diff) and what the editor applies (minimal ranged text changes).
"""

from glm_lsp.edits.apply import apply_edit, match_line_endings
from glm_lsp.edits.diff import unified_diff, unified_diff_many
from glm_lsp.edits.overlay import FileChange, Overlay
from glm_lsp.edits.search_replace import (
    PROMPT,
    SearchReplace,
    apply_search_replace,
    parse_search_replace,
)
from glm_lsp.edits.textedits import (
    ENCODINGS,
    Position,
    TextChange,
    apply_changes,
    code_units,
    minimal_changes,
    offset_to_position,
    position_to_offset,
    split_lines,
)

__all__ = [
    "ENCODINGS",
    "PROMPT",
    "FileChange",
    "Overlay",
    "Position",
    "SearchReplace",
    "TextChange",
    "apply_changes",
    "apply_edit",
    "apply_search_replace",
    "code_units",
    "match_line_endings",
    "minimal_changes",
    "offset_to_position",
    "parse_search_replace",
    "position_to_offset",
    "split_lines",
    "unified_diff",
    "unified_diff_many",
]
