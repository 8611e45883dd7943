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
        "The edit to m.py writes '&lt;' in new_string, and nothing in old_string shows "
        "whether the text was HTML-escaped. Write '<' for '&lt;' if that is what m.py should "
        "have; to write '&lt;' itself, quote with it a line of the file that has '&lt;' or a "
        "plain '<', '>' or '&' (line 2 is the nearest), and send the edit again."
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


def test_a_quote_written_plainly_shows_the_new_entities_are_meant() -> None:
    """An escaping would have made the quote's `>` an entity too."""
    text = "H = '&quot;'\nopts = {'a' => 1}\n"
    new = "opts = {'a' => 1, 'b' =&gt; 2}\n"
    assert apply_edit(text, "opts = {'a' => 1}\n", new, path="t.rb") == f"H = '&quot;'\n{new}"


def test_typographic_quotes_in_the_quote_are_read_back_in_the_new_lines_too() -> None:
    old = "        return \u201clow\u201d\n"
    new = "        return \u201clow: \u2018%s\u2019\u201d % a\n"
    assert apply_edit(PY, old, new, path="m.py") == PY.replace(
        '"low"', '"low: \'%s\'" % a'
    )


def test_typographic_quotes_only_in_new_text_are_refused_unless_the_file_has_them() -> None:
    message = refusal(apply_edit, PY, "    if a < b:\n", "    if a < \u201cb\u201d:\n", path="m.py")
    assert message == (
        "The edit to m.py writes '\u201c' in new_string, and nothing in old_string shows "
        "whether the text was rewritten with typographic quotes. Write '\"' for '\u201c' if "
        "that is what m.py should have; to write '\u201c' itself, quote with it a line of the "
        "file that has '\u201c' or a straight quote (line 3 is the nearest), and send the "
        "edit again."
    )
    readme = "# \u201cTitle\u201d\n\nSome text.\n"  # quoted with its typographic title line
    old, new = "# \u201cTitle\u201d\n\nSome text.", "# \u201cTitle\u201d\n\nA \u201cfine\u201d text."
    assert apply_edit(readme, old, new, path="README.md") == new + "\n"


def test_the_refusal_names_a_line_whose_quote_shows_the_form_is_meant() -> None:
    """Following the advice works: quoted with line 2's plain `<`, the entity is written."""
    old, new = '    if a < b:\n        return "low"\n', "    if a < b:\n        return a &lt; 0\n"
    assert apply_edit(PY, old, new, path="m.py") == PY.replace('"low"', "a &lt; 0")


def test_the_line_the_refusal_names_is_numbered_as_lf_lines() -> None:
    """A form feed is no line break: the `<` line is line 3, as every message counts."""
    text = "x = 1\n\x0c\n" + PY.split("\n", 1)[1]
    assert "(line 3 is the nearest)" in refusal(
        apply_edit, text, '        return "low"\n', "        return a &lt; 0\n", path="m.py"
    )


def test_a_file_with_no_line_to_quote_gets_no_advice_to_quote_one() -> None:
    """Nothing in a file without quote characters can vouch for a typographic one."""
    text = "def greet() -> None:\n    pass\n"
    new = "    print(\u201chi\u201d)\n"
    assert refusal(apply_edit, text, "    pass\n", new, path="m.py") == (
        "The edit to m.py writes '\u201c' in new_string, and nothing in old_string shows "
        "whether the text was rewritten with typographic quotes. Write '\"' for '\u201c' if "
        "that is what m.py should have; m.py has no line with '\u201c' or a straight quote to "
        "quote with it, so write '\u201c' by hand."
    )


def test_removing_a_line_with_the_files_own_entity_is_no_mangling() -> None:
    text = 'HTML = "&lt;b&gt;"\nx = 1\n'
    assert apply_edit(text, 'HTML = "&lt;b&gt;"\n', "", path="m.py") == "x = 1\n"


def test_quotes_in_a_file_that_has_them_need_a_quote_that_shows_them() -> None:
    """viper.go has typographic quotes in its comments; `(“,”)` added under a quote
    without any quote character is refused, and applied once the quote shows one."""
    text = "// it \u201cshadows\u201d the default\nx := f(a)\n"
    new = "x := f(\u201c,\u201d)\n"
    assert refusal(apply_edit, text, "x := f(a)\n", new, path="v.go").startswith(
        "The edit to v.go writes '\u201c' in new_string, and nothing in old_string shows"
    )
    old = "// it \u201cshadows\u201d the default\nx := f(a)\n"
    assert apply_edit(text, old, "// it \u201cshadows\u201d the default\n" + new, path="v.go") == (
        "// it \u201cshadows\u201d the default\n" + new
    )


