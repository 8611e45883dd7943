"""A diff whose context lines lost their leading space (issue 10): the '+' lines were
written with their prefix and stand as written; the context lines are read as context,
also when they start with a tab."""

from __future__ import annotations

import pytest

from glm_lsp.edits.patch import apply_patch
from glm_lsp.errors import EditError

PY = "class A:\n    def scale(self, x):\n        a = 1\n        b = 2\n        return a * x\n"


def patched(text: str, diff: str) -> str:
    (result,) = apply_patch(lambda path: text if path == "m.py" else None, diff)
    assert result.new is not None
    return result.new


def test_added_lines_keep_their_indentation_when_the_context_lost_its_space() -> None:
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -2,4 +2,5 @@\n"
        "    def scale(self, x):\n        a = 1\n        b = 2\n+        c = 3\n"
        "        return a * x\n"
    )
    assert patched(PY, diff) == (
        "class A:\n    def scale(self, x):\n        a = 1\n        b = 2\n        c = 3\n"
        "        return a * x\n"
    )


def test_removed_lines_written_right_beside_context_that_lost_its_space() -> None:
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -3,3 +3,3 @@\n"
        "        a = 1\n-        b = 2\n+        b = 3\n        return a * x\n"
    )
    assert patched(PY, diff) == (
        "class A:\n    def scale(self, x):\n        a = 1\n        b = 3\n        return a * x\n"
    )


def test_aligned_continuation_lines_are_not_moved_a_column() -> None:
    c = "    ok = (a == 1 ||\n          b == 2 ||\n          c == 3);\n"
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -1,3 +1,4 @@\n"
        "    ok = (a == 1 ||\n          b == 2 ||\n+          d == 4 ||\n          c == 3);\n"
    )
    assert patched(c, diff) == (
        "    ok = (a == 1 ||\n          b == 2 ||\n          d == 4 ||\n          c == 3);\n"
    )


def test_tab_indented_context_without_its_space_is_context() -> None:
    go = "func f() {\n\ta := 1\n\treturn a\n}\n"
    diff = "--- a/m.py\n+++ b/m.py\n@@ -2,2 +2,3 @@\n\ta := 1\n+\tb := 2\n\treturn a\n"
    assert patched(go, diff) == "func f() {\n\ta := 1\n\tb := 2\n\treturn a\n}\n"


def test_unindented_context_without_its_space_is_read_as_context_by_the_counts() -> None:
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -1,3 +1,4 @@\n"
        "class A:\n    def scale(self, x):\n+        '''Scale x.'''\n        a = 1\n"
    )
    assert patched(PY, diff) == (
        "class A:\n    def scale(self, x):\n        '''Scale x.'''\n        a = 1\n"
        "        b = 2\n        return a * x\n"
    )


def test_a_hunk_dedented_by_one_space_is_moved_back_with_its_added_lines() -> None:
    """It reads like context that lost its space; its '+' line, at the quote's depth,
    says it was dedented (hiredis net.c's comment block)."""
    c = "/*\n * Copyright\n *\n * All rights reserved.\n * Redistribution\n */\n"
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -2,4 +2,5 @@\n"
        " * Copyright\n *\n * All rights reserved.\n+*\n * Redistribution\n"
    )
    assert patched(c, diff) == (
        "/*\n * Copyright\n *\n * All rights reserved.\n *\n * Redistribution\n */\n"
    )


def test_new_lines_at_neither_depth_follow_the_files_indentation_step() -> None:
    """Lost prefixes or a hunk dedented by one space: the conflict markers at column 0 are
    on the file's two-space step as written, not moved (zod util.ts)."""
    ts = "\n  type A = 1;\n  type B = 2;\n"
    diff = "--- a/m.py\n+++ b/m.py\n@@ -2,2 +2,3 @@\n  type A = 1;\n+<<<<<<< HEAD\n  type B = 2;\n"
    assert patched(ts, diff) == "\n  type A = 1;\n<<<<<<< HEAD\n  type B = 2;\n"


def test_an_underline_read_as_added_is_read_as_context_by_the_counts_and_the_file() -> None:
    """Without its space, an reStructuredText underline "+++++" reads as an added line; the
    @@ counts say one '+' line is context, and only the underline stands in the file."""
    rst = "Title\n+++++\n\ntext\n"
    diff = "--- a/m.py\n+++ b/m.py\n@@ -1,3 +1,4 @@\nTitle\n+++++\n+new\n \n"
    assert patched(rst, diff) == "Title\n+++++\nnew\n\ntext\n"


