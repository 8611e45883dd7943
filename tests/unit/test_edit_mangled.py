"""Edits whose text came back mangled (issue 10), HTML-escaped or with typographic quotes:
read back when the quote cannot stand in the file as written, refused when only the new
text is mangled and nothing tells."""

from __future__ import annotations

from glm_lsp.edits.apply import apply_edit
from glm_lsp.edits.patch import apply_patch
from glm_lsp.edits.search_replace import SearchReplace, apply_search_replace
from helpers import refusal

PY = 'def check(a, b) -> bool:\n    if a < b:\n        return "low"\n    return a & b\n'


def test_an_escaped_quote_is_read_unescaped_with_its_replacement() -> None:
    old = "def check(a, b) -&gt; bool:\n    if a &lt; b:\n"
    new = "def check(a, b) -&gt; bool:\n    if a &lt;= b:\n"
    assert apply_edit(PY, old, new, path="m.py") == PY.replace("a < b", "a <= b")


def test_one_level_is_undone() -> None:
    """`&amp;lt;` is what escaping makes of a `&lt;` the text really has."""
    html = "<p>a &lt; b</p>\n<p>done</p>\n"
    old = "&lt;p&gt;a &amp;lt; b&lt;/p&gt;\n"
    new = "&lt;p&gt;a &amp;lt;= b&lt;/p&gt;\n"
    assert apply_edit(html, old, new, path="t.html") == "<p>a &lt;= b</p>\n<p>done</p>\n"


def test_escaped_context_in_a_block_and_a_hunk() -> None:
    block = SearchReplace("m.py", '        return &quot;low&quot;\n', '        return &quot;lower&quot;\n')
    assert apply_search_replace(PY, block) == PY.replace('"low"', '"lower"')
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -2,3 +2,3 @@\n"
        "     if a &lt; b:\n"
        '         return "low"\n'
        "-    return a &amp; b\n"
        "+    return a &amp; b &amp; 1\n"
    )
    [result] = apply_patch(lambda path: PY if path == "m.py" else None, diff)
    assert result.new == PY.replace("return a & b", "return a & b & 1")


def test_escaped_new_lines_under_a_plain_quote_are_refused_in_code() -> None:
    message = refusal(apply_edit, PY, '        return "low"\n', "        return a &lt; 0\n", path="m.py")
    assert message == (
        "The edit to m.py writes '&lt;' in new_string, which appears nowhere in m.py: the "
        "text looks HTML-escaped. Write the characters themselves ('<' for '&lt;') as they "
        "should stand in the file, and send the edit again."
    )


def test_entities_the_file_has_are_its_own() -> None:
    text = 'ESCAPES = {"<": "&lt;"}\n'
    new = 'ESCAPES = {"<": "&lt;", "&": "&amp;"}\n'
    assert apply_edit(text, text, new, path="m.py") == new


def test_a_markup_file_may_get_its_first_entity() -> None:
    html = "<p>a or b</p>\n"
    assert apply_edit(html, "a or b", "a &amp; b", path="t.html") == "<p>a &amp; b</p>\n"


def test_a_quoted_line_the_file_has_only_unescaped_is_read_unescaped() -> None:
    """The file has '&lt;' of its own, so the entity alone proves nothing; the line does."""
    text = 'HTML = "&lt;b&gt;"\nif a < b:\n    pass\n'
    old, new = "if a &lt; b:\n    pass\n", "if a &lt; b:\n    return\n"
    assert apply_edit(text, old, new, path="m.py") == 'HTML = "&lt;b&gt;"\nif a < b:\n    return\n'


def test_new_lines_escaped_where_the_file_writes_the_character_are_refused() -> None:
    text = "H = '&quot;'\nopts = {'a' => 1}\n"
    message = refusal(apply_edit, text, "opts = {'a' => 1}\n", "opts = {'a' =&gt; 2}\n", path="t.rb")
    assert message == (
        "The edit to t.rb writes '&gt;' in new_string, and t.rb never has it beside the same "
        "characters: the text may be HTML-escaped. Write the characters themselves ('>' for "
        "'&gt;') as they should stand in the file, and send the edit again."
    )


def test_typographic_quotes_in_the_quote_are_read_back_in_the_new_lines_too() -> None:
    old = "        return \u201clow\u201d\n"
    new = "        return \u201clow: \u2018%s\u2019\u201d % a\n"
    assert apply_edit(PY, old, new, path="m.py") == PY.replace(
        '"low"', '"low: \'%s\'" % a'
    )


def test_typographic_quotes_only_in_new_text_are_refused_unless_the_file_has_them() -> None:
    message = refusal(apply_edit, PY, "    return a & b\n", "    return \u201cx\u201d\n", path="m.py")
    assert message == (
        "The edit to m.py writes '\u201c' in new_string, which appears nowhere in m.py: the "
        "text looks rewritten with typographic quotes. Write the characters themselves "
        "('\"' for '\u201c') as they should stand in the file, and send the edit again."
    )
    readme = "# \u201cTitle\u201d\n\nSome text.\n"  # a document that has them already
    assert apply_edit(readme, "Some text.", "It\u2019s \u201cfine\u201d.", path="README.md") == (
        "# \u201cTitle\u201d\n\nIt\u2019s \u201cfine\u201d.\n"
    )


def test_removing_a_line_with_the_files_own_entity_is_no_mangling() -> None:
    text = 'HTML = "&lt;b&gt;"\nx = 1\n'
    assert apply_edit(text, 'HTML = "&lt;b&gt;"\n', "", path="m.py") == "x = 1\n"


def test_quotes_beside_other_characters_than_the_file_has_them_are_refused() -> None:
    """viper.go has typographic quotes in its comments; `(“,”)` in code is not that."""
    text = '// it \u201cshadows\u201d the default\nx := f(",")\n'
    new = "x := f(\u201c,\u201d)\ny := 2\n"
    assert refusal(apply_edit, text, 'x := f(",")\n', new, path="v.go") == (
        "The edit to v.go writes '\u201c' in new_string, and v.go never has it beside the same "
        "characters: the text may be rewritten with typographic quotes. Write the characters "
        "themselves ('\"' for '\u201c') as they should stand in the file, and send the edit again."
    )