def test_new_text_with_plain_characters_beside_its_entities_is_not_escaped() -> None:
    """gson's Javadoc: `Class&lt;?&gt;` written among `<p>` and `</pre>` tags."""
    text = "/**\n * Example:\n */\n"
    new = " * Example:\n * <pre>shouldSkipClass(Class&lt;?&gt; clazz)</pre>\n"
    assert apply_edit(text, " * Example:\n", new, path="E.java") == f"/**\n{new} */\n"


def test_a_quote_vouches_only_for_the_forms_it_has() -> None:
    """jekyll's docs write `we’ll`; that says nothing for `class=“note”` in new lines."""
    text = "</div>\n\nIf we haven\u2019t covered it, we\u2019ll see.\n"
    old = "</div>\n\nIf we haven\u2019t covered it, we\u2019ll see.\n"
    new = "</div>\n\n<div class=\u201cnote\u201d>Soon</div>\n\nIf we haven\u2019t covered it, we\u2019ll see.\n"
    assert refusal(apply_edit, text, old, new, path="index.md").startswith(
        "The edit to index.md writes '\u201c' in new_string, and nothing in old_string shows"
    )


CLI = (
    'def main(parser):\n    parser.add_argument("--verbose")\n    parser.add_argument("--quiet")\n'
)


def test_typographic_dashes_in_the_quote_are_read_back_in_the_new_lines_too() -> None:
    old = '    parser.add_argument("\u2013quiet")\n'
    new = '    parser.add_argument("\u2013quiet")\n    parser.add_argument("\u2013dry-run")\n'
    assert (
        apply_edit(CLI, old, new, path="cli.py") == CLI + '    parser.add_argument("--dry-run")\n'
    )


def test_an_em_dash_is_read_as_the_dashes_the_quoted_lines_have() -> None:
    yaml = "a: 1\n---\nb: 2\n"
    block = SearchReplace("c.yaml", "\u2014\nb: 2\n", "\u2014\nb: 3\n")
    assert apply_search_replace(yaml, block) == "a: 1\n---\nb: 3\n"
    signed = 'x = 1\nrun("\u2014all")\n'
    assert refusal(apply_edit, "x = 1\n", "x = 1\n", signed, path="m.py") == (
        "The edit to m.py writes '\u2014' in new_string, which looks rewritten with typographic "
        "dashes or ellipses, and nothing in old_string shows whether it stands for '--' or '---'. Write "
        "the characters m.py should have, and send the edit again."
    )


def test_new_dashes_and_ellipses_are_kept_in_prose_and_options_read_back() -> None:
    prose = '    parser.add_argument("--quiet")  # quiet \u2014 or not\u2026\n'
    assert apply_edit(CLI, '    parser.add_argument("--quiet")\n', prose, path="cli.py").endswith(
        prose
    )
    cut = '    parser.add_argument("--quiet")\n    label = name[:20] + "\u2026"\n'
    assert apply_edit(CLI, '    parser.add_argument("--quiet")\n', cut, path="cli.py").endswith(cut)
    attributed = "def main(parser):\n    # Simple is better. \u2014Tim, and so on, \u2026)\n"
    assert apply_edit(CLI, "def main(parser):\n", attributed, path="a.py").startswith(attributed)
    mixed = 'def main(parser):\n    parser.add_argument("\u2013x")  # x \u2014 or not\n'
    assert "nothing in old_string shows" in refusal(
        apply_edit, CLI, "def main(parser):\n", mixed, path="c.py"
    )


def test_indentation_in_non_breaking_spaces_is_read_as_spaces() -> None:
    web = "\u00a0 \u00a0"  # "&nbsp; &nbsp;" as a web page writes four spaces
    old = f'{web} parser.add_argument("--quiet")\n'
    new = f'{web} parser.add_argument("--quiet")\n{web} parser.add_argument("-n")\n'
    assert apply_edit(CLI, old, new, path="cli.py") == CLI + '    parser.add_argument("-n")\n'
    added = 'def main(parser):\n\u00a0\u00a0\u00a0\u00a0parser.add_argument("-n")\n'
    assert apply_edit(CLI, "def main(parser):\n", added, path="cli.py") == CLI.replace(
        "parser):\n", 'parser):\n    parser.add_argument("-n")\n'
    )
    prose = "Price:\u00a010\u00a0EUR\n"
    assert apply_edit("Price: 9\n", "Price: 9\n", prose, path="a.md") == prose