def test_lines_that_do_not_add_up_and_stand_nowhere_are_refused() -> None:
    rst = "Title\n=====\n\ntext\n"
    diff = "--- a/m.py\n+++ b/m.py\n@@ -1,3 +1,4 @@\nTitle\n+++++\n+new\n \n"
    with pytest.raises(EditError) as caught:
        patched(rst, diff)
    assert caught.value.message == (
        "Hunk 1 of the diff for m.py (@@ -1,3 +1,4 @@) has lines without their ' ' prefix, and "
        "its lines do not add up to its @@ counts, so which of them are context is unclear. "
        "Start every context line with a space."
    )


def test_list_items_that_lost_their_space_are_context_where_the_counts_say_so() -> None:
    """Every context line of a Markdown list reads as removed without its space; the
    counts say they are context, and the file has them as written (black AUTHORS.md)."""
    md = "# Authors\n\n- Alice\n- Bob\n- Carol\n- Dave\n\nEnd.\n"
    diff = "--- a/m.py\n+++ b/m.py\n@@ -3,4 +3,5 @@\n- Alice\n- Bob\n+- Bert\n- Carol\n- Dave\n"
    assert patched(md, diff) == "# Authors\n\n- Alice\n- Bob\n- Bert\n- Carol\n- Dave\n\nEnd.\n"
    removed = "--- a/m.py\n+++ b/m.py\n@@ -3,3 +3,3 @@\n- Alice\n-- Bob\n+- Bert\n- Carol\n"
    assert patched(md, removed) == "# Authors\n\n- Alice\n- Bert\n- Carol\n- Dave\n\nEnd.\n"


def test_two_readings_that_both_stand_in_the_file_are_not_chosen_between() -> None:
    """One of the two '-' lines is context by the counts: "- a" kept and "b" removed, or
    "a" removed and "- b" kept; the file has both."""
    md = "- a\nb\n\na\n- b\n"
    diff = "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n- a\n- b\n+- c\n"
    with pytest.raises(EditError) as caught:
        patched(md, diff)
    assert caught.value.message.startswith(
        "Hunk 1 of the diff (@@ -1,2 +1,2 @@, first line 'a') was not found"
    )


def test_a_block_comments_inner_lines_do_not_read_as_the_quotes_depth() -> None:
    """Javadoc's ` * ` lines sit a column past the file's two-space step, as the context
    that lost its space does; the new method stays where it was written (okhttp)."""
    java = "class A {\n  int f() {\n    return 1;\n  }\n\n  int g() {\n    return 2;\n  }\n}\n"
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -3,4 +3,9 @@\n    return 1;\n  }\n \n"
        "+  /**\n+   * Doc.\n+   */\n+  int h() { return 3; }\n+\n  int g() {\n"
    )
    assert patched(java, diff) == java.replace(
        "  }\n\n", "  }\n\n  /**\n   * Doc.\n   */\n  int h() { return 3; }\n\n", 1
    )


def test_context_of_block_comment_lines_only_is_placed_without_a_step() -> None:
    """Every kept line a comment's inner line: no indentation step to learn from."""
    c = "/*\n * one\n * two\n */\nint x;\n"
    diff = "--- a/m.py\n+++ b/m.py\n@@ -2,2 +2,3 @@\n * one\n+ * one and a half\n * two\n"
    assert patched(c, diff) == "/*\n * one\n * one and a half\n * two\n */\nint x;\n"


def test_new_comment_lines_under_kept_comment_lines_stay_as_written() -> None:
    """Only comment lines added to a docblock: they are compared with the kept comment
    lines, not with the code's steps (guzzle Client.php)."""
    php = (
        "class A\n{\n    /**\n     * @return int\n     */\n    public function f()\n"
        "    {\n        return 1;\n    }\n}\n"
    )
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -3,4 +3,6 @@\n    /**\n     * @return int\n"
        "+     *\n+     * @deprecated soon.\n     */\n    public function f()\n"
    )
    assert patched(php, diff) == php.replace(
        "int\n", "int\n     *\n     * @deprecated soon.\n"
    )


def test_added_lines_whose_shallowest_stands_at_the_files_depth_are_not_moved() -> None:
    """The reST continuation line (7 columns) happens to sit at the depth the context has
    without its first space; the new block's first line sits at the file's depth of the
    closing quotes beside it, so the '+' lines stand as written (tornado's httpclient.py)."""
    py = (
        'class Client:\n    """Example::\n\n'
        "        client = Client(force=True,\n"
        '            defaults=dict(agent="x"))\n'
        '    """\n    @classmethod\n    def base(cls):\n        return cls\n'
    )
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -4,5 +4,8 @@\n"
        "        client = Client(force=True,\n"
        '            defaults=dict(agent="x"))\n'
        "+\n+    .. versionchanged:: 4.1\n+       The ``loop`` argument is deprecated.\n"
        '    """\n    @classmethod\n    def base(cls):\n'
    )
    assert patched(py, diff) == py.replace(
        '"x"))\n',
        '"x"))\n\n    .. versionchanged:: 4.1\n       The ``loop`` argument is deprecated.\n',
    )


