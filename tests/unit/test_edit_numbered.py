"""Lines copied with their line numbers (issue 10): read without them only when the
numbers count up from the very line the quoted text stands on; otherwise refused."""

from __future__ import annotations

import pytest

from glm_lsp.edits.apply import BLOCK_TERMS, apply_edit
from glm_lsp.edits.search_replace import SearchReplace, apply_search_replace
from glm_lsp.errors import EditError

PY = "import os\n\n\ndef scale(x):\n    a = 1\n    return a * x\n"


def test_read_file_numbers_on_both_sides_are_dropped() -> None:
    old = "5\t    a = 1\n6\t    return a * x\n"
    new = "5\t    a = 2\n6\t    return a * x\n"
    assert apply_edit(PY, old, new, path="m.py") == (
        "import os\n\n\ndef scale(x):\n    a = 2\n    return a * x\n"
    )


def test_an_outline_gutter_in_a_search_section_is_dropped() -> None:
    block = SearchReplace("m.py", "    4│ def scale(x):\n", "def scale(x: float):\n")
    assert apply_search_replace(PY, block) == (
        "import os\n\n\ndef scale(x: float):\n    a = 1\n    return a * x\n"
    )


def test_the_numbers_of_a_refusals_closest_lines_are_dropped() -> None:
    old = "4 | def scale(x):\n5 |     a = 1\n"
    assert apply_edit(PY, old, "def scale(x):\n    a = 5\n", path="m.py") == (
        "import os\n\n\ndef scale(x):\n    a = 5\n    return a * x\n"
    )


def test_numbers_that_do_not_name_the_quoted_lines_are_not_dropped() -> None:
    with pytest.raises(EditError) as caught:
        apply_edit(PY, "4\t    a = 1\n", "    a = 3\n", path="m.py", terms=BLOCK_TERMS)
    assert str(caught.value).startswith("The SEARCH section was not found in m.py;")


def test_numbers_that_skip_a_line_are_not_dropped() -> None:
    with pytest.raises(EditError):
        apply_edit(PY, "4\tdef scale(x):\n6\t    return a * x\n", "x\n", path="m.py")


def test_a_numbered_file_is_edited_as_written() -> None:
    """In a table whose rows start with numbers, the quote matches as it is."""
    tsv = "1\tapple\n2\tpear\n"
    assert apply_edit(tsv, "2\tpear\n", "2\tplum\n", path="fruit.tsv") == "1\tapple\n2\tplum\n"


def test_new_lines_keep_numbers_of_their_own_when_not_all_are_numbered() -> None:
    """A compiler's expected output quotes source lines as "13 | ..." (serde's .stderr)."""
    stderr = "error: expected `,`\n13 |     json!({ a })\n"
    old = "1\terror: expected `,`\n2\t13 |     json!({ a })\n"
    new = "error: no rules expected `,`\n13 |     json!({ a })\n"
    assert apply_edit(stderr, old, new, path="t.stderr") == new