def test_a_lone_non_breaking_space_of_the_texts_own_is_kept() -> None:
    """winston's tests: a new string with a non-breaking space after a dash, the edit's
    indentation made non-breaking by a web page (`&nbsp; `). A page leaves a single space
    between words plain, so the lone one is the string's own; where every space is
    non-breaking, each is read back."""
    web = "\u00a0 \u00a0"
    old = f'{web} parser.add_argument("--quiet")\n'
    said = f'{web} parser.add_argument("-n", help="all \u2013\u00a0none")\n'
    assert apply_edit(CLI, old, old + said, path="cli.py") == (
        CLI + '    parser.add_argument("-n", help="all \u2013\u00a0none")\n'
    )
    every = old + said.replace(" ", "\u00a0")
    assert apply_edit(CLI, old, every, path="cli.py") == (
        CLI + '    parser.add_argument("-n",\u00a0help="all\u00a0\u2013\u00a0none")\n'
    ).replace("\u00a0", " ")


def test_non_breaking_spaces_inside_lines_are_kept_when_the_quote_spaced_its_lines_plain() -> None:
    """nanoid's README: the quote's indentation came non-breaking, but `]:  https` inside a
    quoted line kept its two plain spaces, so the page touched indentation only; the new
    line's `/>\u00a0\u00a0Made in` is the commit's own text. With no plain run in the
    quote, a run inside a line is read back like the indentation."""
    md = '[Size Limit]:  https://github.com/ai/size-limit\n<a href="/">\n  <img src="a.svg">\n</a>\n'
    old = '[Size Limit]:  https://github.com/ai/size-limit\n<a href="/">\n\u00a0\u00a0<img src="a.svg">\n'
    new = old + '<img src="b.svg" />\u00a0\u00a0Made in Mars\n'
    assert apply_edit(md, old, new, path="README.md") == md.replace(
        "</a>", '<img src="b.svg" />\u00a0\u00a0Made in Mars\n</a>'
    )
    tight = md.replace("]:  https", "]: https")
    old, new = old.replace("]:  https", "]: https"), new.replace("]:  https", "]: https")
    assert apply_edit(tight, old, new, path="README.md") == tight.replace(
        "</a>", '<img src="b.svg" />  Made in Mars\n</a>'
    )


def test_non_breaking_spaces_inside_lines_are_kept_when_quoted_lines_have_them_as_the_file() -> None:
    """ramda's bookmarklet: a minified line whose string of whitespace characters holds
    `\u00a0` and `\u202f`, quoted with its indentation made non-breaking. The quoted line
    stands in the file past its indentation, forms and all, so they are the text's own:
    the new version keeps them, and only its indentation is read back."""
    spaces = '"\\t\\n \u00a0\u2000\u202f\u3000"'
    md = f"Use:\n\n    ```javascript\n    javascript:!function(){{var n={spaces};go(1)}}();\n    ```\n"
    web = "\u00a0 \u00a0 "
    old = f"{web}javascript:!function(){{var n={spaces};go(1)}}();\n"
    new = old.replace("go(1)", "go(2)")
    assert apply_edit(md, old, new, path="BOOKMARKLET.md") == md.replace("go(1)", "go(2)")
    diff = f"--- a/B.md\n+++ b/B.md\n@@ -3,3 +3,3 @@\n {web}```javascript\n-{old}+{new} {web}```\n"
    made = apply_patch(lambda name: md if name == "B.md" else None, diff)[0].new
    assert made == md.replace("go(1)", "go(2)")


def test_a_line_losing_its_own_non_breaking_space_is_read_back_from_a_web_page() -> None:
    """d3-scale's "Fix whitespace." commit took a non-breaking space out of a line, and the
    edit came with its indentation made non-breaking. The quote's lone one is the file's:
    read with it kept, the quote stands in the file, and only the indentation is undone
    (it was kept whole, and the line moved two spaces in)."""
    js = "symlog.invert = function(x) {\n  return x > 1 ? Math.exp(x - 1)\u00a0: x;\n};\n"
    old = "\u00a0 return x > 1 ? Math.exp(x - 1)\u00a0: x;\n"
    new = "\u00a0 return x > 1 ? Math.exp(x - 1) : x;\n"
    fixed = js.replace("\u00a0", " ")
    assert apply_edit(js, old, new, path="symlog.js") == fixed
    diff = f"--- a/symlog.js\n+++ b/symlog.js\n@@ -1,3 +1,3 @@\n function(x) {{\n-{old}+{new}}};\n"
    diff = diff.replace(" function", " symlog.invert = function")
    [result] = apply_patch(lambda path: js if path == "symlog.js" else None, diff)
    assert result.new == fixed


