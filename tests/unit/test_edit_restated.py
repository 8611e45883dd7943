"""A replacement that writes again the lines next to what it replaces (issue 10) is
refused, so those lines never stand twice; repeated "}" and blank lines say nothing."""

from __future__ import annotations

from glm_lsp.edits.apply import apply_edit
from glm_lsp.edits.search_replace import SearchReplace, apply_search_replace
from helpers import refusal

PY = 'def total(items):\n    value = sum(items)\n    log(f"{value}")\n    return value\n'


def test_a_replacement_that_goes_on_with_the_following_lines_is_refused() -> None:
    old = "    value = sum(items)\n"
    new = '    value = sum(items, 0)\n    log(f"{value}")\n'
    assert refusal(apply_edit, PY, old, new, path="m.py") == (
        "The edit to m.py was not applied: new_string ends with the file's 1 line after it "
        "(from line 3, 'log(f\"{value}\")'), so applying it would write them twice. Leave those "
        "lines out of it, or quote them in what it replaces too."
    )


def test_a_replace_section_that_begins_with_the_lines_before_is_refused() -> None:
    block = SearchReplace(
        "m.py", '    log(f"{value}")\n', "    value = sum(items)\n    print(value)\n"
    )
    assert refusal(apply_search_replace, PY, block) == (
        "The edit to m.py was not applied: the REPLACE section begins with the file's 1 line "
        "before it (up to line 2, 'value = sum(items)'), so applying it would write them "
        "twice. Leave those lines out of it, or quote them in what it replaces too."
    )


def test_a_new_block_ending_like_the_next_one_is_applied() -> None:
    go = "if a {\n\tf()\n}\n"
    assert apply_edit(go, "if a {\n\tf()\n}\n", "if a {\n\tf()\n}\nif b {\n\tg()\n}\n") == (
        "if a {\n\tf()\n}\nif b {\n\tg()\n}\n"
    )
    assert apply_edit(PY, "    return value\n", "    return value\n\n") == (
        'def total(items):\n    value = sum(items)\n    log(f"{value}")\n    return value\n\n'
    )


CASES = "CASES = [\n    // one week\n    'a week',\n    // one week\n    'a week',\n    // two weeks\n    '2 weeks',\n];\n"


def test_lines_written_twice_where_the_file_has_them_before_the_quote_too_are_refused() -> None:
    """Carbon's tests: a case stands twice in a row; a replacement of the second and the
    next begins with the case twice. It restates the first copy or adds a third; the
    quote beginning so does not make it the quote's own."""
    old = "    // one week\n    'a week',\n    // two weeks\n    '2 weeks',\n"
    new = "    // one week\n    'a week',\n" + old.replace("'2 weeks'", "'two weeks'")
    assert "begins with the file's 2 lines before it (up to line 3" in refusal(
        apply_edit, CASES, CASES[CASES.index(old) :][: len(old)], new, path="t.php"
    )
    # The same change where the lines before the quote are others adds a copy, as written.
    other = CASES.replace("    // one week\n    'a week',\n", "", 1)
    assert apply_edit(other, old, new, path="t.php") == other.replace(old, new)
    # A quote that ends with a line twice, and a replacement that keeps both, where the
    # file has the line a third time after them (AutoMapper's tests), restates nothing.
    tree = "void Init()\n{\n    Add(4);\n    Add(4);\n    Add(4);\n}\n"
    quote = "void Init()\n{\n    Add(4);\n    Add(4);\n"
    kept = quote.replace("Init()", "Setup()")
    assert apply_edit(tree, quote, kept, path="t.cs") == tree.replace("Init()", "Setup()")
