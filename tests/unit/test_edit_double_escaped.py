"""Tool arguments JSON-escaped twice (issue 10, round 12): read once more as JSON strings
only when they cannot be meant as they came and stand in the file once read so."""

from __future__ import annotations

from glm_lsp.edits.apply import apply_edit

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