def test_non_breaking_indentation_is_read_back_in_a_file_with_some_of_its_own() -> None:
    """A generated HTML page with a `&nbsp;` written as the character (Alamofire's docs)."""
    html = "<div>\n  <p>2020\u00a0AD</p>\n  <p>end</p>\n</div>\n"
    old = "\u00a0\u00a0<p>end</p>\n"
    new = "\u00a0\u00a0<p>end.</p>\n"
    assert apply_edit(html, old, new, path="a.html") == html.replace("end<", "end.<")


def test_ellipses_where_only_code_has_three_dots_are_read_back() -> None:
    js = "const a = { x: 1 };\n"
    new = "const a = { x: 1 };\nconst b = { \u2026a, y: f(\u2026args) };\n"
    assert apply_edit(js, js, new, path="a.js") == js + "const b = { ...a, y: f(...args) };\n"


def test_a_python_body_or_default_of_an_ellipsis_is_read_back() -> None:
    """pluggy's hook specifications: `def hello(self, arg: object) -> object: ...`, and a
    stub's `x: int = ...`. A prose line ending in `: …` is no definition: kept."""
    py = "class Spec:\n    pass\n"
    new = (
        "class Spec:\n    def hello(self, arg: object) -> object: \u2026\n\n"
        "    async def bye(self) -> None: \u2026\n    limit: int = \u2026\n"
    )
    assert apply_edit(py, "    pass\n", new.split("\n", 1)[1], path="spec.py") == new.replace(
        "\u2026", "..."
    )
    md = "# Notes\n"
    prose = "# Notes\n\nThe list goes on: \u2026\n"
    assert apply_edit(md, md, prose, path="a.md") == prose


def test_dashes_and_ellipses_where_code_stands_are_read_back() -> None:
    """A line of its own, a variadic parameter (Go's, Java's), empty parentheses, a string of
    it alone, an arrow, a word's dash in inline code."""
    go = "func main() {\n}\n"
    new = 'func main() {\n}\n\nfunc f(out io.Writer, rest \u2026string) {} //<\u2013 "\u2013"\n'
    assert apply_edit(go, go, new, path="m.go") == new.replace("\u2026", "...").replace(
        "\u2013", "--"
    )
    java = "class Fixtures {\n}\n"
    varargs = "class Fixtures {\n    String join(final String\u2026 parts) {}\n}\n"
    assert apply_edit(java, java, varargs, path="F.java") == varargs.replace("\u2026", "...")
    rust = "/// ```\n/// ```\nfn f() {}\n"
    example = "/// ```\n/// fn valid() -> bool {\n///     // \u2026\n/// }\n/// ```\n"
    assert apply_edit(rust, "/// ```\n/// ```\n", example, path="m.rs") == (
        example.replace("\u2026", "...") + "fn f() {}\n"
    )
    md = "# Changes\n"
    notes = "# Changes\n\n`get()` and `ls \u2013a` now merge.\n"
    assert apply_edit(md, md, notes, path="a.md") == notes.replace("\u2013", "--")
    ruled = "# Changes\n\n\u2014\n"
    assert "whether it stands for '--' or '---'" in refusal(apply_edit, md, md, ruled, path="a.md")


def test_an_ellipsis_the_file_writes_between_the_same_characters_is_its_own() -> None:
    """got's stream docs elide arguments as `(…)` in inline code; a new section that does
    the same keeps its `…`. Beside one the file has only as `...` (a spread), nothing
    tells, so the edit is refused."""
    md = "## Events\n\n### `on('retry', …)`\n\nCalled `got(...options)`.\n"
    new = "## Events\n\n### `on('response', …)`\n"
    assert apply_edit(md, "## Events\n", new, path="a.md") == new + md[len("## Events\n") :]
    spread = new + "\nCalls `got(…options)`.\n"
    assert refusal(apply_edit, md, "## Events\n", spread, path="a.md").startswith(
        "The edit to a.md writes '…' in new_string, and nothing in old_string shows"
    )


