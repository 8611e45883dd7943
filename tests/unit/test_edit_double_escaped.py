"""Tool arguments JSON-escaped twice (issue 10, round 12): read once more as JSON strings
only when they cannot be meant as they came and stand in the file once read so."""

from __future__ import annotations

from glm_lsp.edits.apply import apply_edit
from helpers import refusal

PY = 'def greet(name):\n    print("hi", name)\n    return name\n'


def test_an_edit_escaped_twice_is_read_as_meant() -> None:
    old = '    print(\\"hi\\", name)\\n    return name\\n'
    new = '    print(\\"hello\\", name)\\n    return name\\n'
    assert apply_edit(PY, old, new, path="m.py") == PY.replace('"hi"', '"hello"')
    crlf = PY.replace("\n", "\r\n")
    assert apply_edit(crlf, old, new, path="m.py") == crlf.replace('"hi"', '"hello"')


def test_escapes_the_file_has_as_written_are_its_own() -> None:
    c = 'puts("a\\n");\nputs("b\\n");\n'
    assert apply_edit(c, 'puts("a\\n");', 'puts("A\\n");', path="m.c") == (
        'puts("A\\n");\nputs("b\\n");\n'
    )


def test_a_one_line_quote_whose_new_lines_end_escaped_is_refused() -> None:
    # underscore's .gitignore, one line without a break, appended to by an edit escaped
    # twice: nothing in "raw" says whether "\n" is a line break or a backslash and an n.
    assert refusal(apply_edit, "raw", "raw", "raw\\nnode_modules\\n", path=".gitignore") == (
        "new_string has no line break but ends with \\n written out (a backslash and an n), "
        "as a tool argument escaped twice does, so what it means is unclear. Send it with "
        "real line breaks; if its line is to end with a backslash and an n, put the line "
        "break after them in it too."
    )
    assert apply_edit("raw", "raw", "raw\nnode_modules\n", path=".gitignore") == (
        "raw\nnode_modules\n"
    )
    c = 'puts("a");\n'
    assert apply_edit(c, 'puts("a");', 'puts("a\\n");', path="m.c") == 'puts("a\\n");\n'
    assert apply_edit(c, 'puts("a");', "puts(a) \\\\n", path="m.c") == "puts(a) \\\\n\n"


def test_a_one_line_quote_whose_new_line_has_an_escaped_break_outside_quotes_is_refused() -> None:
    # chai's .gitignore, its one line without a last line break, appended to by an edit
    # escaped twice: the "\n" stands between the lines, not at the end. In quotes, it is
    # a string's escape, written as it came.
    gitignore = ".settings.xml"
    new = ".settings.xml\\nnode_modules/"
    assert refusal(apply_edit, gitignore, gitignore, new, path=".gitignore").startswith(
        "new_string has no line break but \\n written out (a backslash and an n) outside any "
        "quotes, as a tool argument escaped twice does, so what it means is unclear."
    )
    c = 'puts("a");\n'
    assert apply_edit(c, 'puts("a");', 'puts("a\\nb");', path="m.c") == 'puts("a\\nb");\n'