def test_a_new_line_restating_a_context_line_a_column_less_is_not_moved_back() -> None:
    """The '+' lines start a code block at three columns; without its space, the context
    line `client = Client()` of the next block reads at seven, like the new one. It is
    the same words, but only shifted: the new line stands as written (tornado's guide)."""
    rst = (
        "Old:\n\n.. testcode::\n\n    def fetch(url):\n        client = Client()\n"
        "        return client.get(url)\n\n"
        ".. testcode::\n   :hide:\n\n    def manual(url):\n        client = Client()\n"
        "        return 1\n"
    )
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -3,12 +3,12 @@\n.. testcode::\n\n"
        "-    def fetch(url):\n-        client = Client()\n-        return client.get(url)\n"
        "+   async def fetch(url):\n+       client = Client()\n+       return await client.get(url)\n"
        "\n.. testcode::\n   :hide:\n\n    def manual(url):\n        client = Client()\n"
        "        return 1\n"
    )
    assert patched(rst, diff) == rst.replace(
        "    def fetch(url):\n        client = Client()\n        return client.get(url)\n",
        "   async def fetch(url):\n       client = Client()\n       return await client.get(url)\n",
    )


def test_a_continuation_aligned_off_the_files_step_does_not_hide_the_step() -> None:
    # bleach's test_css.py: a tuple continuation at column 9 in a file of fours. The new
    # entries are at column 8, a depth both the file and the quote have (one space less);
    # the file's step, 4, says they were written as they are.
    css = (
        "def test_allowed_css():\n"
        "    tests = (\n"
        "        ('color: red; float: left;', 'color: red;',\n"
        "         ['color', 'float']),\n"
        "        ('color: red;', 'color: red;', ['color']),\n"
        "        ('cursor: -moz-grab;', 'cursor: -moz-grab;', ['cursor']),\n"
        "    )\n"
        "\n"
        "    p = '<p style=\"%s\">bar</p>'\n"
    )
    hsl = "        ('color: hsl(30,100%,50%);', 'color: hsl(30,100%,50%);', ['color']),\n"
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -4,6 +4,7 @@\n"
        "         ['color', 'float']),\n"
        "        ('color: red;', 'color: red;', ['color']),\n"
        "        ('cursor: -moz-grab;', 'cursor: -moz-grab;', ['cursor']),\n"
        f"+{hsl}"
        "    )\n"
        " \n"
        "    p = '<p style=\"%s\">bar</p>'\n"
    )
    assert patched(css, diff) == css.replace("    )\n", hsl + "    )\n")


def test_new_functions_after_context_of_one_depth_keep_the_files_step() -> None:
    """aiohttp's new tests after the last three lines of a method, all eight deep: those
    lines alone make eight their step, where the new lines (0, 4) are on neither side's;
    the file's step, four, says the new lines were written as they stand."""
    tests = PY + "\n\nclass B:\n    def test(self):\n        d = 1\n        e = 2\n        f = 3\n"
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -10,3 +10,7 @@\n"
        "        d = 1\n        e = 2\n        f = 3\n+\n+\n+def test_g():\n+    assert g()\n"
    )
    assert patched(tests, diff) == tests + "\n\ndef test_g():\n    assert g()\n"


def test_a_new_line_at_the_depth_of_its_kin_in_the_file_stands_as_written() -> None:
    """serilog's CHANGES.md: items a space deep under version lines at the margin. Its
    items without their space read a column out, at the margin, where the new version
    line is; the file's other version lines stand there, so it does too."""
    changes = " * #329 - Write\n * #346 - Pass\n\n1.4.99\n * #342 - Accept\n"
    diff = "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,3 @@\n+1.4.113\n * #329 - Write\n * #346 - Pass\n"
    assert patched(changes, diff) == "1.4.113\n" + changes


def test_new_lines_on_the_files_step_beside_kept_lines_off_it_stand_as_written() -> None:
    """rspec's Gherkin aligns `And` at five under `Then` at four; without their space the
    `And` lines read at four, where the new `Given` stands, which is on the file's step
    of two (as `Scenario` at two is)."""
    feature = (
        "Feature: f\n\n  Scenario: a\n    When I run it\n    Then it passes\n"
        "     And it says so\n     And it logs\n"
    )
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -6,2 +6,6 @@\n     And it says so\n     And it logs\n"
        "+\n+  Scenario: b\n+    Given a file\n+    Then it fails\n"
    )
    assert patched(feature, diff) == (
        feature + "\n  Scenario: b\n    Given a file\n    Then it fails\n"
    )