def test_an_ellipsis_between_words_in_inline_code_is_refused() -> None:
    """`# … existing code` may be the lazy marker with its dots made an ellipsis, or what
    the text means (this repository's tests describe `// … keep the rest` in a comment):
    nothing tells, so the edit is refused. ` … ` in prose the file has says nothing of
    inline code."""
    prose = "Wait \u2026 then go.\nEnd.\n"
    lazy = "End.\nNever `# \u2026 existing code`.\n"
    assert refusal(apply_edit, prose, "End.\n", lazy, path="a.md") == (
        "The edit to a.md writes '\u2026' in new_string, and nothing in old_string shows "
        "whether the text was rewritten with typographic dashes or ellipses. Write '...' for '\u2026' if "
        "that is what a.md should have; to write '\u2026' itself, quote with it a line of "
        "the file that has '\u2026' or a plain '--' or '...' (line 1 is the nearest), and send "
        "the edit again."
    )
    comment = "    )\n"
    test = comment + "\n\ndef test_it() -> None:\n    # the ruler and `// \u2026 keep the rest`.\n"
    assert "writes '\u2026' in new_string" in refusal(
        apply_edit, "f(\n" + comment, comment, test, path="test_it.py"
    )


def test_an_em_dash_after_a_comma_before_a_word_is_an_option_not_prose() -> None:
    """commander's tests: `new Option('-e,--example <value>')` with `--` made an em dash
    was written as it came; it stands for `--` or `---`, and a quote with none does not
    say which, so it is refused (a quote that has one is read back)."""
    js = "test('x', () => {\n  new Option('-f,--force');\n});\n"
    head, option = "test('x', () => {\n", "  new Option('-e,\u2014example <value>');\n"
    assert "whether it stands for '--' or '---'" in refusal(
        apply_edit, js, head, head + option, path="a.test.js"
    )
    quote = head + "  new Option('-f,\u2014force');\n"
    assert apply_edit(js, quote, quote + option, path="a.test.js") == (
        js.replace("});", "  new Option('-e,--example <value>');\n});")
    )


def test_ellipses_inside_a_token_or_a_list_and_a_decrement_are_read_back() -> None:
    """A compare link's range (PSReadLine's changelog), a list's last element or a type's
    argument list, Swift's ranges, and a loop's `index--` (PSReadLine's History.cs, gjson's
    Go)."""
    md = "# Changes\n"
    link = "# Changes\n\n[2.2.0]: https://github.com/o/r/compare/v2.1.0\u2026v2.2.0\n"
    assert apply_edit(md, md, link, path="Changes.txt") == link.replace("\u2026", "...")
    py = "import typing\n"
    typed = "import typing\n\nFactory = typing.Callable[\u2026, Server]  # [a, b, \u2026]\n"
    assert apply_edit(py, py, typed, path="a.py") == typed.replace("\u2026", "...")
    cs = "void Scan() {\n}\n"
    loop = "void Scan() {\n    for (int i = n - 1; i >= 0; i\u2013)\n        Look(i);\n}\n"
    assert apply_edit(cs, cs, loop, path="H.cs") == loop.replace("\u2013", "--")
    em = loop.replace("\u2013", "\u2014")  # `--` or `---`: an em dash may be either
    assert "whether it stands for '--' or '---'" in refusal(apply_edit, cs, cs, em, path="H.cs")
    swift = "func roll() {\n}\n"  # swift-log's tests: a closed and a half-open range
    ranged = "func roll() {\n    let a = Int.random(in: 100 \u2026 200)\n    for i in 0\u2026<n {}\n}\n"
    assert apply_edit(swift, swift, ranged, path="T.swift") == ranged.replace("\u2026", "...")
    go = "func scan() {\n}\n"  # gjson's `for j := i - 2; j > 0; j-- {`
    block = "func scan() {\n\tfor j := i - 2; j > 0; j\u2013 {\n\t}\n}\n"
    assert apply_edit(go, go, block, path="gjson.go") == block.replace("\u2013", "--")


def test_an_ellipsis_ending_a_links_text_is_prose() -> None:
    """sindresorhus/p-whilst's readme links its kin as `[More…](https://…)`: the ellipsis
    stands before a closing bracket, as a list's last element does in code, but a link's
    text is prose, and the readme's own ellipsis stays."""
    md = "# p-whilst\n\n## License\n"
    related = "# p-whilst\n\n## Related\n\n- [More\u2026](https://github.com/sindresorhus/promise-fun)\n"
    new = related + "\n## License\n"
    assert apply_edit(md, "# p-whilst\n", related, path="readme.md") == new
    listed = "# p-whilst\n\nitems = [a, b\u2026]\n"
    assert apply_edit(md, "# p-whilst\n", listed, path="readme.md") == (
        listed.replace("\u2026", "...") + "\n## License\n"
    )


def test_a_decrement_that_ends_its_statement_line_is_read_back() -> None:
    """tidwall/btree's map.go and termui's block.go: Go's `x.i--` and `r.Max.X--` are
    statements of their own line, with `--` made an en dash; a line of prose that ends
    in a dash after words is not such a line, and its dash stays."""
    go = "func (it *Iter) Prev() bool {\n\treturn it.Next()\n}\n"
    head = "func (it *Iter) Prev() bool {\n"
    new = head + "\tit.stack[len(it.stack)-1].i\u2013\n\tb.Inner.Max.X\u2013\n"
    assert apply_edit(go, head, new, path="map.go") == go.replace(
        head, head + "\tit.stack[len(it.stack)-1].i--\n\tb.Inner.Max.X--\n"
    )
    md = "# Notes\n"
    prose = "# Notes\n\nExceptions are not handled for you\u2014\nso handle them.\n"
    assert apply_edit(md, md, prose, path="notes.md") == prose


def test_a_dash_that_starts_a_lua_comment_is_read_back() -> None:
    lua = "local M = {}\nreturn M\n"
    new = "local M = {}\n\u2013 the module\nM.x = 1 \u2013 one\n"
    assert apply_edit(lua, "local M = {}\n", new, path="m.lua") == (
        "local M = {}\n-- the module\nM.x = 1 -- one\nreturn M\n"
    )


def test_a_ruler_of_comment_slashes_before_an_ellipsis_is_read_at_once() -> None:
    # serde's impls.rs: a lazy replacement of a 79-slash ruler and `// … keep the rest`.
    # The check for a line that is only an ellipsis split the ruler's slashes every way
    # it could before failing, and never returned.
    ruler = "/" * 79
    rust = f"{ruler}\n\nimpl Visitor for UnitVisitor {{\n}}\n"
    lazy = f"\n{ruler}\n\n// \u2026 keep the rest as is\n"
    assert refusal(apply_edit, rust, rust, lazy, path="impls.rs").startswith(
        "The edit to impls.rs was not applied: '// \u2026 keep the rest as is' in new_string "
        "stands in place of 2 lines of old_string"
    )


def test_an_ellipsis_where_code_stands_in_a_file_that_writes_one_so_is_refused() -> None:
    """got's options docs elide with `…` in code (`{token: 'secret', …}`) and spread with
    `...`: a new `instance(…, {})` may be either, so the edit is refused; the same edit
    in a file without such an ellipsis is read back. (In a document it is refused
    either way: `test_an_ellipsis_in_a_documents_code_may_be_its_authors_and_is_refused`.)"""
    js = "//=> {token: 'secret', \u2026}\nconst hooks = [...hooks];\n\n// url\n"
    new = "// url\ninstance(\u2026, {cookieJar: undefined});\n"
    assert refusal(apply_edit, js, "// url\n", new, path="options.js").startswith(
        "The edit to options.js writes '\u2026' in new_string, and nothing in old_string shows"
    )
    plain = js.replace("\u2026", "x")
    assert apply_edit(plain, "// url\n", new, path="options.js") == plain + new[
        len("// url\n") :
    ].replace("\u2026", "...")
    md = "```js\n//=> {token: 'secret', \u2026}\n```\n\nMerges `[...hooks]`.\n\n## url\n"
    fenced = "## url\n\n```js\ninstance(\u2026, {cookieJar: undefined});\n```\n"
    assert "writes '\u2026' in new_string" in refusal(
        apply_edit, md.replace("\u2026", "x"), "## url\n", fenced, path="options.md"
    )