def test_new_lines_in_tabs_among_context_in_spaces_that_lost_its_space_stand_as_written() -> None:
    """vapor's Package.swift: a commit adds lines indented by tabs to a list indented by
    eight spaces; its context is written without its ' ', so it reads seven. No column of spaces
    goes before the tabs (` \\t\\t.Package`)."""
    swift = (
        "let package = Package(\n    dependencies: [\n        // Security.\n"
        "        // .Package(url: \"turnstile.git\"),\n    ],\n)\n"
    )
    added = '\t\t.Package(url: "leaf.git")\n'
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -3,3 +3,4 @@\n"
        "        // Security.\n"
        '        // .Package(url: "turnstile.git"),\n'
        f"+{added}"
        "    ],\n"
    )
    assert patched(swift, diff) == swift.replace("    ],\n", added + "    ],\n")


def test_context_that_stands_exactly_with_its_space_keeps_the_new_lines_as_written() -> None:
    """i18n's Gemfile.lock: dependencies two spaces deep, quoted without their ' ', read as
    one space deep; `BUNDLED WITH` at the margin went a column in with them. Read with the
    space their own, they stand exactly where the @@ line says, so nothing is moved."""
    lock = "PLATFORMS\n  ruby\n\nDEPENDENCIES\n  i18n!\n    minitest (5.5.1)\n  mocha\n  rake\n"
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -7,2 +7,5 @@\n  mocha\n  rake\n"
        "+\n+BUNDLED WITH\n+   1.13.5\n"
    )
    assert patched(lock, diff) == lock + "\nBUNDLED WITH\n   1.13.5\n"


def test_a_block_comment_written_a_column_shallow_is_no_lost_prefix() -> None:
    """linenoise.c: a block comment's ` * ` lines, the whole hunk dedented to `* `. Read
    whole, its context lines stand exactly, but its new lines stand where its context
    lines do as parsed: the hunk is a column shallow, and its new lines go a column in."""
    c = "/*\n * Todo list:\n * - Switch to gets().\n * - Completion?\n *\n */\n"
    c += "".join(f"int f{n}(void) {{\n    if (x) {{\n        return {n};\n    }}\n}}\n" for n in range(3))
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -2,3 +2,4 @@\n"
        " * Todo list:\n * - Switch to gets().\n+* - Win32 support\n * - Completion?\n"
    )
    assert patched(c, diff) == c.replace(" * - Completion?", " * - Win32 support\n * - Completion?")


def test_new_lines_some_at_the_files_depth_and_some_at_the_quotes_are_refused() -> None:
    """yajl's header: context lines written without their ' ' (each a space short), new
    comments three spaces in (the quote's depth of a kept comment) and new code four in
    (the file's depth of kept code). Moved a column or not, some land off their kind."""
    text = (
        "    void * ctx);\n\n    /** free a parser handle */\n"
        "    YAJL_API void yajl_free(yajl_handle handle);\n"
    )
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -1,4 +1,9 @@\n"
        "    void * ctx);\n\n+   /**\n+    *  Forbid trailing garbage.\n+    */\n"
        "+    YAJL_API void yajl_forbid_trailing_garbage(yajl_handle h);\n+\n"
        "    /** free a parser handle */\n    YAJL_API void yajl_free(yajl_handle handle);\n"
    )
    with pytest.raises(EditError) as caught:
        patched(text, diff)
    assert (
        "its context lines lost their first space while its new lines stand some at the "
        "file's depth of a context line and some at the quote's" in caught.value.message
    )


def test_a_list_item_read_as_context_keeps_the_files_unended_last_line() -> None:
    # on-finished's .travis.yml: `- "0.10"` ends the file without a line break; written
    # without its space it reads as removed, so the marker after it marked only the old
    # side. Read as context by the counts, it ends the new side too: no break is added.
    text = 'node_js:\n- "0.8"\n- "0.10"'
    diff = (
        '--- a/m.py\n+++ b/m.py\n@@ -1,3 +1,4 @@\n+language: node_js\nnode_js:\n- "0.8"\n'
        '- "0.10"\n\\ No newline at end of file\n'
    )
    assert patched(text, diff) == "language: node_js\n" + text


def test_a_right_aligned_table_does_not_say_how_deep_a_new_row_goes() -> None:
    """inflect's inflections.txt: words right-aligned before `->`, so its lines step by one
    column. Context quoted without its ' ' reads as a hunk written a column shallow too;
    the new row stands as written under one reading and a column deeper under the other,
    and nothing in the file tells which (it was moved a column)."""
    rows = ["bias", "biceps", "bison", "blouse", "Bolognese", "bonus"]
    text = "".join(f"{row:>21}  ->  {row}s\n" for row in rows)
    kept = text.splitlines(True)
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -1,6 +1,7 @@\n"
        + "".join(kept[:3])
        + f"+{'black olive':>21}  ->  black olives\n"
        + "".join(kept[3:])
    )
    with pytest.raises(EditError) as caught:
        patched(text, diff)
    assert "the file has no indentation step to tell which" in caught.value.message