def test_a_spread_after_a_bracket_is_read_back_and_a_fenced_blocks_ellipsis_refused() -> None:
    """echo's proxy.go: `append(b.targets[:i], b.targets[i+1:]…)` is Go's spread after a
    slice, read back. Its README's `go get github.com/labstack/echo/…` in a fenced block
    may be the package pattern `/...` or an ellipsis the commit meant: refused, as in
    inline code."""
    go = "package m\n"
    new = "package m\n\nfunc drop(t []int, i int) []int {\n\treturn append(t[:i], t[i+1:]\u2026)\n}\n"
    assert apply_edit(go, go, new, path="m.go") == new.replace("\u2026", "...")
    md = "### Installation\n\n```sh\n$ go get github.com/labstack/echo\n```\n"
    fenced = md.replace("/echo\n", "/echo/\u2026\n")
    assert refusal(apply_edit, md, md, fenced, path="README.md").startswith(
        "The edit to README.md writes '\u2026' in new_string, and nothing in old_string shows"
    )


def test_an_ellipsis_after_dot_slash_is_gos_package_pattern() -> None:
    """logrus's .travis.yml: `go test -race -v ./…` can only be `./...`, every package
    below; it went into the file with the ellipsis."""
    yml = "script:\n  - go test -race -v .\n"
    new = "script:\n  - go test -race -v ./\u2026\n"
    assert apply_edit(yml, yml, new, path=".travis.yml") == new.replace("\u2026", "...")


def test_an_em_dash_before_an_annotation_is_read_as_the_files_annotations() -> None:
    """nvim-tree's utils.lua: the quote's em dashes stood for a comment's `--`, and the new
    `—@param` lines went in as `--@param`; the file writes its annotations `---@` only."""
    lua = "-- Returns the path.\n---@param node table\nfunction M.path(node)\n  return node\nend\n"
    old = "\u2014 Returns the path.\n\u2014@param node table\nfunction M.path(node)\n"
    new = old.replace("table\n", "table\n\u2014@return string\n")
    assert apply_edit(lua, old, new, path="utils.lua") == lua.replace(
        "table\n", "table\n---@return string\n"
    )


def test_an_ellipsis_in_a_documents_code_may_be_its_authors_and_is_refused() -> None:
    """hashicorp/hcl's CHANGELOG: "wrapped in the special `optional(…)` modifier". In a
    document, code is quoted and its arguments are often elided with an ellipsis of the
    author's: `get(…)` there may be that or `get(...)` mangled, so it is refused (in
    source code it is read back). An ellipsis in the document's prose is kept."""
    md = "# HCL Changelog\n\n## v2.14.0 (Unreleased)\n"
    note = md + "\n* Attributes can be wrapped in the special `optional(\u2026)` modifier.\n"
    assert "writes '\u2026' in new_string" in refusal(apply_edit, md, md, note, path="CHANGES.md")
    fenced = md + "\n```hcl\nx = optional(\u2026)\n```\n"
    assert "writes '\u2026' in new_string" in refusal(apply_edit, md, md, fenced, path="CHANGES.md")
    link = md + "\n[2.14.0]: https://github.com/o/r/compare/v2.13.0\u2026v2.14.0\n"
    assert apply_edit(md, md, link, path="CHANGES.md") == link.replace("\u2026", "...")
    go = "package m\n"
    code = go + "\nvar x = get(\u2026)\n"
    assert apply_edit(go, go, code, path="m.go") == code.replace("\u2026", "...")


def test_a_documents_code_block_is_found_when_the_quote_starts_inside_another() -> None:
    """ansi-escapes' readme: a quote that starts inside a fenced block, whose first fence
    closes it, and new text that adds a second block with `new Terminal({…})`. Read from
    the quote alone, its fences paired the wrong way and the `{…}` stood in prose, at a
    place only code writes so: it was read back to `{...}`. The fences before the quote
    in the file say where the blocks are; in a block, the ellipsis may be the author's.
    (A quote cut inside the second block also read it as prose.)"""
    md = "# ansi-escapes\n\n```js\nprocess.stdout.write(cursorUp(2));\n```\n\n## API\n"
    old = "process.stdout.write(cursorUp(2));\n```\n\n"
    block = "```js\nconst terminal = new Terminal({\u2026});\n```\n\n"
    new = old + "In the browser:\n\n" + block
    assert "writes '\u2026' in new_string" in refusal(apply_edit, md, old, new, path="readme.md")
    # A new text that stops inside the block it opens: the block runs to its end.
    cut = new[: new.rindex("```")]
    assert "writes '\u2026' in new_string" in refusal(apply_edit, md, old, cut, path="readme.md")
    spread = old + "In the browser, `new Terminal({\u2026options})`:\n\n"
    assert "writes '\u2026' in new_string" in refusal(apply_edit, md, old, spread, path="a.md")
    # A quote with drifted spacing is placed by its first line: after a closed block, in
    # prose, an ellipsis is the author's.
    drifted, listed = "##  API\n", "## API\n\nMoves the cursor (up, down, \u2026).\n"
    assert apply_edit(md, drifted, listed, path="readme.md") == md.replace("## API\n", listed)


def test_a_quote_standing_twice_outside_blocks_keeps_a_dash_in_prose() -> None:
    """glm-lsp's README: a hunk whose lines stand twice, both after a closed code block.
    Where the quote stands does not decide which of the two it is, but both say it starts
    outside a block, so its new line's em dash is prose and stays."""
    part = "Options:\n\n* fast\n\nEnd.\n"
    md = "# Config\n\n```sh\nglm-lsp\n```\n\n" + part + "\nAgain:\n\n" + part
    diff = (
        "--- a/README.md\n+++ b/README.md\n@@ -9,3 +9,4 @@\n * fast\n+* paths \u2014 globs\n"
        " \n End.\n"
    )
    (result,) = apply_patch(lambda path: md, diff)
    assert result.new == md.replace("* fast\n", "* fast\n* paths \u2014 globs\n", 1)


def test_a_doctests_continuation_lines_are_read_back() -> None:
    """jaraco.functools' docstring: the `... ` prompts under a `>>>` line made ellipses. A
    line of prose that starts with one, under no prompt, keeps it."""
    py = 'def apply(transform):\n\t"""\n\tDecorate.\n\t"""\n'
    head = '\t"""\n\tDecorate.\n'
    new = head + (
        "\n\t>>> @apply(reversed)\n\t\u2026 def get_numbers(start):\n"
        "\t\u2026     return range(start, start+3)\n\t>>> list(get_numbers(4))\n\t[6, 5, 4]\n"
    )
    assert apply_edit(py, head, new, path="functools.py") == py.replace(
        head, new.replace("\u2026", "...")
    )
    prose = head + "\n\tTransforms the result\n\t\u2026 and returns it.\n"
    assert apply_edit(py, head, prose, path="functools.py") == py.replace(head, prose)


def test_a_dash_inside_a_ruler_or_before_an_option_in_a_tag_is_code() -> None:
    """go-pretty's tests: `+---+------+` with its first `---` made an em dash, which stands
    for `--` or `---`, so with no quote to say which it is refused. getoptlong's README:
    `<tt>–file</tt>` is an option, read back; beside it `<tt>–</tt>` may be a dash of
    prose, so that edit is refused."""
    go = "func TestWrap(t *testing.T) {\n}\n"
    head = "func TestWrap(t *testing.T) {\n"
    ruler = head + '\ttable := "+\u2014+------+"\n'
    assert "whether it stands for '--' or '---'" in refusal(
        apply_edit, go, head, ruler, path="wrap_test.go"
    )
    md = "# GetoptLong\n"
    option = "# GetoptLong\n\nOptions like <tt>\u2013file</tt> as well.\n"
    assert apply_edit(md, md, option, path="README.md") == option.replace("\u2013", "--")
    ended = option + "The empty option <tt>\u2013</tt> ends them.\n"
    assert "nothing in old_string shows" in refusal(apply_edit, md, md, ended, path="README.md")


def test_a_dash_alone_in_a_string_among_symbols_is_one_more_symbol() -> None:
    """sindresorhus/figures: `lineDashed13: '–'` added among `'━'`, `'−'` and `'‐'` in a
    table of `'⅘'`s was read as a mangled `'--'`. Strings of characters no mangling writes
    say the dash is the author's; without them, a dash alone in a string is code's `'--'`."""
    table = "const common = {\n\tfourFifths: '\u2158',\n\tfiveSixths: '\u215a'\n};\n"
    old = "\tfiveSixths: '\u215a'\n};\n"
    new = "\tfiveSixths: '\u215a',\n\tlineBold: '\u2501',\n\tlineDashed13: '\u2013'\n};\n"
    assert apply_edit(table, old, new, path="index.js") == table.replace(old, new)
    args = "const flags = {\n\tverbose: '-v'\n};\n"
    old = "\tverbose: '-v'\n};\n"
    new = "\tverbose: '-v',\n\trest: '\u2013'\n};\n"
    made = args.replace(old, new.replace("\u2013", "--"))
    assert apply_edit(args, old, new, path="index.js") == made
