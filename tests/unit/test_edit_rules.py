"""The rules that keep an edit from landing wrong (issue 10), one small real example each.

Whole-line SEARCH blocks, indentation repair in both directions, the refusal of a change
that is already made, dropped context lines placed only where their side is certain, and
several mistakes at once. Every case asserts the exact resulting text or the exact
sentence of the refusal.
"""

from __future__ import annotations

import time

import pytest

from glm_lsp.edits.apply import apply_edit
from glm_lsp.edits.patch import apply_patch
from glm_lsp.edits.search_replace import SearchReplace, apply_search_replace
from glm_lsp.errors import EditError
from helpers import refusal

PY = (
    "class Cart:\n"
    "    def total(self):\n"
    "        value = sum(self.items)\n"
    "        self.log(value)\n"
    "        return value\n"
)


def block(text: str, search: str, replace: str) -> str:
    return apply_search_replace(text, SearchReplace("cart.py", search, replace))


def patched(text: str, diff: str) -> str:
    (result,) = apply_patch(lambda path: text if path == "cart.py" else None, diff)
    assert result.new is not None
    return result.new



# --- 1. SEARCH/REPLACE blocks are whole lines ------------------------------------------------


def test_a_dedented_search_line_matches_the_whole_line_not_its_tail() -> None:
    # As a substring, "self.log(value)\n" would match after the indentation and deleting it
    # would glue the eight spaces onto the next line.
    assert block(PY, "self.log(value)\n", "") == PY.replace("        self.log(value)\n", "")


def test_an_old_string_cut_after_the_indentation_is_a_whole_line_edit() -> None:
    assert apply_edit(PY, "self.log(value)\n", "") == PY.replace("        self.log(value)\n", "")


def test_a_one_line_old_string_cut_after_the_indentation_reindents_all_new_lines() -> None:
    new = "if value:\n    self.log(value)\n"
    assert apply_edit(PY, "self.log(value)\n", new) == PY.replace(
        "        self.log(value)\n", "        if value:\n            self.log(value)\n"
    )


def test_edit_file_keeps_string_semantics_inside_a_line() -> None:
    assert apply_edit(PY, "sum(self.items)", "sum(self.items, 0)") == PY.replace(
        "sum(self.items)", "sum(self.items, 0)"
    )


# --- 2. indentation repair, both directions --------------------------------------------------


def test_search_and_replace_missing_their_indentation_are_reindented() -> None:
    search = "value = sum(self.items)\nself.log(value)\n"
    replace = "value = sum(self.items)\nif value:\n    self.log(value)\n"
    assert block(PY, search, replace) == PY.replace(
        "        self.log(value)\n", "        if value:\n            self.log(value)\n"
    )


def test_a_dedented_replace_that_wraps_lines_one_level_deeper_is_still_reindented() -> None:
    # Dedented by one level, the two wrapped lines land at the file's own depth for them;
    # the kept "def" line and the base indentation show the REPLACE is dedented too.
    search = "def total(self):\n    value = sum(self.items)\n    self.log(value)\n"
    replace = (
        "def total(self):\n"
        "    if self.items:\n"
        "        value = sum(self.items)\n"
        "        self.log(value)\n"
    )
    assert block(PY, search, replace) == (
        "class Cart:\n"
        "    def total(self):\n"
        "        if self.items:\n"
        "            value = sum(self.items)\n"
        "            self.log(value)\n"
        "        return value\n"
    )


def test_a_replace_already_indented_like_the_file_is_left_alone() -> None:
    search = "value = sum(self.items)\nself.log(value)\n"  # dedented
    replace = "        value = sum(self.items)\n        self.log(value, 'total')\n"  # as the file
    assert block(PY, search, replace) == PY.replace("log(value)", "log(value, 'total')")


def test_short_lines_kept_at_the_quotes_depth_say_replace_follows_the_quote() -> None:
    """fzf's key bindings: a commit takes lines out of an `if` and moves them out a level,
    and the whole edit was sent a level deeper. Its moved lines then stand at the file's
    depth, as if REPLACE were written like the file, but the `fi` and `)` it keeps stay at
    the quote's: REPLACE follows the quote, and goes a level out with it."""
    sh = (
        "f() (\n  if x; then\n    a\n  fi\n)\n\n"
        "if [[ ! -o vi ]]; then\n  # Refresh the prompt after fzf\n  bind redraw-current-line\nfi\n"
    )
    search = (
        "    fi\n  )\n\n  if [[ ! -o vi ]]; then\n    # Refresh the prompt after fzf\n"
        "    bind redraw-current-line\n  fi\n"
    )
    replace = "    fi\n  )\n\n  # Refresh the prompt after fzf\n  bind -m emacs redraw-current-line\n"
    assert block(sh, search, replace) == (
        "f() (\n  if x; then\n    a\n  fi\n)\n\n"
        "# Refresh the prompt after fzf\nbind -m emacs redraw-current-line\n"
    )


def test_an_edit_whose_change_is_the_indentation_sent_a_level_off_is_refused() -> None:
    """cJSON's LICENSE moved out two columns, the whole edit sent two deeper: REPLACE then
    restates every line at the file's depth. Taken as written it would change only the
    blank lines; moved with its quote, it re-indents the text. Which one is meant is
    unclear, so nothing is applied."""
    text = "  Copyright (c) 2009-2017 Dave Gamble\n \n  Permission is hereby granted\n  to any person\n"
    search = "    Copyright (c) 2009-2017 Dave Gamble\n \n    Permission is hereby granted\n    to any person\n"
    replace = "  Copyright (c) 2009-2017 Dave Gamble\n\n  Permission is hereby granted\n  to any person\n"
    sentence = refusal(apply_edit, text, search, replace, path="LICENSE")
    assert "as written would change only blank lines" in sentence
    unshifted = search.replace("    ", "  ")  # the same edit quoted at the file's depth
    assert apply_edit(text, unshifted, replace.replace("  ", ""), path="LICENSE") == (
        "Copyright (c) 2009-2017 Dave Gamble\n\nPermission is hereby granted\nto any person\n"
    )


def test_search_in_tabs_replace_in_the_files_spaces_is_left_alone() -> None:
    search = "\tdef total(self):\n\t\tvalue = sum(self.items)\n"
    replace = "    def total(self):\n        value = sum(self.items) or 0\n"
    assert block(PY, search, replace) == PY.replace("sum(self.items)", "sum(self.items) or 0")


def test_search_and_replace_in_tabs_are_written_in_the_files_spaces() -> None:
    search = "\tdef total(self):\n\t\tvalue = sum(self.items)\n"
    replace = "\tdef total(self):\n\t\tvalue = sum(self.items)\n\t\tassert value >= 0\n"
    assert block(PY, search, replace) == PY.replace(
        "        value = sum(self.items)\n",
        "        value = sum(self.items)\n        assert value >= 0\n",
    )


GO = "func total(items []int) int {\n\tsum := 0\n\tfor _, v := range items {\n\t\tsum += v\n\t}\n\treturn sum\n}\n"


def test_search_in_spaces_on_a_tab_file_with_replace_in_tabs_is_left_alone() -> None:
    search = "    for _, v := range items {\n        sum += v\n"
    replace = "\tfor _, v := range items {\n\t\tsum += v * 2\n"
    result = apply_search_replace(GO, SearchReplace("total.go", search, replace))
    assert result == GO.replace("sum += v\n", "sum += v * 2\n")


def test_a_diff_hunk_quoted_in_tabs_keeps_its_plus_lines_written_like_the_file() -> None:
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -3,3 +3,3 @@\n"
        " \t\tvalue = sum(self.items)\n"
        "-\t\tself.log(value)\n"
        "+        self.log(value, 'total')\n"
        " \t\treturn value\n"
    )
    assert patched(PY, diff) == PY.replace("log(value)", "log(value, 'total')")


def test_plus_lines_in_the_files_mix_of_spaces_and_tabs_are_written_like_the_file() -> None:
    """AutoMapper's TypeMapFactory.cs indents by eight spaces, then tabs. A hunk quoting it
    in tabs, its '+' lines as the file has them: they stay so, not rewritten in spaces."""
    text = (
        "        \t\tfor (int i = 1; i <= n; i++)\n"
        "        \t\t{\n"
        "        \t\t\tvar snippet = Create(matches, i);\n"
        "        \t\t\tIMemberGetter resolver = Find(snippet.First);\n"
        "        \t\t\tif (resolver != null)\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,4 +2,4 @@\n"
        " \t\t\t\t{\n"
        " \t\t\t\t\tvar snippet = Create(matches, i);\n"
        "-\t\t\t\t\tIMemberGetter resolver = Find(snippet.First);\n"
        "+        \t\t\tvar resolver = Find(snippet.First);\n"
        " \t\t\t\t\tif (resolver != null)\n"
    )
    assert patched(text, diff) == text.replace("IMemberGetter resolver", "var resolver")


def test_plus_lines_in_spaces_of_a_spaces_file_with_stray_tabs_quoted_in_tabs_stay() -> None:
    """rake's ruby182_test_unit_fix.rb: spaces, with two stray tab lines the commit fixes.
    Quoted in tabs, its '+' lines in the file's spaces: the second was rewritten in tabs."""
    text = (
        "module Test\n"
        "  module Unit\n"
        "    module Collector\n"
        "      class Dir\n"
        "\tundef collect_file\n"
        "        def collect_file(name, suites, already_gathered)\n"
        "\t  # loadpath = $:.dup\n"
        "          dir = File.dirname(File.expand_path(name))\n"
        "          $:.unshift(dir) unless $:.first == dir\n"
        "          if(@req)\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,9 +2,9 @@\n"
        " \tmodule Unit\n"
        " \t\tmodule Collector\n"
        " \t\t\tclass Dir\n"
        "-\tundef collect_file\n"
        "+        undef collect_file\n"
        " \t\t\t\tdef collect_file(name, suites, already_gathered)\n"
        "-\t\t# loadpath = $:.dup\n"
        "+          # loadpath = $:.dup\n"
        " \t\t\t\t\tdir = File.dirname(File.expand_path(name))\n"
        " \t\t\t\t\t$:.unshift(dir) unless $:.first == dir\n"
        " \t\t\t\t\tif(@req)\n"
    )
    fixed = text.replace("\tundef", "        undef").replace("\t  #", "          #")
    assert patched(text, diff) == fixed


def test_an_opening_line_restated_at_the_quotes_depth_outweighs_lines_moved_out() -> None:
    """nu_scripts' themes: the commit moved the color lines out a level; the whole edit
    came a level deeper, so those lines stood at the file's old depth and read as
    "written like the file". Its opening line, `export def main [] {` gone on to
    `{ return {`, stands at the quote's depth: the votes disagree, the mapping stays."""
    text = "export def main [] {\n    {\n        int: red\n        float: red\n    }\n}\n"
    old = "    " + text.replace("\n", "\n    ").rstrip(" ")
    made = "export def main [] { return {\n    int: red\n    float: blue\n} }\n"
    new = "    " + made.replace("\n", "\n    ").rstrip(" ")
    assert apply_edit(text, old, new, path="theme.nu") == made


def test_a_tab_only_new_line_in_a_dedented_quote_in_spaces_stays_as_written() -> None:
    """Moses' specs (and pyrsistent's README): a file in spaces whose commit adds a line of
    two tabs and nothing else. The quote, dedented by two, writes its lines in spaces, so
    the tabs are the text's own, not the quote's character: moved by the quote's two
    columns, the line became `  \t\t`."""
    text = "context('partition', function()\n  test('a', function()\n    x()\n  end)\nend)\n"
    old = "test('a', function()\n  x()\nend)\n"
    new = old + "\t\t\ntest('b', function()\n  y()\nend)\n"
    made = text.replace("  end)\n", "  end)\n\t\t\n  test('b', function()\n    y()\n  end)\n")
    assert apply_edit(text, old, new, path="spec.lua") == made


def test_a_blank_new_line_of_spaces_in_a_quote_at_column_0_stays_as_written() -> None:
    """bitset's doc comment, a file in tabs quoted with no indentation at all: its commit
    adds a line of four spaces. A quote at column 0 writes neither character, so the spaces
    are the text's own; moved by the quote's tab, the line became `\t    `."""
    text = "/*\n\tExample use:\n\n\tb := bitset.New(64000)\n*/\n"
    old = "Example use:\n\nb := bitset.New(64000)\n"
    new = 'Example use:\n    \nimport "bitset"\nb := bitset.New(64000)\n'
    made = text.replace("\n\n\tb", '\n    \n\timport "bitset"\n\tb')
    assert apply_edit(text, old, new, path="bitset.go") == made


def test_spaces_only_lines_of_a_quote_two_spaces_out_from_a_tab_file_stay_as_written() -> None:
    """tidwall/pretty's test, a file in tabs quoted with two spaces before each line; its
    commit adds a raw string whose lines of spaces only are the string's text. Taking the
    quote's two spaces off them leaves spaces still, no line of the file's: they stay."""
    text = "func TestUgly(t *testing.T) {\n\tif ret != exp {\n\t\tt.Fatal(ret)\n\t}\n}\n"
    old = "  \t\tt.Fatal(ret)\n  \t}\n  }\n"
    raw = "  \texpect := `\n    {\n           \n         \n    }`\n"
    new = old + "\n  func TestSpec(t *testing.T) {\n" + raw + "  }\n"
    spec = "\nfunc TestSpec(t *testing.T) {\n\texpect := `\n  {\n           \n         \n  }`\n}\n"
    made = text + spec
    assert apply_edit(text, old, new, path="pretty_test.go") == made
    assert apply_search_replace(text, SearchReplace("pretty_test.go", old, new)) == made


def test_a_line_restated_at_the_files_depth_at_the_base_of_a_deeper_quote_is_refused() -> None:
    """dequal's index.d.ts, sent a tab deep: two `declare module` blocks made the one line
    they held, at the top level. That is a tab in the quote, which is also the line's depth
    in the file, so it read as "written like the file" and stayed a tab deep. Moved out to
    the quote's base or restated like the file: nothing says which."""
    inner = "\texport function dequal(foo: any, bar: any): boolean;\n"
    text = f"declare module 'dequal' {{\n{inner}}}\n\ndeclare module 'dequal/lite' {{\n{inner}}}\n"
    old = "".join("\t" + line if line.strip() else line for line in text.splitlines(True))
    message = refusal(apply_edit, text, old, inner, path="index.d.ts")
    assert "whether they were written like the file or moved out a level is unclear" in message


def test_a_doc_comments_star_lines_do_not_say_the_model_writes_like_the_file() -> None:
    """node-gyp's configure.js, the whole hunk in tabs (a tab for two spaces). Its ` * `
    lines are alike in both, and outnumbered the one `\t, win` line, which read as a stray
    line: the new lines kept their tabs."""
    text = (
        "/**\n * Module dependencies.\n */\n\nvar path = require('path')\n"
        "  , win = process.platform == 'win32'\n\nexports.usage = 'Generates'\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,5 +2,7 @@\n"
        "  * Module dependencies.\n  */\n \n"
        "-var path = require('path')\n"
        "+var fs = require('fs')\n+\t, path = require('path')\n+\t, glob = require('glob')\n"
        " \t, win = process.platform == 'win32'\n"
    )
    made = "var fs = require('fs')\n  , path = require('path')\n  , glob = require('glob')\n"
    assert patched(text, diff) == text.replace("var path = require('path')\n", made)


def test_a_tab_file_rewritten_in_spaces_by_a_hunk_whose_context_lost_its_prefix() -> None:
    """laravel's Response.php made PSR-2: its '-' lines in the file's tabs (a doc comment's
    `\t * ` among them), its '+' lines in spaces, its context lines (` * @see`) without
    their diff prefix. The new lines start with spaces, which no quoted line starts with
    and the file's ` * ` lines do: they stand as written."""
    text = (
        "<?php namespace Facades;\n\n/**\n * @see Factory\n */\nclass Response extends Facade {\n"
        "\n\t/**\n\t * Get the name.\n\t */\n\tprotected static function accessor()\n\t{\n"
        "\t\treturn 'Factory';\n\t}\n\n}\n"
    )
    removed = text[text.index("class") : text.rindex("}")]
    added = (
        "class Response extends Facade\n{\n    /**\n     * Get the name.\n     */\n"
        "    protected static function accessor()\n    {\n        return 'Factory';\n    }\n"
    )
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -1,16 +1,17 @@\n" + (
        "-<?php namespace Facades;\n+<?php\n+\n+namespace Facades;\n \n/**\n* @see Factory\n*/\n"
        + "".join("-" + line for line in removed.splitlines(True))
        + "".join("+" + line for line in added.splitlines(True))
        + "}\n"
    )
    made = "<?php\n\nnamespace Facades;" + text[text.index("\n") : text.index("class")]
    assert patched(text, diff) == made + added + "}\n"


def test_plus_lines_in_spaces_and_in_the_files_own_mix_quoted_in_tabs_stay() -> None:
    """kotlinx.cli's README: Kotlin in spaces, one line four spaces and a tab in. Quoted in
    tabs, its '+' lines as the commit wrote them, one of them in that mix: it was moved to
    eight spaces."""
    text = (
        "fun main(args: Array<String>) {\n"
        '    val format by parser.option(Choice(listOf("html", "csv")), shortName = "f",\n'
        '    \tdescription = "Format for output file").default("csv")\n'
        "    val debug by parser.option(ArgType.Boolean)\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,4 +1,4 @@\n"
        " fun main(args: Array<String>) {\n"
        '-\tval format by parser.option(Choice(listOf("html", "csv")), shortName = "f",\n'
        '-\t\tdescription = "Format for output file").default("csv")\n'
        '+    val format by parser.option(Choice<Format>(), shortName = "f",\n'
        '+    \tdescription = "Format for output file").default(Format.CSV)\n'
        " \tval debug by parser.option(ArgType.Boolean)\n"
    )
    fixed = text.replace('Choice(listOf("html", "csv"))', "Choice<Format>()")
    assert patched(text, diff) == fixed.replace('default("csv")', "default(Format.CSV)")


def test_new_lines_in_spaces_the_quote_never_writes_but_the_file_does_stay() -> None:
    """natefinch/lumberjack's README: a code sample indented with a tab and four spaces,
    quoted with tabs alone. The new sample is fenced and indented four spaces; read as
    written like the quote, its spaces became tabs."""
    sample = (
        "\tlog.SetOutput(&lumberjack.Logger{\n"
        '\t    Dir: "/var/log/myapp/"\n'
        '\t    NameFormat: time.RFC822+".log",\n'
        "\t    MaxSize: lumberjack.Gigabyte,\n"
        "\t    MaxBackups: 3,\n"
        "\t    MaxAge: lumberjack.Week * 4,\n"
        "\t))\n"
    )
    plays = "Lumberjack plays well with any logger that can write to an io.Writer,\n"
    example = "For example, just pass it\ninto the SetOutput function when your application starts:\n"
    assumes = "Lumberjack assumes that only one process is writing to the output files.\n"
    text = plays + "\n" + example + "\n\n" + sample + "\n" + assumes + "\n\n"
    old = plays + "\n" + example + "\n\n" + sample.replace("    ", "\t\t") + "\n" + assumes
    fenced = (
        "```go\nlog.SetOutput(&lumberjack.Logger{\n"
        '    Dir:        "/var/log/myapp/",\n'
        '    NameFormat: time.RFC822 + ".log",\n'
        "    MaxSize:    lumberjack.Gigabyte,\n"
        "    MaxBackups: 3,\n"
        "    MaxAge:     lumberjack.Week * 4,\n"
        "})\n```\n"
    )
    new = plays + "\n" + assumes + "\n#### Example\n\nCode:\n\n" + fenced
    assert apply_edit(text, old, new, path="README.md") == new + "\n\n"


def test_a_dedented_diff_hunk_has_its_plus_lines_reindented() -> None:
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -3,3 +3,4 @@\n"
        " value = sum(self.items)\n"
        "-self.log(value)\n"
        "+if value:\n"
        "+    self.log(value)\n"
        " return value\n"
    )
    assert patched(PY, diff) == PY.replace(
        "        self.log(value)\n", "        if value:\n            self.log(value)\n"
    )


def test_a_quoted_line_moved_by_the_edit_takes_the_files_whitespace() -> None:
    # undici's client.js: the quote has a tab where the file has four spaces, and the edit
    # moves that line above the `if`; it is written as the file has it, as a kept line is.
    js = (
        "function onHeaders(keepAlive) {\n    if (!keepAlive) {\n      reset = true\n    }\n\n"
        "    const { headers } = this\n    this.headers = null\n}\n"
    )
    old = (
        "    if (!keepAlive) {\n      reset = true\n    }\n\n"
        "\tconst { headers } = this\n    this.headers = null\n"
    )
    new = (
        "\tconst { headers } = this\n    this.headers = null\n\n"
        "    if (!keepAlive) {\n      reset = true\n    }\n"
    )
    moved = (
        "function onHeaders(keepAlive) {\n    const { headers } = this\n    this.headers = null\n\n"
        "    if (!keepAlive) {\n      reset = true\n    }\n}\n"
    )
    assert apply_edit(js, old, new) == moved
    assert block(js, old, new) == moved


def test_a_new_line_like_a_kept_context_line_is_not_moved_to_its_whitespace() -> None:
    """ruby/pstore: a file indented by twos with a tab for each eight columns, a hunk whose
    context line `\tbegin` stands for the file's four-space `    begin`, and a new `\tbegin`
    inside a new loop (eight columns, as the file writes them). A kept line stays where
    it is, so a new line like it is another line, mapped as the new lines are, not that
    line moved and written with its four spaces."""
    rb = (
        "class PStore\n  def transaction\n    begin\n      @transaction = true\n"
        "      value = nil\n      begin\n\tFile::open(@filename) do |file|\n"
        "\t  @table = Marshal.load(file)\n\tend\n      end\n    end\n  end\nend\n"
    )
    loop = "      loop do\n\tbegin\n\t  File::symlink(lock)\n\t  break\n\tend\n      end\n"
    diff = "--- a/lib/pstore.rb\n+++ b/lib/pstore.rb\n@@ -3,4 +3,10 @@\n" + (
        " \tbegin\n       @transaction = true\n       value = nil\n"
        + "".join(f"+{line}" for line in loop.splitlines(True))
        + "       begin\n"
    )
    (result,) = apply_patch(lambda path: rb if path == "lib/pstore.rb" else None, diff)
    assert result.new == rb.replace("nil\n", "nil\n" + loop)


def test_a_moved_line_is_not_given_back_trailing_whitespace_it_was_written_without() -> None:
    """kind-of's README: a section moved down, its '-' lines quoted without trailing
    whitespace, and its moved line written without the two spaces the file's line ends
    with. It takes the file's line, but not those spaces: the move may take them away,
    as the commit did."""
    md = (
        "# kind-of\n\n## Benchmarks\n\nBenchmarked against typeof and type-of.  \n"
        "Note that it is slower for es6 features.\n\n## Run tests\n\nInstall dev dependencies.\n"
    )
    section = (
        "## Benchmarks\n\nBenchmarked against typeof and type-of.\n"
        "Note that it is slower for es6 features.\n"
    )
    diff = "--- a/README.md\n+++ b/README.md\n@@ -3,8 +3,8 @@\n" + (
        "".join(f"-{line}" for line in section.splitlines(True))
        + "-\n ## Run tests\n \n Install dev dependencies.\n+\n"
        + "".join(f"+{line}" for line in section.splitlines(True))
    )
    (result,) = apply_patch(lambda path: md if path == "README.md" else None, diff)
    assert result.new == "# kind-of\n\n## Run tests\n\nInstall dev dependencies.\n\n" + section


def test_a_line_written_again_in_its_own_place_is_a_change_of_whitespace() -> None:
    # telescope's commit took trailing spaces off a line: its '-' line, quoted without
    # them, reads like its '+' line, which replaces it in place and stands as written.
    text = PY.replace("self.log(value)\n", "self.log(value)   \n")
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -3,3 +3,3 @@\n"
        "         value = sum(self.items)\n"
        "-        self.log(value)\n"
        "+        self.log(value)\n"
        "         return value\n"
    )
    assert patched(text, diff) == PY


DOCS = (
    "/// let app = App::new();\n"
    "/// app.run();\n"
    "fn main() {}\n"
    "impl App {\n"
    "    /// let app = App::new();\n"
    "    /// app.run();\n"
    "    fn run(&self) {}\n"
    "}\n"
)


def test_a_quote_that_also_stands_deeper_indented_is_refused_without_numbers() -> None:
    # Dedented, the impl's doc lines read word for word like the two at the top (clap's
    # doc examples): which copy the model quoted is unsaid, so neither is guessed.
    old, new = "/// let app = App::new();\n/// app.run();\n", "/// let app = App::new()?;\n"
    for message in (
        refusal(apply_edit, DOCS, old, new, path="lib.rs"),
        refusal(apply_search_replace, DOCS, SearchReplace("lib.rs", old, new)),
    ):
        assert "matches 2 places in lib.rs (starting at lines 1, 5)" in message


def test_closing_lines_that_also_stand_deeper_are_still_one_place() -> None:
    # hapi's tests end with `done();` and three closers, which stand deeper in every test.
    js = (
        "describe('a', function () {\n    describe('b', function () {\n"
        "        it('c', function (done) {\n            done();\n        });\n    });\n\n"
        "    it('d', function (done) {\n        done();\n    });\n});\n"
    )
    old = "        done();\n    });\n});\n"
    new = "        done();\n    });\n\n    it('e', function (done) {\n        done();\n    });\n});\n"
    assert block(js, old, new) == js[: -len(old)] + new


def test_a_diffs_numbers_choose_between_a_quote_and_its_deeper_copy() -> None:
    def hunk(start: int) -> str:
        return (
            f"--- a/lib.rs\n+++ b/lib.rs\n@@ -{start},2 +{start},1 @@\n"
            "-/// let app = App::new();\n-/// app.run();\n+/// let app = App::new()?;\n"
        )

    def patched_docs(diff: str) -> str | None:
        return apply_patch(lambda path: DOCS if path == "lib.rs" else None, diff)[0].new

    assert patched_docs(hunk(5)) == DOCS.replace(
        "    /// let app = App::new();\n    /// app.run();\n", "    /// let app = App::new()?;\n"
    )
    assert patched_docs(hunk(1)) == DOCS.replace(
        "/// let app = App::new();\n/// app.run();\nfn", "/// let app = App::new()?;\nfn"
    )


def test_unchanged_lines_keep_the_files_trailing_whitespace() -> None:
    text = PY.replace("self.log(value)\n", "self.log(value)   \n")
    search = "value = sum(self.items)\nself.log(value)\nreturn value\n"
    replace = "value = sum(self.items)\nself.log(value)\nreturn value or 0\n"
    assert block(text, search, replace) == text.replace("return value\n", "return value or 0\n")


LUA = (
    "  end\n"
    "end\n"
    "\n"
    "-- Accept it.\n"
    "function M.accept()\n"
    "  local token = current()\n"
    "  if not token then\n"
    "    return\n"
    "  end\n"
    "  send('accept', token)\n"
    "end\n"
    "\n"
    "-- Reject it.\n"
    "function M.reject()\n"
    "  local token = current()\n"
    "  if not token then\n"
    "    return\n"
    "  end\n"
    "  send('reject', token)\n"
    "end\n"
)


def test_a_restated_line_keeps_the_files_trailing_whitespace_not_the_quotes() -> None:
    # The quote added a tab after the first "local token" line and spaces after a comment.
    # The edit folds both functions into one: the tabbed line now follows a new header,
    # a new line restating the quote, and the file's version of it is kept.
    old = LUA.replace(
        "accept()\n  local token = current()\n", "accept()\n  local token = current()\t\n"
    )
    old = old.replace("-- Reject it.\n", "-- Reject it.  \n")
    new = (
        "  end\nend\n\n"
        "-- Send the decision.\n"
        "local function decide(verb)\n"
        "  local token = current()\t\n"
        "  if not token then\n    return\n  end\n"
        "  send(verb, token)\n"
        "end\n\n"
        "-- Accept it.\nfunction M.accept()\n  decide('accept')\nend\n\n"
        "-- Reject it.  \nfunction M.reject()\n  decide('reject')\nend\n"
    )
    assert apply_edit(LUA, old, new) == new.replace("\t", "").replace("it.  ", "it.")


def test_a_new_blank_line_stays_blank_beside_a_whitespace_only_one() -> None:
    text = "def f():\n    a = 1\n    \n    return a\n"  # line 3 holds four spaces
    diff = (  # quoted with its trailing whitespace stripped, as models do
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,3 +2,4 @@\n"
        "     a = 1\n"
        " \n"
        "-    return a\n"
        "+    log(a)\n"
        "+\n"
        "+    return a\n"
    )
    assert patched(text, diff) == "def f():\n    a = 1\n    \n    log(a)\n\n    return a\n"


def test_new_lines_never_gain_trailing_whitespace_from_the_file() -> None:
    # The quote lost the file's trailing spaces on " *"; the new " *" lines stay clean.
    text = "/**\n *     \n * @param x\n */\n"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,3 +1,5 @@\n"
        " /**\n"
        "- *\n"
        "+ *\n"
        "+ * Aliased as `x`.\n"
        "+ *\n"
        "  * @param x\n"
    )
    assert patched(text, diff) == "/**\n *\n * Aliased as `x`.\n *\n * @param x\n */\n"


def test_a_misquoted_line_more_like_the_next_file_line_is_read_as_that_line() -> None:
    # "sl.OP_NO_TLSv1_1" resembles OP_NO_TLSv1 (line 3) but OP_NO_TLSv1_1 (line 4) more:
    # it is line 4 misquoted, with line 3 left out, and the new lines go after it. (Read as
    # line 3, it would be taken for a line it is less like than its neighbour: refused.)
    text = (
        "def harden(context):\n"
        "    context.options |= ssl.OP_NO_SSLv3\n"
        "    context.options |= ssl.OP_NO_TLSv1\n"
        "    context.options |= ssl.OP_NO_TLSv1_1\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,2 +2,4 @@\n"
        "     context.options |= ssl.OP_NO_SSLv3\n"
        "     context.options |= sl.OP_NO_TLSv1_1\n"
        "+\n"
        "+__all__ = ['harden']\n"
    )
    assert patched(text, diff) == text + "\n__all__ = ['harden']\n"


def test_a_misquote_more_like_its_neighbour_is_read_with_the_line_between_left_out() -> None:
    # fd's CI matrix: the hunk left out the `x86_64-unknown-linux-gnu` job and ends on the
    # `-musl` job after it. Read closest, with its numbers, that last line misquotes the
    # `-gnu` line, and is more like the line beside it: the reading with the `-gnu` line
    # left out, where every quoted line stands verbatim, is made (it was refused as
    # unclear, as a shorter window lost to the closest one that could not be made).
    def job(target: str, os: str) -> str:
        return f"          - {{ target: {target:<28}, os: {os:<30}}}\n"

    cross = "ubuntu-24.04, use-cross: true"
    jobs = [
        ("aarch64-unknown-linux-musl", cross),
        ("arm-unknown-linux-gnueabihf", cross),
        ("arm-unknown-linux-musleabihf", cross),
        ("i686-pc-windows-msvc", "windows-2022"),
        ("i686-unknown-linux-gnu", cross),
        ("i686-unknown-linux-musl", cross),
        ("aarch64-apple-darwin", "macos-14"),
        ("x86_64-pc-windows-gnu", "windows-2022"),
        ("x86_64-pc-windows-msvc", "windows-2022"),
        ("aarch64-pc-windows-msvc", "windows-11-arm"),
        ("x86_64-unknown-linux-gnu", cross),
        ("x86_64-unknown-linux-musl", cross),
    ]
    text = "".join(job(*row) for row in jobs) + "    env:\n"
    new = [(target, os.replace("windows-2022", "windows-2025")) for target, os in jobs[:10]]
    new[6:7] = [("x86_64-apple-darwin", "macos-26-intel"), ("aarch64-apple-darwin", "macos-26")]
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -1,11 +1,12 @@\n" + "".join(
        [" " + job(*row) for row in jobs[:3]]
        + ["-" + job(*jobs[3]), "+" + job(*new[3])]
        + [" " + job(*row) for row in jobs[4:6]]
        + ["-" + job(*row) for row in jobs[6:9]]
        + ["+" + job(*row) for row in new[6:10]]
        + [" " + job(*jobs[9]), " " + job(*jobs[11])]
    )
    expected = "".join(job(*row) for row in [*new[:6], *new[6:10], *jobs[9:]]) + "    env:\n"
    assert patched(text, diff) == expected


def test_a_faint_hunk_far_from_its_line_numbers_is_refused() -> None:
    # A blank line and "}" stand together once, at lines 3-4; at the @@ line (30) they stand
    # with "\tlast()" between them. Wrong numbers, or a left-out line?
    notes = "".join(f"// note {n}\n" for n in range(24))
    text = "func a() {\n\tx()\n\n}\n" + notes + "func b() {\n\n\tlast()\n}\n"
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -30,2 +30,4 @@\n \n }\n+\n+func c() {}\n"
    assert (
        "has too little to go by: its lines match cart.py only at line 3, far from its @@ line 30"
    ) in refusal(patched, text, diff)
    # With numbers far from both, which place the model meant is as unclear.
    text_longer = text + notes
    far = diff.replace("@@ -30,2 +30,4 @@", "@@ -50,2 +50,4 @@")
    assert "has too little to go by" in refusal(patched, text_longer, far)
    # Without that reading anywhere, the numbers were simply wrong.
    plain = text.replace("\n\tlast()\n", "\tlast()\n")
    assert patched(plain, diff) == plain.replace("\n}\n", "\n}\n\nfunc c() {}\n", 1)


def test_a_faint_hunk_whose_line_numbers_say_0_is_far_from_the_top() -> None:
    # luarocks' changelog: a new release's notes before two blank lines, quoted for the
    # blank line and heading at the top with the heading left out, @@ line 0. The two
    # blank lines stand together once, far down; line 0 names no line, but the top.
    release = "\n## 3.3.0\n\n* Fixes\n"
    text = release + release.replace("3.3", "3.2") * 20 + "\n\n## 1.0\n"
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -0,2 +0,4 @@\n+## 3.3.1\n+\n \n \n"
    assert (
        "has too little to go by: its lines match cart.py only at line 85, far from its @@ "
        "line 0, and such lines stand in many places"
    ) in refusal(patched, text, diff)


def test_a_blank_quoted_line_in_tabs_is_how_the_model_indents_when_no_other_line_is() -> None:
    """vapor's Server.swift: the whole edit in tabs for a file indented by four spaces, its
    only indented quoted line a blank `\t`. That line says a tab stands for four spaces,
    so the new `\timport Glibc` goes in as `    import Glibc`."""
    swift = "import Foundation\n\npublic class Server {\n    \n    let version = 1\n}\n"
    old = "import Foundation\n\npublic class Server {\n\t\n"
    new = "import Foundation\n\n#if os(Linux)\n\timport Glibc\n#endif\n\npublic class Server {\n\t\n"
    made = swift.replace("\n\npublic", "\n\n#if os(Linux)\n    import Glibc\n#endif\n\npublic")
    assert apply_edit(swift, old, new, path="Server.swift") == made
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,4 +1,7 @@\n import Foundation\n \n"
        "+#if os(Linux)\n+\timport Glibc\n+#endif\n+\n public class Server {\n \t\n"
    )
    assert patched(swift, diff) == made


# --- 3. a change that is already made is refused, never made twice ---------------------------

INSERT = (
    "--- a/cart.py\n+++ b/cart.py\n@@ -4,2 +4,3 @@\n"
    "         self.log(value)\n"
    "+        self.audit(value)\n"
    "         return value\n"
)


def test_a_diff_already_applied_is_refused_with_a_sentence() -> None:
    once = patched(PY, INSERT)
    assert once == PY.replace("        return", "        self.audit(value)\n        return")
    assert refusal(patched, once, INSERT) == (
        "The edit is already in cart.py: the text it makes already stands at line 4, where "
        "the hunk's ' ' and '-' lines would go, so it was not applied a second time. Read "
        "the file again and change only what is still missing."
    )


MATRIX = (
    "  matrix:\n"
    '    - RUBY_FOLDER_VER: "26"\n'
    '      TZINFO_VERSION: "~> 1.2"\n'
    '      TEST_SUITE: "test"\n'
    '    - RUBY_FOLDER_VER: "26"\n'
    '      TZINFO_VERSION: "~> 2.0"\n'
    '      TEST_SUITE: "test"\n'
    '    - RUBY_FOLDER_VER: "26"\n'
    '      TEST_SUITE: "test"\n'
    '    - RUBY_FOLDER_VER: "26"\n'
    '      TEST_SUITE: "default-site"\n'
    '    - RUBY_FOLDER_VER: "26"\n'
    '      TEST_SUITE: "profile-docs"\n'
)


def test_a_deletion_between_kept_lines_is_not_made_twice() -> None:
    # jekyll's appveyor.yml: a matrix entry removed. Sent again, its quote no longer
    # stands; read loosely one entry up (`~> 1.2` for `~> 2.0`, a line more), it removed
    # the entry after. What the hunk makes, its kept lines closed up, stands at its numbers.
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -6,8 +6,6 @@\n"
        '       TZINFO_VERSION: "~> 2.0"\n'
        '       TEST_SUITE: "test"\n'
        '     - RUBY_FOLDER_VER: "26"\n'
        '-      TEST_SUITE: "test"\n'
        '-    - RUBY_FOLDER_VER: "26"\n'
        '       TEST_SUITE: "default-site"\n'
        '     - RUBY_FOLDER_VER: "26"\n'
        '       TEST_SUITE: "profile-docs"\n'
    )
    once = patched(MATRIX, diff)
    entry = '    - RUBY_FOLDER_VER: "26"\n      TEST_SUITE: "test"\n'
    assert once == MATRIX.replace(entry, "")
    assert refusal(patched, once, diff) == (
        "The edit is already in cart.py: the text it makes already stands at line 6, "
        "where the hunk's ' ' and '-' lines would go, so it was not applied a second time. "
        "Read the file again and change only what is still missing."
    )


ALIGN = (
    "module Rubocop\n"
    "  module Cop\n"
    "    module Style\n"
    "      class AlignArray < Cop\n"
    "        def on_array(node)\n"
    "          node.children.each_cons(2) do |prev, current|\n"
    "            if current.loc.line != prev.loc.line\n"
    "              convention(current, :expression)\n"
    "            end\n"
    "          end\n"
    "        end\n"
    "\n"
    "        def autocorrect_action(node)\n"
    "          @corrections << lambda do |corrector|\n"
    "            if column_delta > 0\n"
    "              corrector.replace(expr, expr.source)\n"
    "            end\n"
    "          end\n"
    "        end\n"
    "      end\n"
    "    end\n"
    "  end\n"
    "end\n"
)


def test_a_deletion_between_end_lines_is_made_though_they_stand_closed_up_elsewhere() -> None:
    # rubocop's align_array.rb: a method removed between `end` lines, the hunk dedented by
    # two. What it makes, six `end` lines dedented, stands at the file's end as written: a
    # closed-up run of `end` lines says nothing of whether the method is still there.
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -9,15 +9,4 @@\n"
        "           end\n"
        "         end\n"
        "       end\n"
        "-\n"
        "-      def autocorrect_action(node)\n"
        "-        @corrections << lambda do |corrector|\n"
        "-          if column_delta > 0\n"
        "-            corrector.replace(expr, expr.source)\n"
        "-          end\n"
        "-        end\n"
        "-      end\n"
        "     end\n"
        "   end\n"
        " end\n"
    )
    method = ALIGN[ALIGN.index("\n        def autocorrect") : ALIGN.index("      end\n    end\n  end")]
    assert patched(ALIGN, diff) == ALIGN.replace(method, "")


def test_a_deletion_of_a_duplicated_block_is_not_made_twice() -> None:
    """Moses' specs: a `context('sortedIndex')` block stood twice in a row and the commit
    removed the first. Sent again, the diff read loosely over the block that was kept (its
    last context lines taken for the next block's), and would have removed that one too.
    The result, closed up, stands where the reading starts, its lines after the cut the
    block's own: the change is in the file. Once, it is made."""
    block = (
        "  context('sortedIndex', function()\n"
        "    test('returns the index at which a value should be inserted', function()\n"
        "      assert_equal(_.sortedIndex({1,2,3},4),4)\n"
        "    end)\n"
        "    test('sorts the array first when told to', function()\n"
        "      assert_equal(_.sortedIndex({0,10,3,-5},4,comp,true),4)\n"
        "    end)\n"
        "    test('uses the \"<\" operator by default', function()\n"
        "      assert_equal(_.sortedIndex({'a','d','e','z'},'b'),2)\n"
        "    end)\n"
        "  end)\n"
    )
    after = "  context('indexOf', function()\n    test('returns the index of a value', function()\n"
    head = "context('Array functions', function()\n  end)\n\n"
    once, twice = head + block + after, head + block + block + after
    removed = "".join("-" + line + "\n" for line in block.splitlines())
    kept = "".join(" " + line + "\n" for line in block.splitlines()[:2])
    diff = f"--- a/cart.py\n+++ b/cart.py\n@@ -2,15 +2,4 @@\n   end)\n \n{removed}{kept}"
    assert patched(twice, diff) == once
    assert "already in cart.py" in refusal(patched, once, diff)


def test_an_insertion_at_the_end_is_not_applied_twice() -> None:
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -5 +5,2 @@\n         return value\n+# end\n"
    once = patched(PY, diff)
    assert once == PY + "# end\n"
    assert "already in cart.py" in refusal(patched, once, diff)


def test_search_replace_and_edit_file_already_applied_are_refused() -> None:
    search, replace = "        self.log(value)\n", "        self.log(value)\n        self.flush()\n"
    once = block(PY, search, replace)
    assert "already in cart.py" in refusal(block, once, search, replace)
    assert "already in the file" in refusal(apply_edit, once, search, replace)


def test_blank_lines_quoted_first_are_not_read_from_the_line_break_before() -> None:
    """node-gyp's graceful-fs.js: a commit took one of four blank lines away. Sent again
    to the file it made, old_string (four blanks, a comment) stood in it only as a string
    whose first line break ends the `}` line, and a third blank line went too."""
    made = "}\n\n\n\n// on Windows, A/V software can lock the directory\nif (win32) {\n"
    old = "\n\n\n\n// on Windows, A/V software can lock the directory\n"
    new = "\n\n\n// on Windows, A/V software can lock the directory\n"
    assert refusal(apply_edit, made, old, new, path="graceful-fs.js").startswith(
        "The edit is already in graceful-fs.js: the text it makes already stands at line 2,"
    )
    before = made.replace("}\n", "}\n\n")  # four blank lines: the change is still to make
    assert apply_edit(before, old, new, path="graceful-fs.js") == made


def test_a_quote_from_the_end_of_a_line_of_whitespace_keeps_that_whitespace_there() -> None:
    """cssutils' profiles.py: a method ending with a line of eight spaces before its last
    call, quoted from just after those spaces (a line break, the call, the next method's
    `def`) to add a method there. Read as whole lines, the quote's blank first line and the
    new method's blank line were paired the other way: the spaces moved into the new
    method, and the line they were on lost them."""
    py = (
        "class Profiles:\n    def addProfile(self, profile, properties):\n"
        "        self._profiles[profile] = properties\n        \n"
        "        self.__update_knownnames()\n\n    def propertiesByProfile(self):\n"
        "        return list(self._profiles)\n"
    )
    old = "\n        self.__update_knownnames()\n\n    def propertiesByProfile(self):\n"
    added = "    def removeProfile(self, profile):\n        del self._profiles[profile]\n\n"
    new = old.replace("\n    def", f"\n{added}        self.__update_knownnames()\n\n    def")
    assert apply_edit(py, old, new, path="profiles.py") == py.replace(old, new)


def test_a_deletion_is_not_taken_for_an_applied_change() -> None:
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -3,3 +3,2 @@\n" + (
        "         value = sum(self.items)\n-        self.log(value)\n         return value\n"
    )
    assert patched(PY, diff) == PY.replace("        self.log(value)\n", "")


def test_closing_braces_a_level_too_deep_at_the_files_end_are_refused() -> None:
    # pkg/errors' errors_test.go, the whole edit a tab deeper: its context, the file's last
    # three closing braces, stood exactly a line higher, and the new function went inside
    # the last one. A diff has no context after the file's last line: its @@ line names it.
    go = "func TestA(t *testing.T) {\n\tfor {\n\t\tif x {\n\t\t\tif y {\n\t\t\t\tz()\n"
    go += "\t\t\t}\n\t\t}\n\t}\n}\n"
    hunk = " \t\t\t}\n \t\t}\n \t}\n+\n+\tfunc TestB(t *testing.T) {\n+\t}\n"
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -7,3 +7,6 @@\n" + hunk
    assert "and at its last lines, where its @@ line points, but for their indentation" in (
        refusal(patched, go, diff)
    )
    plain = " \t\t}\n \t}\n }\n+\n+func TestB(t *testing.T) {\n+}\n"
    assert patched(go, diff.replace(hunk, plain)) == go + "\nfunc TestB(t *testing.T) {\n}\n"


def test_a_deletion_made_at_its_numbers_is_refused_though_its_lines_stand_elsewhere() -> None:
    # rack-test's gemspec lists its files twice; a hunk removing one from the second list,
    # already made there, stood exact in the first and was made a second time.
    names = ["a_spec.rb", "b_spec.rb", "helper.rb", "string.rb", "body.rb", "last.rb"]
    listed = "".join(f'    "{name}",\n' for name in names) + "  ]\n"
    text = f"  s.files = [\n{listed}  s.summary = 'x'\n  s.test_files = [\n"
    text += listed.replace('    "string.rb",\n', "")
    hunk = "".join(f"{'-' if 'string' in line else ' '}{line}\n" for line in listed.splitlines())
    made = "--- a/cart.py\n+++ b/cart.py\n@@ -11,7 +11,6 @@\n" + hunk
    assert "already stands at line 11" in refusal(patched, text, made)
    first = "--- a/cart.py\n+++ b/cart.py\n@@ -2,7 +2,6 @@\n" + hunk
    assert patched(text, first) == text.replace('    "string.rb",\n', "")


def test_a_deletion_whose_context_stands_near_its_numbers_is_not_taken_for_made() -> None:
    """rust-csv's tests: the first `use` line removed, the next one left out of the quote,
    the @@ line a few lines off. The quote's context is the deletion's result and stands
    near those numbers, but inside the place where the removed line stands too: not made."""
    text = (
        "use std::borrow::{IntoCow, ToOwned};\nuse std::io::{self, Read, Seek, Write};\n"
        "use {\n    Reader, Writer, ByteString, Result,\n    RecordTerminator, QuoteStyle,\n};\n"
        "\nfn assert_svec_eq() {\n}\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -7,3 +7,2 @@\n"
        "-use std::borrow::{IntoCow, ToOwned};\n use {\n     Reader, Writer, ByteString, Result,\n"
    )
    assert patched(text, diff) == text.replace("use std::borrow::{IntoCow, ToOwned};\n", "")


def test_a_deletion_whose_lines_stand_at_its_numbers_with_one_left_out_is_not_made() -> None:
    """swift-log's tests: the file's last blank line removed, the `   }` before the last
    `}` left out of the quote. Its result stands there only up to indentation, and its
    lines as written with that one left out: not made (it said "already in the file")."""
    text = "let all = [\n                (\"test2\", test2),\n           ]\n   }\n}\n\n"
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -3,3 +3,2 @@\n            ]\n }\n-\n"
    message = refusal(patched, text, diff)
    assert "was not found in cart.py" in message and "Did you mean lines 3-5" in message


def test_numbers_naming_a_copy_are_refused_when_the_hunk_ends_where_only_the_file_does() -> None:
    """node-lru-cache's tests end each test with `t.end()` / `})`; a test appended at the
    file's end, its @@ numbers off by 19, named the second test's last lines. A diff has
    context before its new lines and none after only at the file's end, where the last
    copy is."""
    text = "\n".join(f"test('t{n}', function (t) {{\n  t.ok({n})\n\n  t.end()\n}})\n" for n in range(3))
    hunk = " \n   t.end()\n })\n+\n+test('t3', function (t) {\n+  t.end()\n+})\n"
    named = "--- a/cart.py\n+++ b/cart.py\n@@ -9,3 +9,7 @@\n" + hunk
    assert "its @@ line names the one at line 9, but it has no context after its new lines" in (
        refusal(patched, text, named)
    )
    right = "--- a/cart.py\n+++ b/cart.py\n@@ -15,3 +15,7 @@\n" + hunk
    assert patched(text, right) == text + "\ntest('t3', function (t) {\n  t.end()\n})\n"
    # A hunk trimmed to a line of context says nothing of the file's end: its numbers choose.
    added = "\ntest('t3', function (t) {\n  t.end()\n})\n"
    trimmed = "--- a/cart.py\n+++ b/cart.py\n@@ -11,1 +11,5 @@\n })\n" + "".join(
        f"+{line}\n" for line in added.splitlines()
    )
    cut = text.index("})\n", text.index("t1")) + 3
    assert patched(text, trimmed) == text[:cut] + added + text[cut:]


def test_a_deletion_from_a_run_its_quote_does_not_bound_is_placed_by_its_numbers() -> None:
    """Newtonsoft.Json's tests: one of eight `1,` lines removed, quoted as four of them and
    the lines after. In a file with a `1,` more or fewer the quote and its result both
    stand, so whether the change is made shows only in the @@ line."""
    values = "[\n" + "    1,\n" * 8 + "    true,\n    99,\n]\n"
    hunk = "     1,\n     1,\n     1,\n-    1,\n     true,\n     99,\n"
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -6,6 +6,5 @@\n" + hunk
    fewer = values.replace("    1,\n", "", 1)
    assert patched(values, diff) == fewer  # its numbers name its quote: not made yet
    made = "--- a/cart.py\n+++ b/cart.py\n@@ -7,6 +7,5 @@\n" + hunk
    assert "already in cart.py" in refusal(patched, values, made)  # they name its result
    old, new = "    1,\n" * 4 + "    true,\n", "    1,\n" * 3 + "    true,\n"
    assert refusal(apply_edit, values, old, new, path="a.json") == (
        "old_string removes a '1,' line from a run of them that goes on past its quoted lines "
        "in a.json, so a.json reads alike whether the change is already made or not, and it "
        "was not applied. Quote the line before the run (or the one after it) too, so that "
        "the run's length is known."
    )
    assert "removes a '1,' line from a run" in refusal(block, values, old, new)
    bounded = "[\n" + "    1,\n" * 8
    assert apply_edit(values, bounded, bounded[:-7], path="a.json") == fewer
    # Blank lines are shortened as quoted (go-yaml: one of two removed after a `var`); a
    # whitespace-only line beside an empty one is no run of it (gunicorn's worker.py).
    go = "var m = make(map[string]int)\n\n\nfunc f() {}\n"
    quoted = "var m = make(map[string]int)\n\n"
    assert apply_edit(go, quoted, quoted[:-1], path="a.go") == go.replace("\n\n\n", "\n\n")
    py = "    def run(self):\n        self.init()\n        \n\n        self.loop()\n"
    spaces = "        self.init()\n        \n"
    assert apply_edit(py, spaces, "        self.init()\n", path="w.py") == py.replace("        \n", "")


# --- dropped context lines, and several mistakes at once -------------------------------------


def test_a_dropped_context_line_is_tolerated_where_the_removed_line_fixes_the_place() -> None:
    diff = (  # "value = sum(...)" left out between the def line and the removed line
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,4 +2,4 @@\n"
        "     def total(self):\n"
        "-        self.log(value)\n"
        "+        self.log(value, 'total')\n"
        "         return value\n"
    )
    assert patched(PY, diff) == PY.replace("log(value)", "log(value, 'total')")


def test_new_lines_beside_a_dropped_context_line_are_refused() -> None:
    diff = (  # is the new line above or below the "self.log" line the diff leaves out?
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,4 +2,4 @@\n"
        "     def total(self):\n"
        "         value = sum(self.items)\n"
        "+        self.check(value)\n"
        "         return value\n"
    )
    message = refusal(patched, PY, diff)
    assert (
        "it adds 'self.check(value)' where the file has line 4 that it leaves out, so on which "
        "side of those the new lines belong is unclear"
    ) in message


def test_new_lines_beside_a_removed_line_and_a_dropped_one_are_refused() -> None:
    # Written as "+check, -log" with "value = ..." left out between "def" and them: the
    # model may have meant the check above that line or below it (right before "log").
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,4 +2,4 @@\n"
        "     def total(self):\n"
        "+        self.check(self.items)\n"
        "-        self.log(value)\n"
        "         return value\n"
    )
    assert "the new lines belong is unclear" in refusal(patched, PY, diff)
    # ... and after a removed line, "-log, +check" with "value" left out below the removed line
    text = PY.replace("        return value\n", "        value += 1\n        return value\n")
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -3,4 +3,4 @@\n"
        "         value = sum(self.items)\n"
        "-        self.log(value)\n"
        "+        self.check(value)\n"
        "         return value\n"
    )
    assert "where the file has line 5 that it leaves out" in refusal(patched, text, diff)


def test_a_hunk_matching_far_away_reindented_or_at_its_line_with_a_gap_is_refused() -> None:
    text = (
        "def a():\n"
        "    x = 1\n"
        "    y = 2\n"
        "    log(x)\n"
        "    return x\n"
        "\n"
        "\n"
        "class B:\n"
        "    def b(self):\n"
        "        x = 1\n"
        "        log(x)\n"
        "        return x\n"
    )
    diff = (  # "y = 2" left out at line 2, or the method's lines quoted at another depth?
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,3 +2,3 @@\n"
        "     x = 1\n"
        "-    log(x)\n"
        "+    log(x, 'a')\n"
        "     return x\n"
    )
    message = refusal(patched, text, diff)
    assert (
        "matches cart.py at line 10 only with other indentation, far from its @@ line, and at "
        "line 2 with a line left out, so which place it means is unclear"
    ) in message


def test_a_hunk_with_a_typo_stripped_whitespace_and_wrong_numbers_is_placed() -> None:
    text = PY.replace("sum(self.items)\n", "sum(self.items)  \n")  # trailing spaces in the file
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -40,4 +40,4 @@\n"
        "     def total(self):\n"
        "         value = sum(self.itms)\n"  # typo, trailing spaces stripped
        "-        self.log(value)\n"
        "+        self.log(value, 'total')\n"
        "         return value\n"
    )
    assert patched(text, diff) == text.replace("log(value)", "log(value, 'total')")


def test_a_minified_line_is_answered_at_once() -> None:
    # difflib's character ratio is quadratic: over a 200 KB line it took minutes.
    line = "".join(f"function f{n}(a){{return a+{n}}};" for n in range(8000))
    text = "/* bundle */\n" + line + "\n"
    started = time.perf_counter()
    message = refusal(block, text, line.replace("a+7", "a-7") + "\n", "x\n")
    assert time.perf_counter() - started < 5
    assert message.startswith("The SEARCH section was not found in cart.py")


def test_an_edit_of_long_lines_already_made_is_answered_at_once() -> None:
    # clap's search index: each misquoted 9,000-character line took difflib seconds.
    items = ",".join(f'[{n},"item{n}","","The item number {n}",null]' for n in range(220))
    line = "searchIndex['app'] = {\"items\":[" + items + "]};"
    text = f"var searchIndex = {{}};\n{line}\ninitSearch(searchIndex);\n"
    old = text.replace('item number 7"', 'item number seven"')
    started = time.perf_counter()
    message = refusal(apply_edit, text, old, text, path="search-index.js")
    assert time.perf_counter() - started < 5
    assert message.startswith("The edit is already in search-index.js")


NESTED = "function f() {\n  if (ready) {\n    if (loaded) {\n      start();\n    }\n  }\n}\n"


def test_lines_at_other_depths_or_a_line_left_out_is_refused() -> None:
    # Up to indentation the quote matches lines 3-6 as they stand; with its own indentation
    # it matches lines 3-7 with "    }" left out. It removes a different "}" either way.
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -3,5 +3,4 @@\n"
        "     if (loaded) {\n"
        "       start();\n"
        "-  }\n"
        " }\n"
    )
    message = refusal(patched, NESTED, diff)
    assert (
        "some of its lines match there only at another depth, while with their own "
        "indentation they match lines 3-7 with a line left out, so which it means is unclear"
    ) in message



def test_closing_braces_a_level_higher_or_a_line_left_out_is_refused() -> None:
    """gods' serialization.go: `\t}`, `}` quoted with `\treturn err` left out between them
    and written in the new text. Read a level higher they stand as `\t\t}`, `\t}` (the new
    functions went inside the loop); no line says which, so it is refused."""
    text = (
        "func (tree *Tree) FromJSON(data []byte) error {\n"
        "\terr := json.Unmarshal(data, &elements)\n"
        "\tif err == nil {\n"
        "\t\tfor key, value := range elements {\n"
        "\t\t\ttree.Put(key, value)\n"
        "\t\t}\n"
        "\t}\n"
        "\treturn err\n"
        "}\n"
    )
    new = "\t}\n\treturn err\n}\n\nfunc (tree *Tree) UnmarshalJSON(b []byte) error {\n}\n"
    message = refusal(apply_edit, text, "\t}\n}\n", new, path="serialization.go")
    assert (
        "only at another depth, while with their own indentation they match lines 7-9 "
        "with a line left out, so which it means is unclear"
    ) in message


def test_an_added_last_line_without_a_line_break_is_not_added_again() -> None:
    """fill-range's .gitignore ends `*.DS_Store`, `mm.*` with no final line break; the edit
    that added `mm.*` quotes `*.DS_Store` with its line break. Made again it wrote a second
    `mm.*`."""
    made = "tmp\nTODO.md\nvendor\n*.DS_Store\nmm.*"
    message = refusal(apply_edit, made, "vendor\n*.DS_Store\n", "vendor\n*.DS_Store\nmm.*")
    assert message.startswith("The edit is already in the file: the text it makes already")
    assert apply_edit(made + "x", "vendor\n*.DS_Store\n", "vendor\n*.DS_Store\nmm.*") == (
        "tmp\nTODO.md\nvendor\n*.DS_Store\nmm.*\nmm.*x"
    )


def test_a_reading_that_leaves_lines_out_at_the_same_depths_is_no_rival() -> None:
    """sds's README: code blocks four spaces deep, quoted in tabs from a blank line. Read
    from the blank line two higher, with `Or:` and a blank left out, the tab lines pair
    with the same lines in spaces: no line more at its own depth, so no other reading."""
    readme = (
        "    printf(s->buf);\n\nOr:\n\n    printf(pointer(s));\n\n* Advantage #2: chars.\n\n    printf(s[0]);\n"
        "\nWith others.\n\nSDS basics\n"
    )
    old = "\n\tprintf(pointer(s));\n\n* Advantage #2: chars.\n\n\tprintf(s[0]);\n\nWith others.\n"
    new = "\n    printf(pointer(s));\n\n**Advantage #2**: chars.\n\n    printf(s[0]);\n\nWith others.\n"
    assert apply_edit(readme, old, new, path="README.md") == readme.replace(
        "* Advantage #2:", "**Advantage #2**:"
    )


def test_a_loose_match_at_other_depths_gives_way_to_the_reading_at_the_quoted_depth() -> None:
    # A typo, and "      end" left out: the closest window pairs each "end" with the one
    # above it, a level deeper than quoted. The window a line taller holds every "end" at
    # its quoted depth, with the left-out line away from the new one: that is the reading.
    spec = (
        "describe 'Express'\n"
        "  describe 'routing'\n"
        "    describe 'keys'\n"
        "      it 'parses keys'\n"
        "        Express.regexpKeys.should.eql ['page']\n"
        "      end\n"
        "    end\n"
        "  end\n"
        "end\n"
    )
    diff = (
        "--- a/spec.rb\n+++ b/spec.rb\n@@ -5,4 +5,5 @@\n"
        "         Express.regexpKeys.hould.eql ['page']\n"
        "     end\n"
        "+\n"
        "   end\n"
        " end\n"
    )
    files = {"spec.rb": spec}.get
    (result,) = apply_patch(files, diff)
    assert result.new == spec.replace("    end\n  end\n", "    end\n\n  end\n")
    # Quoted at depths the file has nowhere there, no reading pairs the lines at theirs.
    off = diff.replace("     end\n+", "      end\n+").replace("   end\n", "  end\n")
    with pytest.raises(EditError) as error:
        apply_patch(files, off)
    assert error.value.message.startswith(
        "Hunk 1 of the diff (@@ -5,4 +5,5 @@, first line \"Express.regexpKeys.hould.eql ['page']\") "
        "matches lines 5-9 of spec.rb only loosely, and its lines resemble the file's only "
        "loosely and their indentation differs from the file's by different amounts on "
        "different lines, so it may be another place"
    )


TWICE = (
    "def first(request):\n"
    "    check_permissions(request.user)\n"
    "    result = compute(request.payload)\n"
    "    return render(result)\n"
    "\n"
    "\n"
    "def second(request):\n"
    "    check_permissions(request.user)\n"
    "    result = compute(request.payload)\n"
    "    return render(result)\n"
)


def test_at_numbers_do_not_choose_between_places_a_misquoted_hunk_matches() -> None:
    # A typo ("reqest") makes the match loose; the numbers point at the first copy, but a
    # model that misquotes lines may misnumber them too.
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,3 +2,3 @@\n"
        "     check_permissions(reqest.user)\n"
        "-    result = compute(request.payload)\n"
        "+    result = compute(request.payload, strict=True)\n"
        "     return render(result)\n"
    )
    assert (
        "matches 2 places in cart.py (starting at lines 2, 8), and it matches them only "
        "loosely, so its @@ line numbers are not trusted to choose"
    ) in refusal(patched, TWICE, diff)


def test_a_loose_match_with_another_reading_elsewhere_is_refused() -> None:
    # The quote resembles "replace" (two lines misquoted), and it is all in "place" with a
    # long line left out. Which function the model meant is a guess.
    text = (
        "def place(order):\n"
        "    validate(order)\n"
        "    audit_log.write_entry(order, level='debug', reason='placed by the shop')\n"
        "    total = price(order.items)\n"
        "    return total\n"
        "\n"
        "def replace(order):\n"
        "    validate(order)\n"
        "    total = price(order.item)\n"
        "    return total\n"
    )
    block = (
        "def place(order):\n    validate(order)\n    total = price(order.items)\n    return total\n"
    )
    message = refusal(patched, text, _diff(block, "    return round(total, 2)\n", 1))
    assert "was not found in cart.py" in message
    assert "Did you mean lines 7-10" in message


def test_a_quote_of_another_version_of_the_lines_is_refused() -> None:
    """got's tests: a hunk of an older commit quotes `'../'` and `'./_server'` where the
    file has `'../dist'` and `'./helpers/server'`. The window is 93 % alike, but two of
    its lines are misquoted, which is no slip of copying: refused, the place named."""
    js = (
        "import is from '@sindresorhus/is';\nimport test from 'ava';\n"
        "import got from '../dist';\nimport {createServer} from './helpers/server';\n\nlet s;\n"
    )
    old = "import test from 'ava';\nimport got from '../';\nimport {createServer} from './_server';\n"
    new = old.replace("\n", "\nimport pify from 'pify';\n", 1)
    message = refusal(apply_edit, js, old, new, path="test/progress.js")
    assert message.startswith("old_string was not found in test/progress.js;")
    assert "Did you mean lines 2-4" in message
    # One line misquoted is a slip, and is made.
    slip = old.replace("'./_server'", "'./helpers/server'")
    assert "import pify from 'pify';\nimport got from '../dist';" in apply_edit(
        js, slip, slip.replace("\n", "\nimport pify from 'pify';\n", 1), path="test/progress.js"
    )


def test_a_quote_alike_by_one_long_line_whose_other_lines_stand_nowhere_is_refused() -> None:
    """p-throttle's readme quoted in its typings: the one long sentence both have made the
    window 94 % alike by characters, while `##### onDelay` and `Type: Function` stand
    nowhere there. The readme's new section went into the doc comment."""
    sentence = "Use a strict, more resource intensive, throttling algorithm. " * 5
    typings = (
        "\t/**\n\tThe timespan for `limit`.\n\t*/\n\treadonly interval: number;\n\n"
        f"\t/**\n\t{sentence}\n\n\t@default false\n\t*/\n\treadonly strict?: boolean;\n}}\n"
    )
    old = f"\n{sentence}\n\n##### onDelay\n\nType: `Function`\n"
    new = old.replace("##### onDelay", "#### signal\n\nAbort pending executions.\n\n##### onDelay")
    message = refusal(apply_edit, typings, old, new, path="index.d.ts")
    assert message.startswith("old_string was not found in index.d.ts;")


def _diff(old: str, new_last: str, start: int) -> str:
    """A hunk replacing the last line of `old` with `new_last`."""
    lines = old.splitlines(keepends=True)
    body = "".join(" " + line for line in lines[:-1]) + "-" + lines[-1] + "+" + new_last
    count = len(lines)
    return f"--- a/cart.py\n+++ b/cart.py\n@@ -{start},{count} +{start},{count} @@\n{body}"


def test_a_misquoted_line_beside_a_left_out_one_pairs_with_the_line_it_misquotes() -> None:
    # "impor BadHeader" is BadHeader misquoted (not BadData, its neighbour), so BadData is
    # the line left out, right where the new import goes: above it or below it is unclear.
    text = (
        "from .encoding import base64_decode\n"
        "from .encoding import base64_encode\n"
        "from .exc import BadData\n"
        "from .exc import BadHeader\n"
        "from .exc import BadPayload\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,4 +1,5 @@\n"
        " from .encoding import base64_decode\n"
        " from .encoding import base64_encode\n"
        "+from .encoding import want_bytes\n"
        " from .exc impor BadHeader\n"
        " from .exc import BadPayload\n"
    )
    assert "where the file has line 3 that it leaves out" in refusal(patched, text, diff)


def test_a_change_of_indentation_already_made_is_refused() -> None:
    # The block was indented one level deeper; the diff's old lines still match up to
    # whitespace, but its result stands there exactly.
    indented = PY.replace("        value", "            value").replace(
        "        self.log", "            self.log"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,4 +2,4 @@\n"
        "     def total(self):\n"
        "-        value = sum(self.items)\n"
        "-        self.log(value)\n"
        "+            value = sum(self.items)\n"
        "+            self.log(value)\n"
        "         return value\n"
    )
    assert refusal(patched, indented, diff).startswith("The edit is already in cart.py")


# --- a left-out line in short hunks, copies told apart by numbers, runs of equal lines -------

CORE = "var app = {\n  server: new Server,\n  router: new Router\n}\n"


def test_a_short_hunk_with_one_telling_line_and_a_left_out_line_is_placed() -> None:
    # "router: new Router" left out; the new lines go after "}", which the diff says.
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,2 +2,4 @@\n"
        "   server: new Server,\n"
        " }\n"
        "+\n"
        "+configure(app)\n"
    )
    assert patched(CORE, diff) == CORE + "\nconfigure(app)\n"


def test_a_short_hunk_whose_one_telling_line_is_a_symbol_is_placed() -> None:
    """cli-spinners' spinners.json: a hunk after the christmas spinner's `"🌲", ` with its
    last frame `"🎄"` left out. No quoted line had four letters, so no reading with a line
    left out was sought, and the hunk was "not found"; an emoji is as rare as a word."""
    spinner = '\t"{}": {{\n\t\t"frames": [\n\t\t\t"{}", \n\t\t\t"{}"\n\t\t]\n\t}}'
    text = "{\n" + spinner.format("grow", "▁", "▃") + ",\n" + spinner.format("tree", "🌲", "🎄")
    text += "\n}\n"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -10,5 +10,7 @@\n"
        ' \t\t\t"🌲", \n'
        " \t\t]\n"
        "-\t}\n"
        "+\t},\n"
        '+\t"dots": {\n'
        "+\t}\n"
        " }\n"
    )
    made = text.replace('"🎄"\n\t\t]\n\t}\n', '"🎄"\n\t\t]\n\t},\n\t"dots": {\n\t}\n')
    assert patched(text, diff) == made


def test_right_numbers_choose_the_copy_where_the_lines_stand_with_one_left_out() -> None:
    one = "  it('works', () => {\n    assert.ok(run());\n    done();\n  });\n"
    text = (
        "describe('a', () => {\n"
        + one
        + "});\n\n"
        + "\n" * 10
        + "describe('b', () => {\n"
        + one
        + "});\n"
    )
    diff = (  # "assert.ok" left out; the numbers name the second copy to the line
        "--- a/cart.py\n+++ b/cart.py\n@@ -19,3 +19,4 @@\n"
        "   it('works', () => {\n"
        "     done();\n"
        "+    cleanup();\n"
        "   });\n"
    )
    second = text.rindex("    done();\n") + len("    done();\n")
    assert patched(text, diff) == text[:second] + "    cleanup();\n" + text[second:]
    off = diff.replace("@@ -19,3 +19,4 @@", "@@ -17,3 +17,4 @@")  # two lines off: a guess
    assert "stands at 2 places in cart.py (lines 2-5 and 19-22)" in refusal(patched, text, off)


def test_a_misquoted_first_line_beside_a_left_out_line_pairs_with_its_own_line() -> None:
    text = (
        "    log = logging.getLogger()\n"
        "    log.setLevel(logging.DEBUG)\n"
        "    log.propagate = True\n"
        "\n"
        "    get('http://example.com')\n"
        "\n"
    )
    diff = (  # "setLevl" misquoted, "propagate" left out, numbers off
        "--- a/cart.py\n+++ b/cart.py\n@@ -12,4 +12,4 @@\n"
        "     log.setLevl(logging.DEBUG)\n"
        " \n"
        "-    get('http://example.com')\n"
        "+    get('https://example.com')\n"
        " \n"
    )
    assert patched(text, diff) == text.replace("http:", "https:")


def test_a_deletion_whose_lines_stand_with_one_left_out_is_made_not_taken_for_made() -> None:
    text = "        raise Failed(\n            detail(text)\n        )\n\n    def next(self):\n"
    diff = (  # the ")" left out; its result ("raise", "detail") stands there already
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,3 +1,2 @@\n"
        "         raise Failed(\n"
        "             detail(text)\n"
        "-\n"
    )
    assert patched(text, diff) == text.replace(")\n\n", ")\n")


def test_blank_lines_removed_after_a_left_out_line_pair_with_the_run_they_are_in() -> None:
    text = "    if prefetch:\n        r.content\n\n    return r\n\n\n\n\n"
    diff = (  # "return r" left out; the four blank lines below it go, the one above stays
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,6 +2,2 @@\n         r.content\n \n-\n-\n-\n-\n"
    )
    assert patched(text, diff) == "    if prefetch:\n        r.content\n\n    return r\n"


def test_a_quoted_brace_at_its_own_depth_is_not_taken_for_a_left_out_one() -> None:
    text = (
        "describe('a', () => {\n"
        "  it('x', () => {\n"
        "    assert.deepEqual(result, {\n"
        "      params: {}\n"
        "    });\n"
        "  });\n"
        "});\n"
    )
    diff = (  # "    });" left out; the quoted "  });" is the line at its own depth, not that one
        "--- a/cart.py\n+++ b/cart.py\n@@ -4,3 +4,4 @@\n"
        "       params: {}\n"
        "   });\n"
        "+  it('y', () => {});\n"
        " });\n"
    )
    assert patched(text, diff) == text.replace("  });\n});", "  });\n  it('y', () => {});\n});")


def test_braces_read_at_other_depths_or_with_one_left_out_beside_new_lines_are_refused() -> None:
    # Up to indentation, "    }" and "}" are the two braces right after the loop; with their
    # own depth, the loop's "        }" is left out right where the new lines go.
    text = (
        "impl Events {\n"
        "    pub fn clear(&mut self) {\n"
        "        self.events.truncate(0);\n"
        "        for c in 0..self.len() {\n"
        "            self.statuses[c] = zero();\n"
        "        }\n"
        "    }\n"
        "}\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,6 +2,6 @@\n"
        "     pub fn clear(&mut self) {\n"
        "-        self.events.truncate(0);\n"
        "-        for c in 0..self.len() {\n"
        "-            self.statuses[c] = zero();\n"
        "+        self.events.clear();\n"
        "+        for status in self.statuses.iter_mut() {\n"
        "+            *status = zero();\n"
        "     }\n"
        " }\n"
    )
    assert refusal(patched, text, diff) == (
        "Hunk 1 of the diff (@@ -2,6 +2,6 @@, first line 'pub fn clear(&mut self) {') matches "
        "lines 2-7 of cart.py only loosely, and its line '}' stands with its own indentation "
        "at line 8, beside line 7, which it was taken for, so where it belongs is unclear; "
        "copy the lines exactly as they are in the file, with the lines between them."
    )


# --- round 5: a brace left out beside one at another depth, one telling line far away -------


def test_a_misquoted_hunk_whose_brace_pairs_at_another_depth_is_read_with_the_brace_left_out() -> (
    None
):
    # "clar" misquoted, numbers off, the method's "    }" left out: the quoted "}" is the
    # impl's brace at its own depth, not the method's one line closer.
    text = (
        "impl Events {\n"
        "    pub fn len(&self) -> usize {\n"
        "        self.events.len()\n"
        "    }\n"
        "\n"
        "    pub fn clear(&mut self) {\n"
        "        self.events.truncate(0);\n"
        "        for c in 0..self.statuses.len() {\n"
        "            self.statuses[c] = zero();\n"
        "        }\n"
        "    }\n"
        "}\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -30,8 +30,8 @@\n"
        "     }\n"
        " \n"
        "     pub fn clar(&mut self) {\n"
        "-        self.events.truncate(0);\n"
        "-        for c in 0..self.statuses.len() {\n"
        "-            self.statuses[c] = zero();\n"
        "+        self.events.clear();\n"
        "+        for status in self.statuses.iter_mut() {\n"
        "+            *status = zero();\n"
        "         }\n"
        " }\n"
    )
    assert patched(text, diff) == text.replace(
        "        self.events.truncate(0);\n"
        "        for c in 0..self.statuses.len() {\n"
        "            self.statuses[c] = zero();\n",
        "        self.events.clear();\n"
        "        for status in self.statuses.iter_mut() {\n"
        "            *status = zero();\n",
    )


def test_a_short_hunk_far_from_its_numbers_is_placed_by_a_line_found_once() -> None:
    # The "def" line left out and the numbers 20 lines off: the one long line stands once
    # in the file, so where the hunk goes is not in doubt.
    text = (
        "async def session():\n"
        "    await disconnect(session)\n"
        "\n"
        "\n"
        "def lsp_edit_is_empty(action):\n"
        "    return action.edit is not None and not action.edit.document_changes\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -24,2 +24,5 @@\n"
        " \n"
        "     return action.edit is not None and not action.edit.document_changes\n"
        "+\n"
        "+\n"
        "+def other():\n"
    )
    assert patched(text, diff) == text + "\n\ndef other():\n"


def test_a_short_hunk_whose_one_telling_line_is_misquoted_is_placed_by_it() -> None:
    # "ew Server" misquoted, "router: new Router" left out, numbers off: the misquoted line
    # is like one file line more than any other, and "}" stands one line below it.
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -30,2 +30,4 @@\n"
        "   server: ew Server,\n"
        " }\n"
        "+\n"
        "+configure(app)\n"
    )
    assert patched(CORE, diff) == CORE + "\nconfigure(app)\n"


LADDER = (
    "  describe('a', function () {\n"
    "    it('b', function (done) {\n"
    "      run(function () {\n"
    "        done();\n"
    "      });\n"
    "    });\n"
    "  });\n"
)


def test_a_hunk_ending_without_a_newline_is_placed_at_the_files_end() -> None:
    # "  })" left out; of the runs of "})" lines, the marker says the last one is the file's
    # last line, so the hunk only adds the final line break.
    text = "describe('x', function () {\n" + LADDER.replace(";", "") + LADDER.replace(";", "") + "})"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -16,3 +16,3 @@\n"
        "       })\n"
        "     })\n"
        "-})\n"
        "\\ No newline at end of file\n"
        "+})\n"
    )
    assert patched(text, diff) == text + "\n"


def test_right_numbers_place_a_run_of_braces_where_it_stands_with_one_left_out() -> None:
    # "    });" left out; up to indentation the three braces stand in every copy, but with
    # their own indentation only at the @@ line, and the readings near it give one file.
    text = "describe('x', function () {\n" + LADDER * 3 + "});\n"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -20,3 +20,4 @@\n"
        "       });\n"
        "   });\n"
        "+  it('c');\n"
        " });\n"
    )
    assert patched(text, diff) == text.replace("  });\n});\n", "  });\n  it('c');\n});\n")


def test_a_last_line_taken_for_the_line_above_its_own_gives_way_to_the_taller_window() -> None:
    # "uncode" misquoted, "self.name = name" left out, numbers off: the window as tall as
    # the quote takes "self.filename" for "self.name" (and is refused for it); the window
    # a line taller reads every line as well and that one as itself.
    text = (
        "    def __init__(self, environment, source, name=None, filename=None):\n"
        "        self.environment = environment\n"
        "        if isinstance(filename, unicode):\n"
        "            filename = filename.encode('utf-8')\n"
        "        self.source = unicode(source)\n"
        "        self.name = name\n"
        "        self.filename = filename\n"
        "        self.closed = False\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -61,6 +61,4 @@\n"
        "     def __init__(self, environment, source, name=None, filename=None):\n"
        "         self.environment = environment\n"
        "-        if isinstance(filename, unicode):\n"
        "-            filename = filename.encode('utf-8')\n"
        "         self.source = uncode(source)\n"
        "         self.filename = filename\n"
    )
    assert patched(text, diff) == text.replace(
        "        if isinstance(filename, unicode):\n"
        "            filename = filename.encode('utf-8')\n",
        "",
    )


def test_of_two_readings_with_a_line_left_out_the_one_with_fewer_mistakes_is_taken() -> None:
    # The "tmpl = ..." line before "== '42'" left out. Read two lines higher, the same
    # quote also needs its last line misquoted ("[('items', 42)]" for '42'): one more mistake.
    text = (
        "    def test_attr(self, env):\n"
        "        tmpl = env.from_string('{{ foo|attr(\"items\") }}')\n"
        "        assert tmpl.render(foo={'items': 42}) == \"[('items', 42)]\"\n"
        "        tmpl = env.from_string('{{ foo|attr(\"items\")() }}')\n"
        "        assert tmpl.render(foo={'items': 42}) == \"[('items', 42)]\"\n"
        "        tmpl = env.from_string('{{ foo[\"items\"] }}')\n"
        "        assert tmpl.render(foo={'items': 42}) == '42'\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -5,2 +5,5 @@\n"
        "         assert tmpl.render(foo={'items': 42}) == \"[('items', 42)]\"\n"
        "         assert tmpl.render(foo={'items': 42}) == '42'\n"
        "+\n"
        "+\n"
        "+def test_finalizer():\n"
    )
    assert patched(text, diff) == text + "\n\ndef test_finalizer():\n"


def test_numbers_that_name_the_files_last_lines_place_an_append_with_a_line_left_out() -> None:
    # "return errInvalidActionType" left out: a blank line and "}" say nothing by
    # themselves, but the @@ line names them to the line, as the file's last lines.
    notes = "".join(f"// note {n}\n" for n in range(20))
    text = notes + "func a() error {\n\tif x {\n\t\treturn nil\n\t}\n\n\treturn errInvalid\n}\n"
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -25,2 +25,5 @@\n \n }\n+\n+func b() {\n+}\n"
    assert patched(text, diff) == text + "\nfunc b() {\n}\n"
    # Numbers that are off cannot name the end of the file: nothing says where it goes.
    off = diff.replace("@@ -25,2 +25,5 @@", "@@ -12,2 +12,5 @@")
    assert refusal(patched, text, off).startswith(
        "Hunk 1 of the diff (@@ -12,2 +12,5 @@, first line '}') was not found in cart.py"
    )


# --- round 6: numbers a few lines off, an exact match far from them --------------------------

LOOP = "\tfor _, test := range tests {\n\t\ttestRoute(t, test)\n\t\ttestTemplate(t, test)\n\t}\n"


def routes_file(copies: int, gap: int) -> str:
    """A Go test file whose test functions end in the same loop (gorilla/mux's mux_test.go)."""
    fillers = "".join(f'\t\t{{title: "case {n}"}},\n' for n in range(gap))
    return "".join(
        f"func TestCase{n}(t *testing.T) {{\n\ttests := []routeTest{{\n{fillers}\t}}\n\n{LOOP}}}\n\n"
        for n in range(copies)
    )


def test_numbers_that_miss_every_copy_of_a_block_do_not_choose_between_them() -> None:
    # The loop stands at lines 25 and 55; numbers off by 5, or by one, from the second may
    # be a guess as well as a miscount, and a guess near one copy may be meant for the other.
    text = routes_file(2, 20)
    assert text.splitlines()[54] == LOOP.splitlines()[0]
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -60,4 +60,5 @@\n"
        " \tfor _, test := range tests {\n"
        " \t\ttestRoute(t, test)\n"
        " \t\ttestTemplate(t, test)\n"
        "+\t\ttestUseEscapedRoute(t, test)\n"
        " \t}\n"
    )
    for header in ("@@ -60,4 +60,5 @@", "@@ -56,4 +56,5 @@", "@@ -54,4 +54,5 @@"):
        said = refusal(patched, text, diff.replace("@@ -60,4 +60,5 @@", header))
        assert "its @@ line numbers do not point clearly at one of them" in said
    # Numbers that name the second copy's first line choose it.
    second = text.rindex("\t\ttestTemplate(t, test)\n") + len("\t\ttestTemplate(t, test)\n")
    made = text[:second] + "\t\ttestUseEscapedRoute(t, test)\n" + text[second:]
    assert patched(text, diff.replace("@@ -60,4 +60,5 @@", "@@ -55,4 +55,5 @@")) == made


def test_an_exact_match_far_from_numbers_that_name_a_left_out_reading_is_refused() -> None:
    # The quoted loop, "}" and blank line stand as written only at line 55 (a function whose
    # "}" follows a blank line); at the @@ line (25) they stand with the function's "}" left
    # out. Numbers 30 lines off, or a left-out line at the right numbers?
    text = routes_file(2, 20)
    text = text[: text.rindex("\t}\n}\n")] + "\t}\n\n}\n"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -25,5 +25,6 @@\n"
        " \tfor _, test := range tests {\n"
        " \t\ttestRoute(t, test)\n"
        " \t\ttestTemplate(t, test)\n"
        "+\t\ttestUseEscapedRoute(t, test)\n"
        " \t}\n"
        " \n"
    )
    assert (
        "matches cart.py exactly at line 55, far from its @@ line 25, and at line 25 with a "
        "line left out, so which place it means is unclear"
    ) in refusal(patched, text, diff)
    # Where no such reading stands at the numbers, they were simply wrong.
    alone = text.replace(LOOP + "}\n", "\t// no loop here\n}\n", 1)
    first = alone.rindex("\t\ttestTemplate(t, test)\n") + len("\t\ttestTemplate(t, test)\n")
    assert (
        patched(alone, diff) == alone[:first] + "\t\ttestUseEscapedRoute(t, test)\n" + alone[first:]
    )


def koa_test(name: str, check: str, status: int) -> str:
    """One test of koajs/bodyparser's middleware.test.js: a handler with or without a check."""
    body = f"      ctx.request.body.should.eql({check});\n" if check else ""
    return (
        f"  it('{name}', function (done) {{\n    app.use(bodyParser());\n\n"
        f"    app.use(async (ctx) => {{\n{body}      ctx.body = ctx.request.body;\n    }});\n"
        f"    request(app.listen())\n      .post('/')\n      .expect({status}, done);\n  }});\n\n"
    )


def test_an_exact_match_farther_from_the_numbers_than_a_left_out_reading_is_refused() -> None:
    # bodyparser: the hunk left out its test's `should.eql` check, so it matched exactly only
    # the one handler without a check, 188 lines from its numbers, while its own handler,
    # with the line left out, stood 7 lines from them: past the few lines that counted as
    # "at the numbers", it was applied to the wrong test.
    tests = "".join(koa_test(f"case {n}", f"{{n: {n}}}", 200) for n in range(4))
    text = "describe('json', function () {\n" + tests + koa_test("null", "", 204) + "});\n"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -22,5 +22,6 @@\n"
        " \n"
        "     app.use(async (ctx) => {\n"
        "+      ctx.request.rawBody.should.equal('{}');\n"
        "       ctx.body = ctx.request.body;\n"
        "     });\n"
        "     request(app.listen())\n"
    )
    assert refusal(patched, text, diff) == (
        "Hunk 1 of the diff (@@ -22,5 +22,6 @@, first line 'app.use(async (ctx) => {') matches "
        "cart.py exactly at line 52, far from its @@ line 22, and at line 16 with a line left "
        "out, so which place it means is unclear. Give the correct @@ line numbers, or copy "
        "the lines exactly as they are in the file, with the lines between them."
    )
    # Numbers nearer the exact match than any such reading choose it.
    nearer = diff.replace("@@ -22,5 +22,6 @@", "@@ -48,5 +48,6 @@")
    made = text.replace(
        "      ctx.body", "      ctx.request.rawBody.should.equal('{}');\n      ctx.body"
    )
    assert patched(text, nearer) == text[: text.index("  it('null'")] + made[made.index("  it('null'") :]


def test_numbers_to_the_line_choose_between_copies_a_hunk_matches_up_to_whitespace() -> None:
    # The loop copied with spaces for the file's tabs; it stands at lines 25 and 55, and the
    # @@ line names the second to the line: whitespace drift says nothing against numbers.
    text = routes_file(2, 20)
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -55,4 +55,5 @@\n"
        "     for _, test := range tests {\n"
        "         testRoute(t, test)\n"
        "         testTemplate(t, test)\n"
        "+\t\ttestUseEscapedRoute(t, test)\n"
        "     }\n"
    )
    second = text.rindex("\t\ttestTemplate(t, test)\n") + len("\t\ttestTemplate(t, test)\n")
    assert patched(text, diff) == text[:second] + "\t\ttestUseEscapedRoute(t, test)\n" + text[second:]
    # Numbers a line off, or a misquoted line, and which copy is meant is a guess.
    off = diff.replace("@@ -55,4 +55,5 @@", "@@ -56,4 +56,5 @@")
    assert "its @@ line numbers are not trusted to choose" in refusal(patched, text, off)
    typo = diff.replace("testRoute(t, test)", "testRute(t, test)")
    assert "its @@ line numbers are not trusted to choose" in refusal(patched, text, typo)


def test_a_result_without_the_final_line_break_it_adds_is_not_already_made() -> None:
    # The edit's only change is the workflow's missing final line break; its old_string
    # quotes the lines with tabs, its new_string as the file has them. Those lines stand
    # there, but without the line break, so the edit is not made yet (gorilla/mux).
    text = "steps:\n  - uses: actions/add-to-project@v0.5.0\n    with:\n      token: x"
    old = "\t- uses: actions/add-to-project@v0.5.0\n\t\twith:\n\t\t\ttoken: x"
    new = "  - uses: actions/add-to-project@v0.5.0\n    with:\n      token: x\n"
    assert apply_edit(text, old, new) == text + "\n"
    # With the line break there, it is made: refused, not made twice.
    assert refusal(apply_edit, text + "\n", old, new).startswith("The edit is already in")


# --- round 7: held-out set F -------------------------------------------------------------------

WORKFLOW_JOB = (
    "    runs-on: ${{matrix.os}}\n"
    "    env:\n"
    "      BUNDLE_GEMFILE: .ci.gemfile\n"
    "    steps:\n"
    "    - uses: actions/checkout@v2\n"
    "\n"
    "    - uses: ruby/setup-ruby@v1\n"
    "      with:\n"
    "        ruby-version: ${{matrix.ruby}}\n"
)


def test_a_loose_window_is_refused_when_any_reading_with_a_line_left_out_gives_another_file() -> (
    None
):
    # rack's workflow runs the same steps in two jobs. With BUNDLE_GEMFILE left out, the
    # hunk reads at either job with a line left out; the loose window at the first job (its
    # "env:" taken for nothing) was checked only against the first such reading, the same
    # place, and won; the reading at the second job gives another file.
    text = (
        "jobs:\n  test:\n" + WORKFLOW_JOB + "    - run: bundle exec rake\n\n"
        "  external:\n    needs: test\n" + WORKFLOW_JOB + "    - run: bundle exec rake external\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -30,6 +30,6 @@\n"
        "     env:\n"
        "     steps:\n"
        "-    - uses: actions/checkout@v2\n"
        "+    - uses: actions/checkout@v3\n"
        " \n"
        "     - uses: ruby/setup-ruby@v1\n"
        "       with:\n"
    )
    assert "stands at 2 places in cart.py (lines 4-10 and 17-23)" in refusal(patched, text, diff)
    # With one job the hunk says where it goes.
    one = "jobs:\n  test:\n" + WORKFLOW_JOB
    assert patched(one, diff) == one.replace("checkout@v2", "checkout@v3")


def test_a_window_that_reads_the_quoted_lines_worse_gives_way_to_one_that_reads_them_all() -> None:
    # commander's test header with its "/**" left out and "dependencies" misquoted. The
    # window of the lines below, its removed blank taken for the blank after " */" and its
    # two context lines for nothing, looked closer to the character ratio than the window
    # holding all three in order; it removed the wrong blank line.
    code = "".join(f"program.option('--flag-{n}');\n" for n in range(40))
    text = "\n/**\n * Module dependencies.\n */\n\nvar util = require('util');\n" + code
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -32,3 +32,2 @@\n-\n  * Module depndencies.\n  */\n"
    assert patched(text, diff) == text[1:]


def test_numbers_that_name_the_files_first_line_place_a_prepend_with_a_line_left_out() -> None:
    # A changelog entry added on top, the old top entry's title left out: a blank line and
    # a "====" underline say nothing by themselves (they stand under every entry), but the
    # @@ line names them to the line, as the file's first lines.
    entries = [("0.3.0 / 2011-10-31 ", "Added options"), ("0.2.1 / 2011-10-24 ", "Fixed help")]
    text = "".join(f"\n{title}\n==================\n\n  * {note}\n" for title, note in entries)
    new = "\n0.3.1 / 2011-11-01 \n==================\n\n  * Changed `--version` to `-V`\n"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,2 +1,7 @@\n"
        + "".join(f"+{line}\n" for line in new.split("\n")[:-1])
        + " \n ==================\n"
    )
    assert patched(text, diff) == new + text
    # Numbers that are off cannot name the start of the file: nothing says where it goes.
    off = diff.replace("@@ -1,2 +1,7 @@", "@@ -7,2 +7,7 @@")
    assert "was not found in cart.py" in refusal(patched, text, off)


def test_a_blank_line_removed_from_a_run_after_a_left_out_line_is_not_already_made() -> None:
    # commander's Readme: the hunk removes one of two blank lines before a code block, with
    # the paragraph above them left out. Its result (two blank lines, the block) stands
    # there already, over the blank below the paragraph; but every quoted line stands too,
    # in order, with the paragraph left out: the change is not made yet.
    text = (
        "### Specify the argument syntax\n\nYou use `.arguments` to specify the arguments.\n"
        "\n\n```js\nvar program = require('commander');\n\nprogram\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,6 +2,5 @@\n"
        " \n \n-\n ```js\n var program = require('commander');\n \n"
    )
    assert patched(text, diff) == text.replace("\n\n\n```js", "\n\n```js")
    # Made (one blank line left), neither reading stands: refused, not made twice.
    made = text.replace("\n\n\n```js", "\n\n```js")
    assert "was not found in cart.py" in refusal(patched, made, diff)


def routing_file() -> str:
    """Two route classes of starlette's routing.py: the same methods, the first `return`
    one level deeper in the first."""
    tail = (
        "        return Match.NONE, {}\n"
        "\n"
        "    def url_path_for(self, name: str, **path_params: str) -> URLPath:\n"
        "        seen_params = set(path_params.keys())\n"
        "        expected_params = set(self.param_convertors.keys())\n"
        "\n"
    )
    return (
        "class Route:\n    def matches(self, scope):\n        if match:\n"
        "            if self.methods:\n                return Match.PARTIAL, child_scope\n"
        "            else:\n                return Match.FULL, child_scope\n" + tail
        + "class WebSocketRoute:\n    def matches(self, scope):\n        if match:\n"
        "            child_scope = {'endpoint': self.endpoint}\n"
        "            return Match.FULL, child_scope\n" + tail
    )


def test_a_rival_reading_at_another_depth_does_not_refuse_the_copy_quoted_at_its_own() -> None:
    # The blank line after "return Match.NONE" left out. The hunk reads at both classes
    # with it left out, but its `return Match.FULL` has the second class's depth: the
    # reading at the first class reads one line worse and gives way.
    text = routing_file()
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -19,6 +19,6 @@\n"
        "             return Match.FULL, child_scope\n"
        "         return Match.NONE, {}\n"
        "-    def url_path_for(self, name: str, **path_params: str) -> URLPath:\n"
        "+    def url_path_for(self, name: str, **path_params: typing.Any) -> URLPath:\n"
        "         seen_params = set(path_params.keys())\n"
        "         expected_params = set(self.param_convertors.keys())\n"
    )
    second = text.rindex("path_params: str)")
    assert patched(text, diff) == text[:second] + "path_params: typing.Any)" + text[second + 17 :]


def test_a_window_that_pairs_only_a_blank_line_is_no_reading_of_the_quote() -> None:
    # koa's test helper: the hunk removes the blank first line, with `'use strict'` left
    # out and `require` misquoted. The window of the blank line and `const Stream` below
    # is close by characters, but it reads the removed blank as the blank above
    # `const Stream` and pairs no line with words: it removed the wrong blank line.
    text = (
        "\n'use strict'\n\nconst Stream = require('stream')\n"
        "const Koa = require('../lib/application')\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -15,3 +15,2 @@\n"
        "-\n"
        " \n"
        " const Stream = reqire('stream')\n"
    )
    assert patched(text, diff) == text[1:]


def test_a_hunk_that_stands_at_several_copies_with_a_line_left_out_names_them() -> None:
    # httpx's api.py: the same `return request(` call in every helper. With `"GET",` left
    # out the hunk stands at each copy, so "was not found ... Did you mean" would send the
    # model looking for a typo it did not make; the refusal names the copies instead. (Its
    # @@ line names none of them: numbers that name one to the line would choose it.)
    call = (
        "    return request(\n        'GET',\n        url,\n        params=params,\n"
        "        timeout=timeout,\n    )\n"
    )
    text = "".join(f"def {name}(url):\n{call}\n\n" for name in ("get", "head", "options"))
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -5,6 +5,6 @@\n"
        "     return request(\n"
        "         url,\n"
        "-        params=params,\n"
        "+        params=params or {},\n"
        "         timeout=timeout,\n"
        "     )\n"
    )
    assert refusal(patched, text, diff) == (
        "Hunk 1 of the diff (@@ -5,6 +5,6 @@, first line 'return request(') stands at 3 places "
        "in cart.py (lines 2-7, 11-16 and 20-25), each time with a line of the file left out "
        "between its lines, so which one it means is unclear; add context lines that tell "
        "these places apart."
    )
    search = "".join(line[1:] + "\n" for line in diff.splitlines()[3:] if line[0] != "+")
    replace = search.replace("params=params,", "params=params or {},")
    assert refusal(block, text, search, replace) == (
        "The SEARCH section stands at 3 places in cart.py (lines 2-7, 11-16 and 20-25), each "
        "time with a line of the file left out between its lines, so which one it means is "
        "unclear; add context lines that tell these places apart."
    )


def test_a_one_character_slip_chooses_the_copy_whose_line_it_misquotes() -> None:
    # echo's bind_test.go: test functions end alike, but for the name they assert. A quote
    # of `"Jon Doe"` with its `J` dropped is a slip of one character there, and a misquote
    # of many at `"Jon Snow"`: the copies are near by characters, not by that line.
    def test(name: str, person: str) -> str:
        return (
            f"func {name}(t *testing.T) {{\n\terr := c.Bind(u)\n\tif assert.NoError(t, err) {{\n"
            f'\t\tassert.Equal(t, 1, u.ID)\n\t\tassert.Equal(t, "{person}", u.Name)\n\t}}\n}}\n\n'
        )

    text = test("TestBindForm", "Jon Snow") + test("TestBindJSON", "Jon Snow")
    text += test("TestBindHeader", "Jon Doe")
    old = '\t\tassert.Equal(t, 1, u.ID)\n\t\tassert.Equal(t, "on Doe", u.Name)\n\t}\n}\n'
    new = old + "\nfunc TestBindQuery(t *testing.T) {\n}\n"
    assert apply_edit(text, old, new) == text + "func TestBindQuery(t *testing.T) {\n}\n\n"
    # The copies the same, the slip tells nothing: refused.
    same = text.replace("Jon Snow", "Jon Doe")
    assert refusal(apply_edit, same, old, new).startswith("old_string was not found")


def test_new_lines_in_the_files_tabs_stay_when_a_stray_line_leaves_no_one_mapping() -> None:
    # ky's readme: a tab-indented example with one stray line, two spaces before its tab.
    # The quote writes every tab as spaces; its '+' lines are in tabs, as the file. No
    # one mapping explains `\t` -> 4 spaces and `  \t` -> 6 spaces, and the line-by-line
    # mapping of the stray line rewrote the tabs of the new lines in spaces.
    text = (
        "(async () => {\n"
        "\tconst retryOptions = {retries: 10, methods: ['get']};\n"
        "\n"
        "  \tconst parsed = await ky('https://example.com', {retry: retryOptions}).json();\n"
        "})();\n"
    )
    new = (
        "\tconst parsed = await ky('https://example.com', {\n"
        "\t\tretry: {limit: 10, methods: ['get']},\n"
        "\t}).json();\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,5 +1,5 @@\n"
        " (async () => {\n"
        "-    const retryOptions = {retries: 10, methods: ['get']};\n"
        "-\n"
        "-      const parsed = await ky('https://example.com', {retry: retryOptions}).json();\n"
        + "".join("+" + line + "\n" for line in new.splitlines())
        + " })();\n"
    )
    expected = "(async () => {\n" + new + "})();\n"
    assert patched(text, diff) == expected
    search = "".join(line[1:] + "\n" for line in diff.splitlines()[3:] if line[0] != "+")
    assert block(text, search, "(async () => {\n" + new + "})();\n") == expected


def test_a_misquoted_hunk_among_many_alike_places_sees_every_copy() -> None:
    """validator's baked_in.go: `return ip != nil && ip.To4() == nil` between a blank line
    and a `}` stands in two functions, and the file has 60 more places of a blank line
    and a `}` two lines apart. With the `return` misquoted only those lines voted, and the
    first 50 places by position were scored: the last copy, where the @@ line points, was
    never seen, so the first was changed. Both are seen now, and the hunk is refused."""
    body = "".join(f"func f{n}() {{\n\n\treturn {n}\n}}\n" for n in range(60))
    tail = "func isIPv6() bool {\n\n\treturn ip != nil && ip.To4() == nil\n}\n"
    text = tail + body + tail
    line = text.count("\n") - 2  # the last copy's blank line
    diff = (
        f"--- a/v.go\n+++ b/v.go\n@@ -{line},3 +{line},5 @@\n \n"
        " \treturn i != nil && ip.To4() == nil\n }\n+\n+func isHostname() bool { return true }\n"
    )
    sentence = refusal(apply_patch, lambda path: text, diff)
    assert "matches 2 places in v.go (starting at lines 2, " in sentence


def test_numbers_choose_among_copies_of_a_hunk_with_a_line_left_out_only_naming_one() -> None:
    # rack's development.yml: two jobs with the same steps. A hunk that left out a job's
    # `BUNDLE_GEMFILE` line stands at both. Numbers that name the second job's first line
    # to the line make a right diff of that job, with a line left out (round 9 counted
    # it a false apply, the model having meant the first job; the benchmark no longer
    # draws numbers off by exactly the distance to another copy). Numbers that name
    # neither do not choose: refused, naming the copies.
    job = (
        "    runs-on: ${{matrix.os}}\n    env:\n      BUNDLE_GEMFILE: .ci.gemfile\n"
        "    steps:\n    - uses: actions/checkout@v2\n\n    - uses: ruby/setup-ruby@v1\n"
        "      with:\n        bundler-cache: true\n\n    - run: bundle exec rake\n\n"
    )
    text = "jobs:\n  test:\n" + job + "  external:\n" + job
    hunk = (
        "     env:\n     steps:\n-    - uses: actions/checkout@v2\n"
        "+    - uses: actions/checkout@v3\n \n     - uses: ruby/setup-ruby@v1\n       with:\n"
    )
    second = text.rindex("checkout@v2")
    made = text[:second] + "checkout@v3" + text[second + len("checkout@v2") :]
    assert patched(text, "--- a/cart.py\n+++ b/cart.py\n@@ -17,6 +17,6 @@\n" + hunk) == made
    assert refusal(patched, text, "--- a/cart.py\n+++ b/cart.py\n@@ -12,6 +12,6 @@\n" + hunk) == (
        "Hunk 1 of the diff (@@ -12,6 +12,6 @@, first line 'env:') stands at 2 places in "
        "cart.py (lines 4-10 and 17-23), each time with a line of the file left out between "
        "its lines, so which one it means is unclear; add context lines that tell these "
        "places apart."
    )


def test_a_quote_in_spaces_for_tabs_is_not_made_by_a_result_standing_elsewhere() -> None:
    # viper's encoding.go: the `codec` switch of one registry already lacks the cases this
    # edit removes from the other's. The quote, in spaces where the file has tabs, matches
    # only up to whitespace wherever it is, so the second switch standing as the result
    # says nothing of the first: it was refused as already made.
    def switch(name: str, cases: str) -> str:
        return (
            f"func {name}(format string) (Codec, bool) {{\n\tswitch format {{\n"
            '\tcase "toml":\n\t\treturn toml.Codec{}, true\n\n'
            + cases
            + '\tcase "dotenv", "env":\n\t\treturn &dotenv.Codec{}, true\n\t}\n\n'
            "\treturn nil, false\n}\n"
        )

    hcl = '\tcase "hcl", "tfvars":\n\t\treturn hcl.Codec{}, true\n\n'
    text = switch("registryCodec", hcl) + "\n" + switch("defaultCodec", "")
    quote = (
        '    case "toml":\n        return toml.Codec{}, true\n\n'
        '    case "hcl", "tfvars":\n        return hcl.Codec{}, true\n\n'
        '    case "dotenv", "env":\n'
    )
    new = '\tcase "toml":\n\t\treturn toml.Codec{}, true\n\n\tcase "dotenv", "env":\n'
    made = text.replace(hcl, "", 1)
    assert apply_edit(text, quote, new) == made
    assert block(text, quote, new) == made
    # Made, the quote matches nowhere and the result stands where it went: refused.
    assert refusal(apply_edit, made, quote, new).startswith("The edit is already in the file")


def test_a_hunk_without_old_lines_is_not_applied_twice() -> None:
    # zod's src/playground.ts, empty before the commit: its diff has no context or '-'
    # lines, only numbers. Sent again to the file it made, the lines were added a second
    # time, since the check for a made change looks for the places of old lines.
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -0,0 +1,3 @@\n"
        "+import * as z from '.';\n+\n+run();\n"
    )
    once = patched("", diff)
    assert once == "import * as z from '.';\n\nrun();\n"
    assert refusal(patched, once, diff) == (
        "The edit is already in cart.py: the lines hunk 1 of the diff (@@ -0,0 +1,3 @@) adds "
        "already stand at line 1, where its @@ numbers put them, so it was not applied a "
        "second time. Read the file again and change only what is still missing."
    )


def test_numbers_two_lines_from_a_copy_do_not_choose_it() -> None:
    # testify's forward_requirements_test.go: test functions that all end alike. A hunk
    # appending tests, three context lines before and none after (the file's end), had
    # numbers off by 38 that landed two lines from another copy, which they chose.
    test = '\tif !mockT.Failed {\n\t\tt.Error("Check should fail")\n\t}\n}\n'
    text = "func TestA(t *testing.T) {\n" + test + "\nfunc TestB(t *testing.T) {\n" + test
    body = ' \t\tt.Error("Check should fail")\n \t}\n }\n+\n+func TestC(t *testing.T) {\n+}\n'
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -1,3 +1,6 @@\n" + body
    assert refusal(patched, text, diff) == (
        "Hunk 1 of the diff (@@ -1,3 +1,6 @@, first line 't.Error(\"Check should fail\")') "
        "matches 2 places in cart.py (starting at lines 3, 9), and its @@ line numbers do not "
        "point clearly at one of them. Add context lines that tell the places apart, or give "
        "the correct @@ line numbers."
    )
    right = "--- a/cart.py\n+++ b/cart.py\n@@ -9,3 +9,6 @@\n" + body
    assert patched(text, right) == text + "\nfunc TestC(t *testing.T) {\n}\n"
    # Numbers to the line of the other copy name it, but the hunk's shape names the file's
    # end: refused too (node-lru-cache's tests, where such numbers were off by 19).
    first = "--- a/cart.py\n+++ b/cart.py\n@@ -3,3 +3,6 @@\n" + body
    assert "but it has no context after its new lines" in refusal(patched, text, first)


def test_an_append_named_at_the_end_with_a_line_left_out_against_an_exact_copy_nearby() -> None:
    """psf/black's dummy_implementations.py: the hunk's `@decorated` context line left out,
    its two other lines stand verbatim three lines higher. The numbers and the hunk's shape
    say "the file's end", the exact copy says otherwise: refused, not guessed."""
    text = (
        "async def async_function(self): ...\n"
        "\n"
        "\n"
        "@decorated\n"
        "async def async_function(self): ...\n"
    )
    # The blank line and the function three lines higher match as written.
    text = "def a(): ...\n\n" + text
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -5,2 +5,5 @@\n"
        " \n"
        " async def async_function(self): ...\n"
        "+\n"
        "+\n"
        "+class ClassA: ...\n"
    )
    assert refusal(patched, text, diff) == (
        "Hunk 1 of the diff (@@ -5,2 +5,5 @@, first line 'async def async_function(self): "
        "...') matches cart.py at line 2, and at line 5, where its @@ line points, with a "
        "line left out, adding its lines at the file's end; which place it means is unclear. "
        "Copy the lines exactly as they are in the file, with the lines between them."
    )


def test_a_hunk_unsaid_where_it_reads_best_is_not_made_where_it_reads_worse() -> None:
    # cowboy's rest_handler_SUITE.erl: at its @@ line the hunk reads with the content-type
    # line left out, right beside its new line (above it or below it?). Eleven lines on,
    # another test reads it with "{ok, Body}" for its "{ok, <<...>>}" and a line left out;
    # that worse reading was made.
    erl = (
        '\tRef = gun:get(ConnPid, "/", [\n'
        '\t\t{<<"accept-encoding">>, <<"gzip">>}\n'
        "\t]),\n"
        "\t{response, nofin, 200, Headers} = gun:await(ConnPid, Ref),\n"
        '\t{_, <<"text/plain">>} = lists:keyfind(<<"content-type">>, 1, Headers),\n'
        '\t{ok, <<"This is REST!">>} = gun:await_body(ConnPid, Ref),\n'
        "\tok.\n"
        "\n"
        "do_no_body_switch_handler1(Config, Method, Path) ->\n"
        "\tRef = gun:Method(ConnPid, Path, [\n"
        '\t\t{<<"range">>, <<"bytes=0-">>}\n'
        "\t]),\n"
        "\t{response, nofin, 200, Headers} = gun:await(ConnPid, Ref),\n"
        "\t{ok, Body} = gun:await_body(ConnPid, Ref),\n"
        '\t<<"Hello">> = do_decode(Headers, Body),\n'
        "\tok.\n"
        "\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -3,5 +3,6 @@\n"
        " \t]),\n"
        " \t{response, nofin, 200, Headers} = gun:await(ConnPid, Ref),\n"
        '+\t{_, <<"GET">>} = lists:keyfind(<<"allow">>, 1, Headers),\n'
        ' \t{ok, <<"This is REST!">>} = gun:await_body(ConnPid, Ref),\n'
        " \tok.\n"
        " \n"
    )
    assert "so on which side of those the new lines belong is unclear" in refusal(
        patched, erl, diff
    )


def test_a_misquote_that_is_a_slip_of_a_line_elsewhere_makes_a_loose_window_doubtful() -> None:
    # This repository's test_edit_lost_prefix.py: `scale(sef` is one character from line 7,
    # whose next line was left out before `    )`; the window at lines 4-5 reads it with a
    # `+` more and no line left out, and it was made there, numbers being off.
    text = (
        "def test_counts() -> None:\n"
        "    diff = (\n"
        '        "--- a/m.py\\n+++ b/m.py\\n@@ -1,3 +1,4 @@\\n"\n'
        '        "class A:\\n    def scale(self, x):\\n+        a = 0\\n        a = 1\\n"\n'
        "    )\n"
        "    assert patched(PY, diff) == (\n"
        '        "class A:\\n    def scale(self, x):\\n        a = 0\\n        a = 1\\n"\n'
        '        "        b = 2\\n        return a * x\\n"\n'
        "    )\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -30,2 +30,4 @@\n"
        '         "class A:\\n    def scale(sef, x):\\n        a = 0\\n        a = 1\\n"\n'
        "     )\n"
        "+\n"
        "+# the next test\n"
    )
    with pytest.raises(EditError):
        patched(text, diff)


def test_a_misquote_read_as_well_at_a_copy_with_a_line_left_out_is_refused() -> None:
    """factory_bot's specs: two `before` blocks alike but for a blank line. A hunk of the
    first with that line left out and a typo reads as the second with the typo alone, and
    as the first with the typo and the line left out: the lines that match are the same,
    so the place is a guess (it was made at the second, the wrong copy)."""
    before = "  before do\n    define_model('User')\n{}    define_model('Post') do\n"
    before += "      belongs_to :user\n    end\n  end\n"
    text = 'describe "stub" do\n' + before.format("\n") + "end\n\n"
    text += 'describe "stub strategy" do\n' + before.format("") + "end\n"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -40,6 +40,6 @@\n"
        "   before do\n"
        "-    define_model('User')\n-    define_model('Post') do\n"
        '+    define_model("User")\n+    define_model("Post") do\n'
        "       belogs_to :user\n     end\n   end\n"
    )
    message = refusal(patched, text, diff)
    assert "was not found in cart.py" in message
    # With the typo alone the hunk reads at the second copy only, and is made there.
    typo_free = diff.replace("belogs_to", "belongs_to")
    assert patched(text, typo_free) == text.replace(
        "    define_model('User')\n    define_model('Post')",
        '    define_model("User")\n    define_model("Post")',
    )


def test_a_copy_read_as_well_in_a_loose_window_with_a_line_left_out_refuses_too() -> None:
    """swift-argument-parser's Argument.swift: two `init`s alike but for a `wrappedValue`
    line, and the misquoted line (`ArgumntDefinition`) a copy of one that stands in many
    places, so only the loose windows read the other `init`: as well, with a line left out."""

    def init(extra: str) -> str:
        return (
            f"  public init(\n{extra}    help: String? = nil\n  ) where Value: Arg {{\n"
            "    let arg = ArgumentDefinition(\n      kind: .positional\n    )\n  }\n\n"
        )

    others = "".join(f"  func f{n}() {{\n    let arg = ArgumentDefinition(\n  }}\n\n" for n in range(5))
    text = init("    wrappedValue: Value,\n") + init("") + others
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -30,5 +30,5 @@\n"
        "   public init(\n     help: String? = nil\n-  ) where Value: Arg {\n+  ) {\n"
        "     let arg = ArgumntDefinition(\n       kind: .positional\n"
    )
    assert "matches 2 places in cart.py" in refusal(patched, text, diff)


def test_a_misquote_read_as_well_at_other_blocks_with_a_line_left_out_refuses() -> None:
    """httparse's simd/mod.rs: `#[cfg(all(` blocks, two of them with a feature line more.
    A hunk without numbers misquotes `httparse_simd` and reads at the first block as it
    stands, and at the others as well with that feature line left out: the line may be the
    model's one mistake or its second, and the new line goes into a different block."""

    def cfg(extra: str, item: str) -> str:
        return (
            f"#[cfg(all(\n    httparse_simd,\n{extra}    any(\n        target_arch = \"x86\",\n"
            f'        target_arch = "x86_64",\n    ),\n))]\n{item}\n\n'
        )

    feature = "    httparse_simd_target_feature_avx2,\n"
    text = "mod swar;\n\n" + cfg("", "mod sse42;") + cfg(feature, "mod a;") + cfg(feature, "use a;")
    # (its line stands in more places than a misquote is looked for at)
    text += '#[cfg(all(\n    httparse_simd,\n    target_arch = "aarch64",\n))]\nmod neon;\n\n' * 2
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -0,6 +0,7 @@\n \n #[cfg(all(\n     httpase_simd,\n"
        "+    not(httparse_simd_target_feature_avx2),\n     any(\n"
        '         target_arch = "x86",\n         target_arch = "x86_64",\n'
    )
    message = refusal(patched, text, diff)
    assert "was not found in cart.py" in message and "Did you mean lines 2-7" in message
    # Quoted as the file has it, the hunk stands at the first block only, and is made there.
    assert patched(text, diff.replace("httpase", "httparse")) == text.replace(
        "    httparse_simd,\n", "    httparse_simd,\n    not(httparse_simd_target_feature_avx2),\n", 1
    )


def test_new_lines_beside_a_repeated_line_that_goes_on_past_a_loose_quote_are_refused() -> None:
    """colorama's demo: `colorama.init()` replaced, before three `print("aaa")` lines; a
    hunk quotes two of them, the second misquoted. It may have left out the first, and
    then the new line's side of it is not said."""
    text = '    """\n    colorama.init()\n' + '    print("aaa")\n' * 3 + "    print(x)\n"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,4 +1,4 @@\n"
        '     """\n-    colorama.init()\n+    colorama.fix()\n     print("aaa")\n     prnt("aaa")\n'
    )
    assert "was not found in cart.py" in refusal(patched, text, diff)
    quoted = diff.replace("prnt", "print")  # as the file has them: no misquote, made
    assert patched(text, quoted) == text.replace("init", "fix")


def test_copies_of_a_repeated_line_added_beside_it_read_the_same_anywhere_in_its_run() -> None:
    """envconfig's usage_test.go: a `{.Key}` line added to a run of them, in a hunk with a
    typo. Wherever among the copies the new line goes, the file reads the same, so nothing
    is unclear; a line of other text is. A hunk whose one mistake is the blank line it left
    out above the run quoted the run as it stands: its new line goes where it says."""
    text = "ENV_A=\n`\n\nvar Bad = `{.Key}\n" + "{.Key}\n" * 10 + "`\n\nfunc f() {}\n"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,6 +2,7 @@\n"
        " `\n \n var Bd = `{.Key}\n+{.Key}\n {.Key}\n {.Key}\n {.Key}\n"
    )
    assert patched(text, diff) == text.replace("`\n\nfunc", "{.Key}\n`\n\nfunc")
    other = diff.replace("+{.Key}", "+{.Name}")
    assert "was not found in cart.py" in refusal(patched, text, other)
    left_out = other.replace(" `\n \n var Bd", " `\n var Bad").replace("-2,6 +2,7", "-2,5 +2,6")
    assert patched(text, left_out) == text.replace("{.Key}\n{.Key}", "{.Key}\n{.Name}\n{.Key}", 1)


def test_new_lines_beside_a_run_quoted_whole_by_a_hunk_that_left_out_a_line_elsewhere() -> None:
    """tzinfo's zone files end with four `end`s; a hunk changing the last two periods
    quoted three after its new lines and left out a period line above them. Every quoted
    line stands as the file has it with that one line left out, so the run was quoted as
    the commit had it; read as a misquote, the new lines' side of the `end`s was unsaid.
    With a misquote as well, it stays refused."""
    text = (
        "module Z\nclass Nauru\nsetup\nstart {one}\nperiod(1) {two}\nperiod(2) {three}\n"
        "period(3) {four}\nperiod(4) {five}\nend\nend\nend\nend\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -4,7 +4,7 @@\n start {one}\n period(2) {three}\n"
        "-period(3) {four}\n-period(4) {five}\n+period(3) {FOUR}\n+period(4) {FIVE}\n"
        " end\n end\n end\n"
    )
    assert patched(text, diff) == text.replace("{four}", "{FOUR}").replace("{five}", "{FIVE}")
    misquoted = diff.replace(" period(2) {three}", " period(2) {thre}")
    assert "where among them the new lines belong is unclear" in refusal(patched, text, misquoted)


def test_new_lines_beside_blank_lines_that_go_on_past_a_loose_quote_are_refused() -> None:
    """bottle's tests: a method replaced, three blank lines after it; a hunk with a typo
    quotes two of them after its new lines. Whether it left one out before them or after
    its new lines is not said."""
    text = (
        "class T:\n    def tear(self):\n        self.stop()\n        app.pop()\n        app.close()\n\n"
        "    def same(self, a):\n        return a\n\n\n\ndef helper():\n    pass\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -20,9 +20,7 @@\n"
        "         self.stp()\n         app.pop()\n         app.close()\n"
        "-\n-    def same(self, a):\n-        return a\n"
        "+    def status(self):\n+        return 200\n \n \n"
    )
    assert "Did you mean lines 3-10" in refusal(patched, text, diff)
    # The blank lines quoted up to the next line bound the run: made.
    bounded = diff.replace(" \n \n", " \n \n \n def helper():\n")
    assert patched(text, bounded) == text.replace(
        "\n    def same(self, a):\n        return a\n", "    def status(self):\n        return 200\n"
    )
    # Blank lines the file has apart (lazy.nvim's changelog: a heading left out between
    # them) are no run: the release goes in under the title.
    log = "# Changelog\n\n## [10.5.1]\n\n\n### Bug Fixes\n\n* fix\n"
    top = "--- a/cart.py\n+++ b/cart.py\n@@ -0,3 +0,5 @@\n # Changelog\n+\n+## [10.6.0]\n \n \n"
    assert patched(log, top) == log.replace("\n\n## [10.5.1]", "\n\n## [10.6.0]\n\n## [10.5.1]")


def test_a_window_without_the_misquoted_line_is_no_closer_than_copies_with_every_line() -> None:
    """bcrypt's CI file: a job's steps three times, the second with a line more; a hunk
    for the third misquotes its last line. Every copy reads it with that misquote (the
    second with a line left out too); the second's window without the misquoted line
    read the rest more exactly, and won by that alone. The copies stay rivals."""
    steps = (
        "    steps:\n      - uses: actions/checkout@v4.2.2\n      - name: Setup python\n"
        "        id: setup-python\n        uses: quansight-labs/setup-python@v5.4.0\n"
        "        with:\n          python-version: ${{ matrix.PYTHON.VERSION }}\n"
    )
    cache = "      - uses: actions/cache@v4.2.3\n        timeout-minutes: 5\n"
    arch = "          architecture: ${{ matrix.WINDOWS.ARCH }}\n"
    text = (
        f"jobs:\n  linux:\n{steps}{cache}\n  windows:\n{steps}{arch}{cache}\n  rust:\n{steps}{cache}"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -27,7 +27,7 @@\n"
        "       - uses: actions/checkout@v4.2.2\n       - name: Setup python\n"
        "         id: setup-python\n-        uses: quansight-labs/setup-python@v5.4.0\n"
        "+        uses: actions/setup-python@v5.5.0\n         with:\n"
        "           python-version: ${{ matrix.PYTHON.VERSION }}\n       - uses: actios/cache@v4.2.3\n"
    )
    assert "matches 3 places in cart.py (starting at lines 15, 4, 27)" in refusal(
        patched, text, diff
    )


def test_new_lines_at_a_depth_the_shallow_quote_writes_follow_the_quote() -> None:
    """passport's tests: a `describe` added after the last one in its parent, in a hunk
    two columns shallower than the file (its whitespace-only lines as the file has them).
    The new block starts at two columns, the file's base there, but also the depth of the
    quote's `});` above it: it follows the quote, and goes in at four."""
    text = (
        "describe('http', function() {\n  describe('#logIn', function() {\n"
        "    describe('with session', function() {\n      it('sets user', function() {\n"
        "        expect(req.user).to.be.an('object');\n      });\n    });\n    \n  });\n"
        "  \n  \n  describe('#logOut', function() {\n  });\n});\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -6,6 +6,10 @@\n"
        "     });\n   });\n     \n"
        "+  describe('without session', function() {\n+    it('throws', function() {\n"
        "+    });\n+  });\n"
        " });\n   \n   \n"
    )
    added = (
        "    describe('without session', function() {\n      it('throws', function() {\n"
        "      });\n    });\n"
    )
    assert patched(text, diff) == text.replace("    \n  });\n", "    \n" + added + "  });\n", 1)


def test_new_lines_at_a_depth_only_short_quoted_lines_have_follow_the_quote() -> None:
    """cors's .travis.yml: a comment stood a column shallower than its list (1, the list
    at 2), and a SEARCH a column shallow wrote it at 0 and the list's ` - |` lines at 1.
    The new step at 1 is the file's base, but also where the quote's ` - |` lines stand:
    it follows the quote and goes in at 2, beside the comment the commit moved there."""
    text = (
        "before_install:\n  - |\n    npm config set shrinkwrap false\n"
        " # Update Node.js modules\n  - |\n    # Prune & rebuild node_modules\n"
        "    if [[ -d node_modules ]]; then\n      npm prune\n    fi\n"
    )
    kept = " - |\n   # Prune & rebuild node_modules\n   if [[ -d node_modules ]]; then\n"
    search = " - |\n   npm config set shrinkwrap false\n# Update Node.js modules\n" + kept
    replace = (
        " - |\n   npm config set shrinkwrap false\n - |\n   # nyc for coverage\n"
        "   npm install nyc\n # Update Node.js modules\n" + kept
    )
    assert block(text, search, replace) == text.replace(
        " # Update", "  - |\n    # nyc for coverage\n    npm install nyc\n  # Update"
    )


def test_a_quote_whose_kept_lines_read_two_ways_is_refused_in_a_sentence() -> None:
    """ruby/pstore's drift: the quote wrote the file's `    end` and `\tend` both as
    `\tend`, and which of them the one new `\tend` keeps decides the result."""
    text = "def run\n  if ready\n    go\n    end\n\tend\nend\n"
    search, replace = "  if ready\n    go\n\tend\n\tend\n", "  if ready\n    go\n    stop\n\tend\n"
    assert refusal(block, text, search, replace) == (
        "The edit to cart.py was not applied: which of the lines of the SEARCH section the "
        "REPLACE section keeps can be read two ways, with different results (a line comes "
        "out as '    end' one way and '\\tend' the other), so what it means is unclear. "
        "Write the SEARCH section as the file has those lines."
    )


WHEEL_TEST = (
    'def test_findable():\n    """Make sure pkg_resources can find us."""\n'
    "    import pkg_resources\n    assert pkg_resources.working_set\n    "
)
"""wheel's test.py, which ends with a line of four spaces and no line break."""


def test_an_old_string_that_stops_in_a_lines_indentation_is_refused() -> None:
    """Quoted without its `assert` line but for the file's last line of spaces, and
    written with the `assert` in new_string, the quote was found ending in the `assert`
    line's indentation: replaced, that line's `assert` stayed behind at column 0."""
    old = '    """Make sure pkg_resources can find us."""\n    import pkg_resources\n    '
    new = old + "assert pkg_resources.working_set\n\ndef test_egg_re():\n    pass\n"
    assert refusal(apply_edit, WHEEL_TEST, old, new, path="test.py") == (
        "old_string ends in the indentation of line 4 of test.py ('assert "
        "pkg_resources.working_set'), and new_string does not end with the same whitespace, "
        "so the rest of that line would move; end both with whole lines and send the edit "
        "again."
    )
    assert "ends in the indentation of line 3 of t.py ('c = 2')" in refusal(
        apply_edit, "if a:\n    b = 1\n    c = 2\n", "    b = 1\n    ", "    b = 3\n", path="t.py"
    )


def test_an_old_string_ending_in_indentation_that_new_string_keeps_is_a_string_edit() -> None:
    """Both sides end with the next line's indentation: the line keeps it. A quote whose
    last line of spaces is the file's own last line is whole lines too."""
    text = "if a:\n    b = 1\n    c = 2\n"
    assert apply_edit(text, "    b = 1\n    ", "    b = 3\n    ", path="t.py") == text.replace(
        "b = 1", "b = 3"
    )
    old = "    import pkg_resources\n    assert pkg_resources.working_set\n    "
    new = "    import pkg_resources as pr\n    assert pr.working_set\n"
    assert apply_edit(WHEEL_TEST, old, new, path="test.py") == WHEEL_TEST.replace(
        old, new
    )


def test_a_byte_order_mark_is_no_part_of_the_first_line() -> None:
    """wheel's `__init__.py` saved with a byte-order mark: its version line, as the model
    writes it, is found in every format, and the mark stays first. An edit that quotes
    the mark is taken as written (MediatR's commit that added a line above it dropped it)."""
    text = "\ufeff__version__ = '0.35.0'\nX = 1\n"
    bumped = text.replace("0.35.0", "0.35.1")
    old, new = "__version__ = '0.35.0'\n", "__version__ = '0.35.1'\n"
    assert block(text, old, new) == bumped
    assert apply_edit(text, old, new, path="cart.py") == bumped
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -1,1 +1,1 @@\n-" + old + "+" + new
    assert patched(text, diff) == bumped
    assert apply_edit(text, "\ufeff" + old, "\ufeff" + new, path="cart.py") == bumped
    assert apply_edit(text, "\ufeff" + old, new, path="cart.py") == bumped[1:]
    assert patched(text, diff.replace("-_", "-\ufeff_")) == bumped[1:]
    numbered = "1 | \ufeff__version__ = '0.35.0'\n2 | X = 1\n"  # after a line number
    assert apply_edit(text, numbered, numbered.replace("35.0", "35.1"), path="cart.py") == bumped
    escaped = "\\ufeff__version__ = '0.35.0'\\nX = 1\\n"  # escaped twice
    assert apply_edit(text, escaped, escaped.replace("35.0", "35.1"), path="cart.py") == bumped


def test_lines_added_above_the_first_go_after_the_byte_order_mark() -> None:
    """Before the mark, it would stand at the start of line 2, where it is a stray
    character (a syntax error in Python), and the file would lose its encoding's mark."""
    text = "\ufeffimport os\nimport sys\n"
    headed = "\ufeff# Tools.\nimport os\nimport sys\n"
    assert patched(text, "--- a/cart.py\n+++ b/cart.py\n@@ -1,1 +1,2 @@\n+# Tools.\n import os\n") == headed
    assert block(text, "import os\n", "# Tools.\nimport os\n") == headed


def test_a_quote_of_braces_at_another_depth_is_refused_beside_one_with_a_line_left_out() -> None:
    """CsvHelper's tests end `\t\t}`, a blank line, `\t}`, `}`. Quoted without the blank
    line but written with it, the braces also stand, two tabs deeper, closing a `try` block
    far up: there the new blank line would go inside a test. Braces say nothing of where
    they stand, so the two readings are a guess: refused."""
    test = "\t\t\t\ttry\n\t\t\t\t{\n\t\t\t\t\tWrite();\n\t\t\t\t}\n\t\t\t}\n\t\t}\n"
    text = "namespace Tests\n{\n\tpublic class Writer\n\t{\n\t\tpublic void Test()\n\t\t{\n"
    text += "\t\t\tif (ok)\n\t\t\t{\n" + test + "\n\t\tprivate int x;\n\t\t{\n\t\t}\n\n\t}\n}"
    assert refusal(apply_edit, text, "\t\t}\n\t}\n}", "\t\t}\n\n\t}\n}\n", path="cart.py") == (
        "old_string matches lines 12-14 of cart.py only loosely, and some of its lines match "
        "there only at another depth, while with their own indentation they match lines 18-21 "
        "with a line left out, so which it means is unclear; copy the lines exactly as they "
        "are in the file, with the lines between them."
    )


def test_a_removed_blank_line_pairs_past_a_misquoted_line_not_with_the_blank_left_out() -> None:
    """simple_form's README ends `MIT ...`, a blank line, the logo's licence, a blank line;
    the commit removes the last one. A hunk quoting both lines without the blank between
    them, the licence misquoted, was paired from its start: the removed blank with the one
    left out, the licence line with nothing, and the wrong blank line went."""
    mit = "MIT License. Copyright 2020 Rafael França, Carlos Antônio da Silva.\n"
    logo = "The Simple Form logo is licensed under Creative Commons NoDerivatives 4.0.\n"
    text = "# Simple Form\n\n## License\n\n" + mit + "\n" + logo + "\n"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -5,3 +5,2 @@\n"
        f" {mit} {logo.replace('NoDerivatives', 'NoDrivatives')}-\n"
    )
    assert patched(text, diff) == text[:-1]


def test_a_shallow_diffs_one_worded_line_at_the_files_base_does_not_make_it_the_files() -> None:
    """pdoc's HTML test data: a hunk 16 columns shallower than the file, adding `</li>`
    and `<li>` at 8 columns and a link at 16 between them. The link alone stands at the
    file's base; the lines around it, shallower than any the file has there, show the
    new lines follow the quote, and they move in by 16 with it."""
    pad = " " * 16
    text = (
        "<ul>\n" + pad + "    <li>\n" + pad + "            <ul>\n"
        + pad + "                    <li>\n" + pad + "                    </li>\n"
        + pad + "            </ul>\n\n" + pad + "        </li>\n" + pad + "</ul>\n</div>\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -5,5 +5,8 @@\n"
        "                     </li>\n             </ul>\n \n"
        "+        </li>\n+        <li>\n+                <a href=\"#f\">f</a>\n"
        "         </li>\n </ul>\n"
    )
    added = pad + "        </li>\n" + pad + "        <li>\n" + pad + '                <a href="#f">f</a>\n'
    assert patched(text, diff) == text.replace("\n\n" + pad, "\n\n" + added + pad, 1)


def test_a_dedented_edit_moving_a_body_in_by_a_level_moves_it_in_the_file_too() -> None:
    # kemal's handler.cr: the macro's body and its `end` move in by a level, in a quote
    # that lost a level. Written as it came, the body would be the file's old body, and
    # its `end`, moved from the quote's column 0 to 2, stood at the file's base: the edit
    # was read as already in the file's indentation and left the body where it was.
    body = [  # the macro's body, and its `end`, one level apart from its first line
        "  class_name = {{@type.name}}",
        "  ({{paths}}).each do |path|",
        '    @@only_routes_tree.add "#{class_name}/#{path}"',
        "  end",
        "end",
    ]

    def macro(depth: str, moved: str) -> str:
        head = f'{depth}macro only(paths, method = "GET")\n'
        return head + "".join(f"{moved}{line}\n" for line in body) + "\n"

    call = "def call(env : HTTP::Server::Context)\n"
    tail = "      call_next(env)\n    end\n  end\nend\n"
    text = "module Kemal\n  class Handler\n" + macro("    ", "  ") + "    " + call + tail
    old = macro("  ", "") + "  " + call
    new = macro("  ", "  ") + "  " + call
    assert apply_edit(text, old, new) == (
        "module Kemal\n  class Handler\n" + macro("    ", "    ") + "    " + call + tail
    )


def test_a_window_a_line_off_is_no_way_around_a_reading_whose_side_is_unsaid() -> None:
    # ansible-lint's configuring.rst (its letters rot13'd, shortened): a several-mistakes
    # hunk, its blank line after the new lines left out, reads there with a typo and that
    # gap, its new lines' side unsaid. A window one line up, pairing its first line with
    # the title above, takes a mistake more and was made.
    text = (
        '\n'
        '.. pbagragf:: Gbcvpf\n'
        '\n'
        'Guvf gbcvp qrfpevorf ubj gb pbasvther Nafvoyr Yvag\n'
        '\n'
        '\n'
        '\n'
        'Vs n inyhr vf cebivqrq ba obgu gur pbzznaq yvar naq ivn n pbasvt svyr,'
        ' gur inyhrf jvyy or zretrq (vs n yvfg yvxr **rkpyhqr_cnguf**), be gur '
        '**Gehr** inyhr jvyy or cersreerq, va gur pnfr bs fbzrguvat yvxr **dhvr'
        'g**.\n'
        '\n'
        '\n'
        '\n'
        '      - ./zl/bgure/rkpyhqrq/qverpgbel/\n'
        '    cnefrnoyr: gehr\n'
        '    dhvrg: gehr\n'
        '    ehyrfqve:\n'
        '      - ./ehyr/qverpgbel/\n'
        '    fxvc_yvfg:\n'
        '      - fxvc_guvf_gnt\n'
        '      - naq_guvf_bar_gbb\n'
        '      - fxvc_guvf_vq\n'
        "      - '401'\n"
        '    gntf:\n'
        '      - eha_guvf_gnt\n'
        '    hfr_qrsnhyg_ehyrf: gehr\n'
        '    ireobfvgl: 1\n'
        '\n'
        '\n'
        '.. vapyhqr:: ../../../../ERNQZR.efg'
    )
    diff = (
        '--- a/cart.py\n'
        '+++ b/cart.py\n'
        '@@ -20,25 +20,9 @@\n'
        ' \n'
        ' Guvf gbcvp qrfpevorf uj gb pbasvther Nafvoyr Yvag\n'
        ' \n'
        ' \n'
        '-\n'
        '-Vs n inyhr vf cebivqrq ba obgu gur pbzznaq yvar naq ivn n pbasvt svyr'
        ', gur inyhrf jvyy or zretrq (vs n yvfg yvxr **rkpyhqr_cnguf**), be gur'
        ' **Gehr** inyhr jvyy or cersreerq, va gur pnfr bs fbzrguvat yvxr **dhv'
        'rg**.\n'
        '-\n'
        '-\n'
        '-\n'
        '-      - ./zl/bgure/rkpyhqrq/qverpgbel/\n'
        '-    cnefrnoyr: gehr\n'
        '-    dhvrg: gehr\n'
        '-    ehyrfqve:\n'
        '-      - ./ehyr/qverpgbel/\n'
        '-    fxvc_yvfg:\n'
        '-      - fxvc_guvf_gnt\n'
        '-      - naq_guvf_bar_gbb\n'
        '-      - fxvc_guvf_vq\n'
        "-      - '401'\n"
        '-    gntf:\n'
        '-      - eha_guvf_gnt\n'
        '-    hfr_qrsnhyg_ehyrf: gehr\n'
        '-    ireobfvgl: 1\n'
        '+.. vapyhqr:: ../../../../ERNQZR.efg\n'
        '+   :fgneg-nsgre: pbasvt-svyr-qbpf-vapyhfvba-znexre-qb-abg-erzbir\n'
        '+   :raq-orsber: pbasvt-svyr-qbpf-vapyhfvba-znexre-raq-qb-abg-erzbir\n'
        ' \n'
        ' .. vapyhqr:: ../../../../ERNQZR.efg\n'
    )
    assert "so on which side of that line its new lines belong is unclear" in refusal(
        patched, text, diff
    )


SPEC = (
    "describe Cop do\n"
    "  it 'corrects' do\n"
    "    expect_correction(<<~RUBY)\n"
    "      require 'uri'\n"
    "    RUBY\n"
    "  end\n"
    "\n"
    "  context 'nested' do\n"
    "    it 'corrects' do\n"
    "      expect_correction(<<~RUBY)\n"
    "        require 'uri'\n"
    "      RUBY\n"
    "    end\n"
    "  end\n"
    "end\n"
)
SPEC_SEARCH = "\t\texpect_correction(<<~RUBY)\n\t\t\trequire 'uri'\n\t\tRUBY\n\tend\n"


def test_a_block_quoted_in_tabs_and_restated_in_the_files_spaces_names_its_depth() -> None:
    # The quote stands at two depths once whitespace is ignored; two spaces per tab read it
    # as the first, and the lines REPLACE repeats stand there as it writes them.
    replace = (
        "    expect_correction(<<~RUBY)\n"
        "      require 'uri'\n"
        "      require 'set'\n"
        "    RUBY\n"
        "  end\n"
    )
    expected = SPEC.replace(
        "      require 'uri'\n    RUBY\n", "      require 'uri'\n      require 'set'\n    RUBY\n"
    )
    assert block(SPEC, SPEC_SEARCH, replace) == expected
    assert apply_edit(SPEC, SPEC_SEARCH, replace, path="cart.py") == expected


def test_a_tab_quote_whose_replace_moves_its_lines_deeper_is_not_placed_by_them() -> None:
    # Wrapped in a new block, the restated lines stand at the depth of the second copy,
    # while the quote reads as the first: the two readings disagree, so neither is taken.
    replace = (
        "    within do\n"
        "      expect_correction(<<~RUBY)\n"
        "        require 'uri'\n"
        "      RUBY\n"
        "    end\n"
        "  end\n"
    )
    assert refusal(block, SPEC, SPEC_SEARCH, replace) == (
        "The SEARCH section does not match cart.py exactly, and ignoring whitespace it "
        "matches 2 places (starting at lines 3, 10); it must match exactly one. Copy the "
        "lines exactly as they are in the file, with enough surrounding lines to make the "
        "SEARCH section unique."
    )


C_INIT = 'void init(void)\n{\n\tPy_InitModule3("m", methods, "");\n}\n'


def test_new_lines_in_both_characters_stand_as_written_after_a_quote_in_spaces() -> None:
    # jinja's _speedups.c: the quote lost the file's tab, the new struct is written in
    # tabs but for one line aligned with spaces, which the commit meant.
    old = 'void init(void)\n{\n    Py_InitModule3("m", methods, "");\n}\n'
    added = (
        "\nstatic struct PyModuleDef definition = {\n"
        "        PyModuleDef_HEAD_INIT,\n"
        '\t"m",\n'
        "\tNULL,\n"
        "};\n"
    )
    assert apply_edit(C_INIT, old, old + added, path="m.c") == C_INIT + added


PHP = (
    "class Slim {\n"
    "\tpublic static function raise() {\n"
    "\t\tthrow new SlimException();\n"
    "\t}\n"
    "\t\n"
    "\t/**\n"
    "\t * Set Content-Type\n"
    "\t */\n"
    "\tpublic static function contentType($type) {\n"
)


def test_a_dedented_doc_comment_quote_gets_its_tab_back_in_the_new_lines_too() -> None:
    # slimphp's Slim.php: the quote and its replacement lost the tab every line has. Its
    # ` * ` lines are indented with a space and the new body with a tab, which is not a
    # quote in spaces beside new lines in both characters: every new line gets the tab.
    old = "}\n\t\n/**\n * Set Content-Type\n"
    new = "}\n\t\n/**\n * Pass\n */\npublic static function pass() {\n\tob_clean();\n" + old
    added = "\t/**\n\t * Pass\n\t */\n\tpublic static function pass() {\n\t\tob_clean();\n\t}\n\t\n"
    result = PHP.replace("\t/**\n\t * Set", added + "\t/**\n\t * Set")
    assert apply_edit(PHP, old, new, path="Slim.php") == result


JS_HOOKS = "got({\n\thooks: {\n\t\tbefore: []\n\t},\n\tmutable: true\n});\n"


def test_a_new_line_with_a_stray_space_before_its_tabs_keeps_it() -> None:
    # got's readme: one quoted line drifted to spaces, the new lines are in the file's
    # tabs, two with a space before them, as the commit wrote them.
    old = "\t},\n    mutable: true\n});\n"
    added = "\nif (response) {\n \tlog(response);\n\n \treturn error;\n}\n"
    new = "\t},\n    mutable: true\n});\n" + added
    assert apply_edit(JS_HOOKS, old, new, path="readme.md") == JS_HOOKS + added


TMUX = (
    "static enum cmd_retval\n"
    "cmd_confirm_before_exec(struct cmd *,\n"
    "    struct cmdq_item *);\n"
    "struct cmd_confirm_before_data {\n"
    "\tstruct cmdq_item\t*item;\n"
    "\tstruct cmd_list\t\t*cmdlist;\n"
    "};\n"
)


def test_a_new_line_at_an_indentation_the_quote_drifted_to_and_the_file_has_stays() -> None:
    """tmux indents by tabs and continues a line four spaces in. A quote with one tab
    written as four spaces, and another tab kept, had its new continuation line (four
    spaces in, as the file writes them) made a tab. The quote writes the file's tab right
    as often as it slips: a drift, so the new line stands as written also in a file with
    no line four spaces in."""
    old = "\tstruct cmdq_item\t*item;  \n    struct cmd_list\t\t*cmdlist;\n};\n"
    added = "\nstatic enum args_parse_type\nparse(__unused struct args *args,\n    u_int idx)\n"
    new = old + added
    assert apply_edit(TMUX, old, new, path="cmd.c") == TMUX + added
    gofmt = TMUX.replace("    struct", "\tstruct")  # no line four spaces in
    assert apply_edit(gofmt, old, new, path="cmd.c") == gofmt + added


def test_a_long_misquoted_hunk_does_not_read_its_closing_lines_a_level_deeper() -> None:
    # faraday's em_http_spec.rb: a typo, and the `    end` beside the new lines left out.
    # The closest window read `  end` and `end` as the `    end` and `  end` above the
    # file's last line, which hid the left-out line and applied the hunk on a guess.
    lets = "".join(f"    let(:v{i}) {{ {i} }}\n" for i in range(40))
    text = (
        "# frozen_string_literal: true\n\ndescribe Cop do\n  context 'a' do\n"
        + lets
        + "    it 'x' do\n      old1\n    end\n  end\nend\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,48 +1,48 @@\n # frozen_strig_literal: true\n \n"
        " describe Cop do\n   context 'a' do\n"
        + "".join(" " + line + "\n" for line in lets.splitlines())
        + "-    it 'x' do\n-      old1\n+    it 'y' do\n+      new1\n   end\n end\n"
    )
    assert refusal(patched, text, diff) == (
        "Hunk 1 of the diff (@@ -1,48 +1,48 @@, first line '# frozen_strig_literal: true') "
        "matches lines 1-49 of cart.py only loosely, and it adds \"it 'y' do\" and 1 more "
        "lines where the file has line 47 that it leaves out, so on which side of those the "
        "new lines belong is unclear; copy the lines exactly as they are in the file, with "
        "the lines between them."
    )


def test_a_dedented_quote_of_a_file_indented_both_ways_is_moved_back_in() -> None:
    # express's migrate.html: tabs, then spaces or more tabs inside. The quote lost the
    # two tabs every line has; its new lines, in both characters like the file's, go back
    # in with them (they are not a model's choice of the file's character).
    html = (
        "<style>\n\t\t#header {\n\t\t    padding: 1px;\n\t\t\t\ttext-align: left;\n\t\t}\n</style>\n"
    )
    old = "#header {\n    padding: 1px;\n\t\ttext-align: left;\n}\n"
    new = "#header {\n    padding: 1px;\n    margin: 0;\n\t\ttext-align: left;\n\t\tcolor: #fff;\n}\n"
    assert apply_edit(html, old, new, path="m.html") == html.replace(
        "\t\t    padding: 1px;\n\t\t\t\ttext-align: left;\n",
        "\t\t    padding: 1px;\n\t\t    margin: 0;\n\t\t\t\ttext-align: left;\n\t\t\t\tcolor: #fff;\n",
    )


# --- round 22: the whole edit re-indented (tabs for spaces everywhere, a level off) ---------

TESTS_PY = (
    "def test_one(app):\n"
    "    response = app.get('/')\n"
    "    assert response.status == 200\n"
)


def test_a_diff_a_level_deeper_keeps_its_new_functions_a_level_out_from_the_body() -> None:
    # webargs' test_core.py: the hunk, quoted a level deeper, adds a test function after
    # the last lines of one. Its `def` is at the file's depth of the body only because the
    # whole hunk is a level off; it goes to column 0, as the hunk has it beside its body.
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,2 +2,6 @@\n"
        "         response = app.get('/')\n"
        "         assert response.status == 200\n"
        "+\n"
        "+\n"
        "+    def test_two(app):\n"
        "+        assert app.get('/two').status == 404\n"
    )
    two = "\n\ndef test_two(app):\n    assert app.get('/two').status == 404\n"
    assert patched(TESTS_PY, diff) == TESTS_PY + two


def test_an_edit_a_level_deeper_keeps_its_new_top_level_lines_a_level_out() -> None:
    # vapor's AbortError.swift, in Python: the quote is a level deeper; the replacement
    # restates one line at the quote's depth and moves another out a level, to the file's
    # depth of it, so what it restates says nothing. Its new function, at the quote's
    # base, is at the file's top level, not in the class.
    text = (
        "class Cart:\n    def total(self):\n        if self.items:\n"
        "            return sum(self.items)\n        return 0\n"
    )
    old = (
        "        def total(self):\n            if self.items:\n"
        "                return sum(self.items)\n            return 0\n"
    )
    new = (
        "        def total(self):\n            return sum(self.items)\n\n\n"
        "    def empty():\n        return Cart()\n"
    )
    assert apply_edit(text, old, new, path="cart.py") == (
        "class Cart:\n    def total(self):\n        return sum(self.items)\n\n\n"
        "def empty():\n    return Cart()\n"
    )


LUA_CONFIG = (
    "M.defaults = {\n"
    "  filetypes = nil,\n"
    "  root_markers = { '.git' },\n"
    "  keymaps = { accept = { 'a' } },\n"
    "}\n"
)


def test_a_quote_in_tabs_of_a_file_in_twos_writes_a_tab_a_level() -> None:
    # glm-lsp's config.lua: every quoted line a tab deep, the new keys two tabs deep. A
    # tab is two spaces here (a level of the file), not four less two.
    old = "\troot_markers = { '.git' },\n\tkeymaps = { accept = { 'a' } },\n"
    new = (
        "\troot_markers = { '.git' },\n"
        "\tkeymaps = {\n\t\taccept = { 'a' },\n\t\trevise = { 'R' },\n\t},\n"
    )
    assert apply_edit(LUA_CONFIG, old, new, path="config.lua") == LUA_CONFIG.replace(
        "  keymaps = { accept = { 'a' } },\n",
        "  keymaps = {\n    accept = { 'a' },\n    revise = { 'R' },\n  },\n",
    )


def test_a_quote_in_tabs_of_a_yaml_list_four_deep_steps_by_the_files_two() -> None:
    # cobra's .golangci.yml: most lines are list items four deep, its keys step by two.
    yml = "linters:\n  enable:\n    - errcheck\n    - unused\n    - unconvert\n"
    old = "\t\t- unused\n\t\t- unconvert\n"
    new = "\t\t- unused\n\t\t- unconvert\n\texclusions:\n\t\tpresets:\n\t\t\t- legacy\n"
    assert apply_edit(yml, old, new, path=".golangci.yml") == yml + (
        "  exclusions:\n    presets:\n      - legacy\n"
    )


def test_a_blank_line_of_tabs_in_a_quote_in_tabs_takes_the_files_spaces() -> None:
    # express's test/exports.js: the new blank line, written as the model writes its
    # indentation (a tab), is the file's two spaces, as its other lines are.
    js = "describe('exports', function(){\n  it('a', function(){\n  })\n})\n"
    old = "\tit('a', function(){\n\t})\n"
    new = "\tit('a', function(){\n\t})\n\t\n\tit('b', function(){\n\t})\n"
    assert apply_edit(js, old, new, path="exports.js") == js.replace(
        "  })\n", "  })\n  \n  it('b', function(){\n  })\n"
    )


def test_spaces_narrower_than_a_tab_beside_tab_lines_are_no_sign_of_the_files_spaces() -> None:
    # shellcheck's ASTLib.hs, quoted in tabs: the new `  where` keeps two spaces, as text
    # in tabs writes them under a tab's width; the new `go` line is a tab, so four spaces.
    hs = "getPath tree t = t :\n    case lookup t tree of\n        Nothing -> []\n\nnext = 1\n"
    old = "getPath tree t = t :\n\tcase lookup t tree of\n\t\tNothing -> []\n"
    new = "getPath tree t = t : unfoldr go t\n  where\n\tgo s = lookup s tree\n"
    assert apply_edit(hs, old, new, path="ASTLib.hs") == (
        "getPath tree t = t : unfoldr go t\n  where\n    go s = lookup s tree\n\nnext = 1\n"
    )


def test_a_quote_in_tabs_off_the_files_usual_step_takes_the_step_of_its_own_lines() -> None:
    # glm-lsp's glm.txt: a help file stepping by fours, with a Lua example in it stepping
    # by twos. Quoted five tabs deep for ten spaces, a tab is two columns there, not four.
    text = (
        "*glm*\n\n    Setup:\n        require('glm').setup({\n"
        "          root = '.git',\n          keymaps = { 'a' },\n        })\n"
        "    Keys:\n        a accepts\n    Chat:\n        c chats\n"
    )
    old = "\t\t\t\t\troot = '.git',\n\t\t\t\t\tkeymaps = { 'a' },\n"
    new = "\t\t\t\t\troot = '.git',\n\t\t\t\t\tkeymaps = {\n\t\t\t\t\t\t'a',\n\t\t\t\t\t},\n"
    assert apply_edit(text, old, new, path="glm.txt") == text.replace(
        "keymaps = { 'a' },\n", "keymaps = {\n            'a',\n          },\n"
    )



def test_a_quote_in_tabs_that_fits_a_narrower_tab_unmoved_takes_that_tab() -> None:
    # nunjucks' parser.js, stepping by fours: the whole hunk in tabs, eight spaces quoted
    # as four tabs, the new `if` body five tabs deep. A tab of two columns explains the
    # quote as it stands; a tab of four would also need it moved two levels: the body
    # goes to ten spaces, where the commit has it, not to twelve.
    text = (
        "    parseFor: function() {\n        node.body = this.parseUntilBlocks(endBlock);\n"
        "        this.advanceAfterBlockEnd();\n\n        return node;\n    },\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,4 +2,7 @@\n"
        "-\t\t\t\tnode.body = this.parseUntilBlocks(endBlock);\n"
        "+\t\t\t\tnode.body = this.parseUntilBlocks(endBlock, 'else');\n"
        "+\t\t\t\tif(this.skipSymbol('else')) {\n+\t\t\t\t\tnode.else_ = this.parseElse();\n"
        "+\t\t\t\t}\n \t\t\t\tthis.advanceAfterBlockEnd();\n \n \t\t\t\treturn node;\n"
    )
    assert patched(text, diff) == text.replace(
        "(endBlock);\n",
        "(endBlock, 'else');\n        if(this.skipSymbol('else')) {\n"
        "          node.else_ = this.parseElse();\n        }\n",
    )

# --- round 22: a context line the file does not have --------------------------------------

SHOP = (
    "def checkout(cart):\n"
    "    total = cart.total()\n"
    "    tax = total * RATE\n"
    "    if cart.coupon:\n"
    "        total -= cart.coupon.value\n"
    "    return total + tax\n"
)


def shop_patched(diff: str) -> str:
    (result,) = apply_patch(lambda path: SHOP if path == "shop.py" else None, diff)
    assert result.new is not None
    return result.new


def test_a_context_line_the_file_does_not_have_is_read_past() -> None:
    # A model's hunk misremembers one context line (a comment that is not there) between
    # two it quotes right; without it, the rest stands as written at one place.
    diff = (
        "--- a/shop.py\n+++ b/shop.py\n@@ -1,6 +1,6 @@\n"
        " def checkout(cart):\n"
        "     total = cart.total()\n"
        "     # the tax is on the full price\n"
        "     tax = total * RATE\n"
        "     if cart.coupon:\n"
        "-        total -= cart.coupon.value\n"
        "+        total -= min(cart.coupon.value, total)\n"
        "     return total + tax\n"
    )
    assert shop_patched(diff) == SHOP.replace(
        "total -= cart.coupon.value", "total -= min(cart.coupon.value, total)"
    )


def test_a_line_the_file_does_not_have_beside_a_new_line_is_refused() -> None:
    # Beside the '+' line, the unknown line may be one the model meant to add and did not
    # mark; made without it, the result would lack a line the model wrote.
    diff = (
        "--- a/shop.py\n+++ b/shop.py\n@@ -1,6 +1,7 @@\n"
        " def checkout(cart):\n"
        "     total = cart.total()\n"
        "+    log.info('checkout %s', cart.id)\n"
        "     log.debug('total %s', total)\n"
        "     tax = total * RATE\n"
        "     if cart.coupon:\n"
        "         total -= cart.coupon.value\n"
        "     return total + tax\n"
    )
    assert refusal(shop_patched, diff).startswith(
        "Hunk 1 of the diff (@@ -1,6 +1,7 @@, first line 'def checkout(cart):') was not found"
    )


def test_a_last_context_line_the_file_does_not_have_is_read_past_as_patch_fuzz_is() -> None:
    # The model guessed the line after the function wrong; GNU patch's fuzz drops such a
    # line, and so does this reading, as the rest stands as written at one place.
    diff = (
        "--- a/shop.py\n+++ b/shop.py\n@@ -3,4 +3,4 @@\n"
        "     tax = total * RATE\n"
        "     if cart.coupon:\n"
        "-        total -= cart.coupon.value\n"
        "+        total -= min(cart.coupon.value, total)\n"
        "     return total + tax\n"
        " def refund(cart):\n"
    )
    assert shop_patched(diff) == SHOP.replace(
        "total -= cart.coupon.value", "total -= min(cart.coupon.value, total)"
    )


def test_a_quoted_line_the_file_does_not_have_is_read_past_in_a_block_too() -> None:
    # The SEARCH block misremembers a comment above the `if`, and the REPLACE keeps it as
    # the model believes the file has it: the file gets the change, not the comment.
    search = (
        "    tax = total * RATE\n"
        "    # coupons never make the total negative\n"
        "    if cart.coupon:\n"
        "        total -= cart.coupon.value\n"
    )
    replace = search.replace("cart.coupon.value\n", "min(cart.coupon.value, total)\n")
    result = apply_search_replace(SHOP, SearchReplace("shop.py", search, replace))
    assert result == SHOP.replace(
        "total -= cart.coupon.value", "total -= min(cart.coupon.value, total)"
    )


def test_a_misquoted_last_line_beside_a_left_out_one_is_not_read_past() -> None:
    # glm-lsp's patch.py, several mistakes: the hunk left out one of two blank lines and
    # misquotes the `def` after them. Read past as a line the file does not have, the
    # rest stood at one place, but the new function's side of the left-out blank line is
    # unsaid; the misquoted line is the file's line just after, not a line it lacks.
    text = (
        "def _options(best):\n    best.sort()\n    return best\n\n\n"
        "def _refuse_two_readings(path):\n    return path\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,4 +2,8 @@\n"
        "     best.sort()\n"
        "     return best\n"
        "+\n+\n+def _refuse_far(best):\n+    return best[0]\n"
        " \n"
        " def _refuse_two_eadings(path):\n"
    )
    assert refusal(patched, text, diff).startswith("Hunk 1 of the diff (@@ -2,4 +2,8 @@")


def test_a_new_test_already_added_is_not_added_again_past_its_blank_line() -> None:
    # tornado's ioloop_test.py: the new test ends with the two lines the quote begins
    # with. Made already, the quote stands nowhere; read past its blank line, the rest
    # stood at the new test's end, and the test went in a second time.
    wait = "        with log():\n            self.wait()\n"
    new_test = "    def test_native(self):\n        self.go()\n" + wait
    spawn = "    def test_spawn(self):\n        pass\n"
    made = "class T:\n    def test_one(self):\n" + wait + "\n" + new_test + spawn
    old = wait + "\n" + spawn
    new = wait + "\n" + new_test + spawn
    assert refusal(apply_edit, made, old, new).startswith("The edit is already in")


def test_a_made_rewrite_that_also_removes_a_blank_line_is_not_made_again() -> None:
    # debug-js/debug's src/index.js: a commit took one of two blank lines out and indented
    # the requires with a tab, not two spaces. Sent again, the quote matched the result
    # only loosely; read as a deletion, whose result stands before it is made, it took
    # out the one blank line left. The tabs it writes stand there as written: made.
    head = "/**\n * Detect Electron renderer / nwjs process, which is node, but we should\n"
    head += " * treat as a browser.\n */\n"
    test = "typeof process === 'undefined' || process.type === 'renderer' || process.browser"
    body = (
        f"if ({test} === true || process.__nwjs) {{\n"
        "\tmodule.exports = require('./browser.js');\n} else {\n"
        "\tmodule.exports = require('./node.js');\n}\n"
    )
    text = head + "\n" + body
    old, new = head + "\n\n" + body.replace("\t", "  "), text
    assert refusal(apply_edit, text, old, new, path="index.js").startswith(
        "The edit is already in index.js"
    )


def test_a_heading_after_a_left_out_blank_line_is_not_read_as_one_the_file_lacks() -> None:
    # This repository's RESULTS.md: a section added before a heading that follows two
    # blank lines; the hunk left one out. Without its heading, the rest stood as written
    # (the second blank line taken for the one after the heading), which put the new
    # section on one side of the left-out line, where the hunk does not say which.
    text = "Intro line here.\nmeet the goal.\n\n\n## Next section\n\nBody of next.\n"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,5 +1,7 @@\n"
        " Intro line here.\n meet the goal.\n+\n+### Added pass\n \n ## Next section\n \n"
    )
    assert refusal(patched, text, diff).startswith("Hunk 1 of the diff (@@ -1,5 +1,7 @@")


def test_a_nearby_line_quoted_out_of_its_order_is_read_past() -> None:
    # This repository's .ci/run: the quote put the ruff line, four lines below the place,
    # after `exit 1`. The quote's order rules out a line left out (the lines after it in
    # the quote come before it in the file), so it is a line the file lacks there, and
    # the new block goes after `fi` as the rest of the quote says.
    text = (
        'if [ -z "$test_cmd" ]; then\n'
        '  echo "README.md has no test command" >&2\n'
        "  exit 1\n"
        "fi\n"
        'echo "+ $test_cmd"\n'
        'eval "$test_cmd"\n'
        "\n"
        'echo "+ lint: ruff and mypy --strict"\n'
        ".venv/bin/pip install -q -e '.[dev]'\n"
        ".venv/bin/ruff check server tests bench\n"
        ".venv/bin/mypy\n"
    )
    quoted = ".venv/bin/ruff check server tests bench\n"
    old = '  echo "README.md has no test command" >&2\n  exit 1\n' + quoted + "fi\n"
    old += 'echo "+ $test_cmd"\neval "$test_cmd"\n\n'
    emacs = 'if ! emacs --batch; then\n  echo "+ apt-get install emacs-nox"\nfi\n\n'
    new = old.replace("fi\n", "fi\n" + emacs)
    assert apply_edit(text, old, new, path="run") == text.replace("fi\n", "fi\n" + emacs, 1)


def test_a_line_the_file_lacks_that_the_new_lines_also_have_is_not_read_past() -> None:
    # This repository's test_edit_rules.py: the quote ends with a `    text = (` the file
    # lacks there, and the new test it adds has one too. Which of the two is the kept
    # line, and so which new lines go before it, is unsaid; read past, the new test lost
    # its first line and the quote's went after it.
    text = "def test_a():\n    assert run('a')\n\n\ndef test_c():\n    assert run('c')\n"
    head = "def test_a():\n    assert run('a')\n"
    old = head + "    text = (\n"
    new = head + "\n\ndef test_b():\n    text = (\n        'b'\n    )\n    text = (\n"
    with pytest.raises(EditError):
        apply_edit(text, old, new, path="test_x.py")


def test_a_long_quote_offset_from_the_file_is_scored_on_the_lines_difflib_pairs() -> None:
    # A long old_string (compared line by line) whose first lines, two long docstrings,
    # the file does not have: its window's score summed the quote's lines at the window's
    # positions, so the two long lines counted as matched and the refusal offered
    # "lines 1-7 (120% similar)".
    names = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    body = "".join(
        f"    {name}_total = compute_{name}(records, window={i}, strict=True)\n"
        for i, name in enumerate(names)
    )
    text = "def totals(records):\n" + body + "    return locals()\n"
    doc = '    """' + "Totals of the records, one per measure. " * 8 + '"""\n'
    old = "def totals(records):\n" + doc + doc.replace("Totals", "Sums") + body[: body.index("    epsilon")]
    assert refusal(apply_edit, text, old, "pass\n").endswith(
        "No similar lines were found; read the file again to see its text."
    )


HISTORY = (
    "\n0.8.8 / 2011-03-14 \n==================\n\n  * Fixed jade(1) stdio\n"
    "\n0.8.7 / 2011-03-14 \n==================\n\n  * Added `mkdirs()` to jade(1)\n"
    "  * Removed jade(1) `--pipe` flag\n\n0.8.3 / 2011-03-04 \n==================\n\n"
    "  * Fixed tag nesting\n"
)
"""pug's History.md, shortened: release headings, and a change note that ends a release."""


def test_a_loose_reading_is_refused_where_the_quote_without_one_line_stands_elsewhere() -> None:
    # A new release above the top heading, quoted with a line before that heading the
    # file does not have there. Loosely, the quote matched that line and the heading
    # after it, misread as 0.8.3's: the release went in the middle and 0.8.3 became 0.8.8.
    head = "0.8.8 / 2011-03-14 \n==================\n"
    old = "  * Removed jade(1) `--pipe` flag\n\n" + head
    new = "\n0.8.9 / 2011-03-15 \n==================\n\n  * Removed jade(1) `--pipe` flag\n\n" + head
    assert refusal(apply_edit, HISTORY, old, new, path="History.md") == (
        "old_string matches History.md at lines 11-14 only loosely, and at line 1 as written "
        "but for its line '* Removed jade(1) `--pipe` flag', which the file does not have "
        "there, so which place it means is unclear. Copy the lines exactly as they are in "
        "the file."
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,4 +1,5 @@\n   * Removed jade(1) `--pipe` flag\n"
        " \n 0.8.8 / 2011-03-14 \n ==================\n+  * Noted the release\n"
    )
    assert "at lines 11-14 only loosely, and at line 1 as written" in refusal(
        patched, HISTORY, diff
    )


def test_a_quote_of_few_words_that_stands_once_without_one_line_refuses_a_loose_reading() -> None:
    """jaraco.develop's changelog: a new release above `2.14`, `====`, quoted with a line of
    the entry below before them. Loosely, that line and the `2.13` heading further down
    (a blank line left out, the version misquoted) matched: the release went into the
    middle of an entry. Without that line the rest has no line of four letters or digits,
    but it stands once in the file, at the top."""
    text = (
        "2.14\n====\n\n* Allow make-namespace-package to complete even when\n"
        "  the tree already exists.\n\n2.13\n====\n\n* Include the version.\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,4 +1,8 @@\n+2.15\n+====\n+\n"
        "+* Use setuptools_scm.\n+\n   the tree already exists.\n 2.14\n ====\n \n"
    )
    said = "matches cart.py at lines 5-9 only loosely, and at line 1 as written but for its"
    assert said in refusal(patched, text, diff)


def test_a_context_line_twice_beside_new_lines_where_the_file_has_it_once_is_refused() -> None:
    """go-sqlite3's vtable: a `for` line quoted twice right after the '+' lines, where the
    file has it once. The first may be a new line whose '+' the model left out; the two
    are alike, so which one is the file's says nothing."""
    body = (
        "\tfor _, c := range slice {\n\t\tvar desc bool\n\t\tif c.desc > 0 {\n"
        "\t\t\tdesc = true\n\t\t}\n\t\tob = append(ob, InfoOrderBy{Desc: desc})\n\t}\n"
    )
    go = (
        "}\n\nfunc orderBys(info *C.sqlite3_index_info) []InfoOrderBy {\n"
        "\tl := info.nOrderBy\n\tob := make([]InfoOrderBy, 0, l)\n" + body + "\treturn ob\n}\n"
    )
    context = "".join(" " + line for line in body.splitlines(True)[:5])
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,12 +1,12 @@\n }\n \n"
        " func orderBys(info *C.sqlite3_index_info) []InfoOrderBy {\n"
        "-\tl := info.nOrderBy\n-\tob := make([]InfoOrderBy, 0, l)\n"
        "+\tob := make([]InfoOrderBy, 0, len(slice))\n \tfor _, c := range slice {\n" + context
    )
    assert "Did you mean lines 1-" in refusal(patched, go, diff)


def test_a_context_line_twice_before_new_lines_where_the_file_has_it_once_is_refused() -> None:
    """yocto-queue's test: `t.is(queue.dequeue(), undefined);` quoted twice before the '+'
    lines of a new test, where the file has it once there. The second may be a new line
    left unmarked; taking out the first of the two reads the same, so neither is taken."""
    js = (
        "test('.dequeue()', t => {\n\tconst queue = new Queue();\n"
        "\tt.is(queue.dequeue(), undefined);\n\tt.is(queue.dequeue(), undefined);\n"
        "\tqueue.enqueue('a');\n\tt.is(queue.dequeue(), 'a');\n"
        "\tt.is(queue.dequeue(), undefined);\n});\n\ntest('.clear()', t => {\n"
        "\tconst queue = new Queue();\n\tqueue.clear();\n});\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -5,7 +5,11 @@\n \tqueue.enqueue('a');\n"
        " \tt.is(queue.dequeue(), 'a');\n \tt.is(queue.dequeue(), undefined);\n"
        " \tt.is(queue.dequeue(), undefined);\n+});\n+\n+test('.peek()', t => {\n"
        "+\tt.is(new Queue().peek(), undefined);\n });\n \n test('.clear()', t => {\n"
    )
    assert "Did you mean lines 5-" in refusal(patched, js, diff)


def test_a_line_left_out_beats_a_loose_window_with_more_mistakes() -> None:
    """python-json-patch's `_item_removed`: a hunk that left out the line before its last
    reads as loosely (with `Add` and `'add'` for `Remove` and `'remove'`) the block of
    `_item_added` above. That window takes two mistakes, the reading as written one: the
    hunk goes where every line stands, as it would were the window a little less alike."""
    py = (
        "class DiffBuilder:\n    def _item_added(self, path, key, item):\n"
        "        index = self.take_index(item, _ST_REMOVE)\n        if index is not None:\n"
        "            self.insert(index)\n        else:\n"
        "            new_op = AddOperation({\n                'op': 'add',\n"
        "                'path': _path_join(path, key),\n                'value': item,\n"
        "            })\n            new_index = self.insert(new_op)\n"
        "            self.store_index(item, new_index, _ST_ADD)\n\n"
        "    def _item_removed(self, path, key, item):\n"
        "        new_op = RemoveOperation({\n            'op': 'remove',\n"
        "            'path': _path_join(path, key),\n            'value': item,\n"
        "        })\n        index = self.take_index(item, _ST_ADD)\n"
        "        new_index = self.insert(new_op)\n        if index is not None:\n"
        "            op = index[2]\n"
    )
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -16,6 +16,5 @@\n" + (
        "         new_op = RemoveOperation({\n             'op': 'remove',\n"
        "             'path': _path_join(path, key),\n-            'value': item,\n"
        "         })\n         new_index = self.insert(new_op)\n"
    )
    assert patched(py, diff) == py.replace(
        "_path_join(path, key),\n            'value': item,\n", "_path_join(path, key),\n"
    )


def test_trailing_whitespace_a_loose_quote_lost_does_not_choose_a_copy() -> None:
    """matrix.rb's `coerce` stands in Matrix, followed by a blank line, and in Vector,
    followed by a line of two spaces. A diff of Vector's that lost every line's trailing
    whitespace and misquoted a line read as loosely at both; the copy whose blank line was
    empty won as the more alike, 320 lines from the @@ line. Whitespace a quote lacks says
    nothing; whitespace it writes does."""

    def coerce(after: str) -> str:
        return (
            "  def coerce(other)\n    case other\n    when Numeric\n"
            "      return Scalar.new(other), self\n    else\n"
            "      raise TypeError, \"#{type} can't be coerced into #{other.type}\"\n"
            f"    end\n  end\n{after}\n"
        )

    rb = "class Matrix\n" + coerce("") + "  def row_vectors\n    rows\n  end\nend\n\n"
    rb += "class Vector\n" + coerce("  ") + "  # PRINTING\n  def to_s\n    'Vector'\n  end\nend\n"
    hunk = "     when Numeric\n       return Scalar.nw(other), self\n     else\n" + (
        "-      raise TypeError, \"#{type} can't be coerced into #{other.type}\"\n"
        "+      raise TypeError, \"#{self.class} can't be coerced into #{other.class}\"\n"
        "     end\n   end\n \n"
    )
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -60,7 +60,7 @@\n" + hunk
    assert "matches 2 places in cart.py (starting at lines 4, 19)" in refusal(patched, rb, diff)
    vector = rb.rindex("#{type}")
    made = rb[:vector] + "#{self.class} can't be coerced into #{other.class}" + rb[
        vector + len("#{type} can't be coerced into #{other.type}") :
    ]
    assert patched(rb, diff.replace("   end\n \n", "   end\n   \n")) == made


def test_copies_with_a_line_left_out_are_told_apart_by_numbers_naming_one() -> None:
    """ruby/csv's test_read.rb: two Ractor tests end alike, and a hunk that left out the
    second `end` stands at both with that line left out. Its loose windows (the copies
    without the line left out) were refused for the other copy's reading, and the
    readings were then never asked: now they are, and @@ numbers that name one copy
    choose it, as they do for copies that stand exactly. Numbers near neither refuse."""

    def test(name: str, call: str) -> str:
        return (
            f"  if respond_to?(:ractor)\n    def {name}\n"
            f"      ractor = Ractor.new(@input.path) do |path|\n        {call}\n      end\n"
            '      rows = [\n        ["1", "2", "3"],\n        ["4", "5"],\n      ]\n'
            "      assert_equal(rows, ractor.take)\n    end\n  end\n\n"
        )

    rb = "class TestRead < Test::Unit::TestCase\n" + test("test_foreach", "CSV.foreach(path).to_a")
    rb += "  def test_read\n    assert_equal(@rows, CSV.read(@input.path))\n  end\n\n"
    rb += test("test_read_in_ractor", "CSV.read(path)") + "end\n"
    hunk = '         ["1", "2", "3"],\n         ["4", "5"],\n       ]\n' + (
        "-      assert_equal(rows, ractor.take)\n+      assert_equal(rows, ractor.value)\n"
        "     end\n \n"
    )
    second = rb.rindex("ractor.take")
    made = rb[:second] + rb[second:].replace("ractor.take", "ractor.value")
    assert patched(rb, "--- a/cart.py\n+++ b/cart.py\n@@ -25,6 +25,6 @@\n" + hunk) == made
    assert "stands at 2 places in cart.py (lines 8-14 and 25-31)" in refusal(
        patched, rb, "--- a/cart.py\n+++ b/cart.py\n@@ -27,6 +27,6 @@\n" + hunk
    )


def test_a_reading_with_more_mistakes_elsewhere_is_no_rival_to_one_with_a_line_left_out() -> None:
    """ruby/json's generator tests: three `State` tests list the same keys. A hunk of the
    second that left out `:max_nesting` stands with that line left out in the second and
    the third, its @@ line naming one, and in the first with two values misquoted too.
    That reading is no rival (as a window with more mistakes is none): the numbers choose."""
    keys = ["allow_nan", "array_nl", "ascii_only", "buffer_initial_length", "depth"]
    keys += ["escape_slash", "indent", "max_nesting", "object_nl", "space", "space_before"]

    def state(name: str, **values: str) -> str:
        body = "".join(f"      :{key:<21} => {values.get(key, 'false')},\n" for key in keys)
        return f"  def test_{name}\n    state = JSON.{name}\n    assert_equal({{\n{body}    }})\n  end\n\n"

    plain = dict.fromkeys(["array_nl", "indent", "object_nl", "space", "space_before"], '""')
    plain.update(buffer_initial_length="1024", depth="0")
    pretty = {"array_nl": '"\\n"', "indent": '"  "', "object_nl": '"\\n"', "space": '" "'}
    rb = state("pretty", **{**plain, **pretty, "max_nesting": "100"})
    rb += state("safe", **plain, max_nesting="100") + state("fast", **plain, max_nesting="0")
    hunk = "       :ascii_only            => false,\n       :buffer_initial_length => 1024,\n" + (
        "       :depth                 => 0,\n-      :escape_slash          => false,\n"
        '+      :script_safe           => false,\n       :indent                => "",\n'
        '       :object_nl             => "",\n'
    )
    safe = rb.index(":escape_slash", rb.index("def test_safe"))
    made = rb[:safe] + rb[safe:].replace(":escape_slash ", ":script_safe  ", 1)
    assert patched(rb, "--- a/cart.py\n+++ b/cart.py\n@@ -23,6 +23,6 @@\n" + hunk) == made


def test_a_quoted_line_the_file_has_nowhere_is_a_misquote_not_a_line_put_there() -> None:
    # sinatra's filter tests: the test body stands twice, and the quote's first line has
    # a typo. Without that line the rest stands in the first test too, but a line the
    # file has nowhere is a misquote (its closest place is the loose reading's), not a
    # line of the file quoted in the wrong place.
    text = (
        "  it 'halts in before' do\n    mock_app {\n      before { redirect '/bar' }\n"
        "      get('/foo') { 'ORLY' }\n    }\n\n    get '/foo'\n"
        "    assert_equal '/bar', response['Location']\n  end\n\n"
        "  it 'allows redirects' do\n    mock_app {\n      get('/foo') { 'ORLY' }\n"
        "      after { redirect '/bar' }\n    }\n\n    get '/foo'\n"
        "    assert_equal '/bar', response['Location']\n  end\n"
    )
    old = (
        "      after { reirect '/bar' }\n    }\n\n    get '/foo'\n"
        "    assert_equal '/bar', response['Location']\n"
    )
    new = old.replace("'/bar', resp", "'http://example.org/bar', resp")
    last = text.rindex("'/bar', resp")
    expected = text[:last] + "'http://example.org/bar', resp" + text[last + len("'/bar', resp") :]
    assert apply_edit(text, old, new, path="filter_test.rb") == expected


def test_a_loose_reading_at_the_hunks_numbers_stands_beside_a_line_read_past_elsewhere() -> None:
    # rubocop's spec: a hunk with a line left out, at its @@ numbers; without its first
    # line the rest stands in the context above. The numbers say which.
    text = (
        "  context 'when EnforcedStyle is space' do\n"
        "    it_behaves_like 'space inside arrays'\n\n"
        "    it 'does not register offense for valid 2-dimensional array' do\n"
        "      expect_no_offenses('[[1]]')\n    end\n  end\n\n"
        "  context 'when EnforcedStyle is compact' do\n"
        "    let(:cop_config) { { 'EnforcedStyle' => 'compact' } }\n"
        "    it_behaves_like 'space inside arrays'\n\n"
        "    it 'does not register offense for valid 2-dimensional array' do\n"
        "      # nested\n      expect_no_offenses('[[1]]')\n    end\n  end\n"
    )
    hunk = (
        "     let(:cop_config) { { 'EnforcedStyle' => 'compact' } }\n"
        "     it_behaves_like 'space inside arrays'\n"
        "+    it_behaves_like 'array pattern without brackets'\n \n"
        "     it 'does not register offense for valid 2-dimensional array' do\n"
        "       expect_no_offenses('[[1]]')\n"
    )
    added = "    it_behaves_like 'array pattern without brackets'\n"
    mark = "    it_behaves_like 'space inside arrays'\n\n    it 'does not register offense"
    at = text.rindex(mark) + len("    it_behaves_like 'space inside arrays'\n")
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -10,6 +10,7 @@\n" + hunk
    assert patched(text, diff) == text[:at] + added + text[at:]
    far = diff.replace("@@ -10,6 +10,7 @@", "@@ -30,6 +30,7 @@")
    assert "at lines 10-15 only loosely, and at line 2 as written" in refusal(patched, text, far)


# zstd's tests/cli-tests/decompression/pass-through.sh.stderr.exact: one message six times.
ZSTD = (
    "zstd: file: unsupported format \n" * 4
    + "zstd: /*stdin*\\: unsupported format \n"
    + "zstd: file: unsupported format \n" * 2
    + "zstd: /*stdin*\\: unsupported format \n" * 2
    + "zstd: file: unsupported format \n"
)
STATUS = "file                 :230.00%   (    10 B =>     23 B, file.zst) \n"


def test_a_misquoted_line_among_identical_lines_is_read_in_its_place() -> None:
    # difflib pairs the longest run of equal lines first: it read the quote a line off, as
    # leaving a line out, and the first lines matched only at lines 4-7 (the new line went
    # after line 3). Paired line by line, lines 1-4 hold it with one typo. Three of its
    # lines stand at lines 1-3 and 2-4 alike, one typo each, and then a line lower is
    # another file: that is refused (its new line goes beside a line the file has again
    # right beside it, one the quote may have left out).
    old = "zstd: file: unsupported format \n" * 4
    typo = old.replace("unsupported", "unsuported", 2).replace("unsuported", "unsupported", 1)
    assert apply_edit(ZSTD, typo, STATUS + typo) == STATUS + ZSTD
    hunk = "".join(" " + line for line in typo.splitlines(True)[:3])
    diff = f"--- a/cart.py\n+++ b/cart.py\n@@ -1,3 +1,4 @@\n+{STATUS}{hunk}"
    assert "was not found in cart.py" in refusal(patched, ZSTD, diff)


def test_an_at_line_saying_line_0_names_none_of_the_copies() -> None:
    hunk = "".join(" zstd: file: unsupported format \n" for _ in range(3))
    diff = f"--- a/cart.py\n+++ b/cart.py\n@@ -0,3 +0,4 @@\n+{STATUS}{hunk}"
    assert refusal(patched, ZSTD, diff) == (
        "Hunk 1 of the diff (@@ -0,3 +0,4 @@, first line 'zstd: file: unsupported format') "
        "matches 2 places in cart.py (starting at lines 1, 2), and its @@ line says line 0, "
        "which names no line (lines are numbered from 1). Add context lines that tell the "
        "places apart, or give the correct @@ line numbers."
    )


def test_a_hunk_a_tab_shallower_keeps_its_continuation_lines_alignment_only() -> None:
    # libevent's test-ratelim.c, dedented: its context lines lost their tab, its
    # continuation lines (a tab and four spaces) kept the four spaces. Those spaces said
    # "the quote is in spaces", and the new lines in tabs read as written like the file.
    text = (
        "int main(void)\n{\n\tevent_config_free(base_cfg);\n\n"
        "\tlistener = evconnlistener_new_bind(base, echo_listenercb, base,\n"
        "\t    (struct sockaddr *)&sin, sizeof(sin));\n\n\tslen = sizeof(ss);\n}\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -3,6 +3,10 @@\n"
        " event_config_free(base_cfg);\n \n"
        " listener = evconnlistener_new_bind(base, echo_listenercb, base,\n"
        "     (struct sockaddr *)&sin, sizeof(sin));\n"
        "+if (! listener) {\n+\treturn 1;\n+}\n \n slen = sizeof(ss);\n"
    )
    added = "\tif (! listener) {\n\t\treturn 1;\n\t}\n"
    at = text.index("sizeof(sin));\n") + len("sizeof(sin));\n")
    assert patched(text, diff) == text[:at] + added + text[at:]


def test_a_quote_in_tabs_beside_lines_too_shallow_for_a_tab_is_the_models_mistake() -> None:
    # commons-lang's changes.xml (two spaces a step, no tab anywhere), the edit in tabs of
    # four: its 2-space lines stayed spaces and matched, its 4-space lines did not. Most
    # lines alike read as "the file's stray lines, the model writes like the file".
    text = (
        "<document>\n  <body>\n\n  <release version=\"3.13.0\">\n"
        "    <!-- UPDATE -->\n    <action type=\"update\">Bump parent.</action>\n"
        "  </release>\n  </body>\n</document>\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,6 +2,8 @@\n   <body>\n \n"
        "   <release version=\"3.13.0\">\n+\t<!-- FIX -->\n+\t<action type=\"fix\">Rename.</action>\n"
        " \t<!-- UPDATE -->\n \t<action type=\"update\">Bump parent.</action>\n   </release>\n"
    )
    added = "    <!-- FIX -->\n    <action type=\"fix\">Rename.</action>\n"
    at = text.index("    <!-- UPDATE")
    assert patched(text, diff) == text[:at] + added + text[at:]


def test_new_lines_in_place_of_removed_ones_follow_the_quotes_depth() -> None:
    # packaging's workflow, dedented by two: its '-' lines hold a job key at the file's
    # least depth (column 2), so its new steps at column 2 stood at "the file's base" and
    # were left there, a level out. They replace steps at the quote's column 2: the quote's.
    text = (
        "jobs:\n  test:\n    steps:\n    - uses: actions/checkout@v1\n\n"
        "    - name: Install dependencies\n      run: pip install nox\n\n"
        "  test-pypy:\n    runs-on: ubuntu-latest\n    steps:\n    - run: nox\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -4,9 +4,6 @@\n   - uses: actions/checkout@v1\n \n"
        "-  - name: Install dependencies\n-    run: pip install nox\n-\n"
        "-test-pypy:\n-  runs-on: ubuntu-latest\n-  steps:\n"
        "+  - name: Workaround for Windows\n+    run: rm python2.7.exe\n"
        "   - run: nox\n"
    )
    assert patched(text, diff) == (
        "jobs:\n  test:\n    steps:\n    - uses: actions/checkout@v1\n\n"
        "    - name: Workaround for Windows\n      run: rm python2.7.exe\n    - run: nox\n"
    )


def test_a_blank_new_line_in_place_of_a_removed_one_says_nothing_of_the_depth() -> None:
    # koa's last-modified.js, the whole hunk two columns deep: its '+' lines start with a
    # blank line, which stood "at the file's depth" of the `})` it replaces.
    text = "describe('res', function(){\n  it('sets', function(){\n    x();\n  })\n})\n"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -3,3 +3,6 @@\n       x();\n     })\n-  })\n"
        "+\n+    describe('when not set', function(){\n+    })\n+  })\n"
    )
    assert patched(text, diff) == text.replace(
        "  })\n})\n", "  })\n\n  describe('when not set', function(){\n  })\n})\n"
    )


def test_new_lines_moved_out_by_the_level_the_quote_is_too_deep_follow_the_quote() -> None:
    # kotlinx.cli's build.gradle, the whole hunk a level deep: its new block replaces an
    # inner one a level out, so it stands at the file's depth of the lines it replaces,
    # which is no sign that it was written like the file.
    text = "buildscript {\n    ext.v = '1'\n\n    repositories {\n        mavenCentral()\n    }\n}\n"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,7 +1,4 @@\n-    buildscript {\n-        ext.v = '1'\n"
        " \n-        repositories {\n-            mavenCentral()\n-        }\n"
        "+    dependencies {\n+        compile rootProject\n     }\n"
    )
    assert patched(text, diff) == "\ndependencies {\n    compile rootProject\n}\n"


def test_new_lines_beside_a_blank_line_the_file_has_more_of_are_refused_when_loose() -> None:
    # coffeescript's helpers.coffee, several mistakes: a typo, and one of the two blank
    # lines the file ends with left out. Read as written, the new lines went a line higher
    # than the commit's; nothing in the hunk says which blank line they follow.
    text = 'f = ->\n  if x\n    "a"\n  else\n    "No location data"\n\n\n'
    hunk = (
        '   else\n     "No locaton data"\n+# isCoffee\n+exports.isCoffee = (file) -> file\n \n'
        "+# isLiterate\n+exports.isLiterate = (file) -> file\n+\n+\n"
    )
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -4,3 +4,9 @@\n" + hunk
    assert "was not found in cart.py" in refusal(patched, text, diff)
    exact = diff.replace("locaton", "location")
    assert patched(text, exact).startswith(text[: text.index("\n\n") + 1] + "# isCoffee\n")


def test_new_lines_beside_a_run_of_blank_lines_longer_than_quoted_are_refused_when_loose() -> None:
    # moonscript's syntax.moon, several mistakes: a typo, and one of the three blank lines
    # the file ends with left out, the unquoted one past the quoted run (a kept and a
    # removed blank line). Read as written, the new lines went a line higher than the
    # commit's; exact, the hunk is taken as written.
    text = 'x = #{#{},#{1}}\n\nhello, world\n\n\n\n'
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -2,4 +2,6 @@\n \n hello, orld\n"
        "+something:hello(what) a,b\n+something:hello what\n \n-\n"
    )
    assert "was not found in cart.py" in refusal(patched, text, diff)
    exact = diff.replace("orld", "world")
    assert patched(text, exact) == text.replace(
        "world\n", "world\nsomething:hello(what) a,b\nsomething:hello what\n"
    )[:-1]


def test_a_hunk_from_the_files_first_line_with_a_line_left_out_is_placed_there() -> None:
    # ramsey/uuid and dart-lang/path: `<?php` (or `## 1.4.2`), new lines, then the blank
    # lines around the namespace line, which the hunk left out. The first line stands only
    # there; whatever the numbers say, the hunk starts the file.
    text = "<?php\n\nnamespace Ramsey\\Uuid\\Test;\n\nuse TestCase;\n"
    hunk = " <?php\n+\n+declare(strict_types=1);\n \n \n"
    made = "<?php\n\ndeclare(strict_types=1);\n\nnamespace Ramsey\\Uuid\\Test;\n\nuse TestCase;\n"
    for header in ("@@ -1,3 +1,5 @@", "@@ -7,3 +7,5 @@", "@@ @@"):
        assert patched(text, f"--- a/cart.py\n+++ b/cart.py\n{header}\n{hunk}") == made
    # A first line the file has again says nothing of where the hunk goes.
    twice = text + "<?php\n"
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -7,3 +7,5 @@\n" + hunk
    assert "was not found in cart.py" in refusal(patched, twice, diff)


def test_a_hunk_a_level_shallow_goes_where_its_numbers_say_not_to_a_deeper_copy() -> None:
    # superagent's redirect tests: the same `catch` block in a test and in one nested a
    # `describe` deeper. The hunk, a level shallow, stands at both only up to indentation;
    # its `});` was as deep as the nested copy's last line, which made that copy look the
    # closest, though no line of it is the quote's in its place. Its numbers choose.
    def test(name: str, depth: int) -> str:
        pad = " " * depth
        body = (
            f'it("{name}", done => {{\n  request\n    .get(base)\n    .end((err, res) => {{\n'
            "      try {\n        done();\n      } catch (err) {\n        done(err);\n      }\n"
            "    });\n});\n\n"
        )
        return "".join(pad + line if line.strip() else line for line in body.splitlines(True))

    text = 'describe("redirects", () => {\n' + test("a", 2) + '  describe("nested", () => {\n'
    text += test("b", 4) + "  });\n});\n"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -8,6 +8,9 @@\n"
        "       } catch (err) {\n         done(err);\n       }\n     });\n });\n"
        '+\n+it("c", () => {\n+});\n \n'
    )
    first = text.index("  });\n\n") + len("  });\n")
    made = text[:first] + '\n  it("c", () => {\n  });\n' + text[first:]
    assert patched(text, diff) == made


def test_new_lines_after_a_removed_blank_line_of_a_run_are_refused_when_loose() -> None:
    # tablewriter's README, several mistakes: a typo, the blank line the new item goes
    # after removed, the second of the two blank lines before the heading left out. The
    # new item may go before that blank line (the commit) or after it; nothing says which.
    text = "- Set custom footer\n- Set custom caption\n\n\n#### Example 1\n```go\n"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,5 +1,5 @@\n"
        " - Set custom footer\n - Set custom aption\n-\n+- Optional reflowing\n"
        " #### Example 1\n ```go\n"
    )
    assert "was not found in cart.py" in refusal(patched, text, diff)
    exact = diff.replace("aption", "caption").replace("reflowing\n", "reflowing\n \n")
    made = text.replace("caption\n\n\n", "caption\n- Optional reflowing\n\n")
    assert patched(text, exact) == made


def test_a_whitespace_only_line_that_stands_next_as_quoted_is_no_whitespace_drift() -> None:
    # tablib's `_xls.py`, one line left out: the blank line after the replaced line is
    # left out, and the file's last line, a tab, is quoted as the hunk's last. Read as
    # whitespace drift, the tab stands for the blank line and the new lines go before it;
    # read as written, they may go on either side of the blank line: nothing says which.
    text = "\t\t# wrap the rest\n\t\telse:\n\t\t\tws.write(col, wrap)\n\n\t\n"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,4 +1,7 @@\n"
        " \t\t# wrap the rest\n \t\telse:\n-\t\t\tws.write(col, wrap)\n"
        "+\t\t\tif wrapped:\n+\t\t\t\tws.write(col, wrap)\n+\t\t\telse:\n+\t\t\t\tws.write(col)\n"
        " \t\n"
    )
    assert "only up to whitespace, and there exactly as written with a line left out" in (
        refusal(patched, text, diff)
    )
    drifted = text.removesuffix("\t\n")  # no tab line: the quoted one can only be drift
    made = drifted.replace(
        "\t\t\tws.write(col, wrap)\n",
        "\t\t\tif wrapped:\n\t\t\t\tws.write(col, wrap)\n\t\t\telse:\n\t\t\t\tws.write(col)\n",
    )
    assert patched(drifted, diff) == made


def test_new_lines_at_the_depth_a_quote_gave_a_tab_line_are_written_in_tabs() -> None:
    # copier's README mixes Go's bodies in tabs with `var (` blocks in twos. The whole
    # edit came in spaces: the tab line as four spaces, the twos as they are, and the new
    # `func main()` body at four and eight. Four spaces are what the quote wrote for a
    # tab, and it wrote no tab anywhere: the new body goes in tabs, as the commit has it.
    text = (
        "func (e *Employee) Role(role string) {\n\te.SuperRule = role\n}\n\n"
        "var (\n  user = User{}\n)\n"
    )
    old = "    e.SuperRule = role\n}\n\nvar (\n  user = User{}\n)\n"
    new = "    e.SuperRule = role\n}\n\nfunc main() {\n    var (\n        user = User{}\n    )\n}\n"
    assert apply_edit(text, old, new, path="README.md") == (
        "func (e *Employee) Role(role string) {\n\te.SuperRule = role\n}\n\n"
        "func main() {\n\tvar (\n\t\tuser = User{}\n\t)\n}\n"
    )
    # New lines at a depth the quote wrote right, in twos, stand as written.
    twos = "    e.SuperRule = role\n}\n\nvar (\n  user = User{}\n  boss = User{}\n)\n"
    assert apply_edit(text, old, twos, path="README.md") == text.replace(
        "  user = User{}\n", "  user = User{}\n  boss = User{}\n"
    )


# --- a file line left out of the quote and written in the new text ---------------------------

SPLITTER = (
    "def split(tokens):\n"
    "    for token in tokens:\n"
    "        if inside_quotes and not was_inside_quotes:\n"
    "            params.append(token)\n"
    "            appended = True\n"
    "        elif inside_quotes or was_inside_quotes:\n"
    "            params[-1] += token\n"
)


def test_a_line_left_out_of_the_quote_and_written_beside_a_changed_line_is_refused() -> None:
    # ansible's splitter.py: `params.append(token)` left out of old_string, written again in
    # new_string after the changed line above it; it came out twice.
    old = (
        "        if inside_quotes and not was_inside_quotes:\n"
        "            appended = True\n"
        "        elif inside_quotes or was_inside_quotes:\n"
    )
    new = (
        "        if inside_quotes and not was_inside_quotes and token:\n"
        "            params.append(token)\n"
        "            appended = True\n"
        "        elif inside_quotes or was_inside_quotes:\n"
    )
    assert refusal(apply_edit, SPLITTER, old, new, path="splitter.py") == (
        "old_string matches lines 3-6 of splitter.py only loosely, and 'params.append(token)' "
        "would stand 2 times in a row, one of them line 4 of the file, which it leaves out, "
        "so how many times the file should have that line is unclear; copy the lines exactly "
        "as they are in the file, with the lines between them."
    )


def test_a_line_left_out_of_the_quote_and_written_in_its_place_is_refused() -> None:
    # The new line stands where the quote leaves the file's copy out: the file should have
    # it once (the quote forgot it) or twice (the edit adds another); it does not say.
    old = (
        "        if inside_quotes and not was_inside_quotes:\n"
        "            appended = True\n"
        "        elif inside_quotes or was_inside_quotes:\n"
        "            params[-1] += token\n"
    )
    new = (
        "        if inside_quotes and not was_inside_quotes:\n"
        "            params.append(token)\n"
        "            appended = True\n"
        "        elif inside_quotes or was_inside_quotes:\n"
        "            params[-1] += token.strip()\n"
    )
    assert "right where the file has the same text (line 4) that it leaves out, so whether " \
        "the file should have that text once or twice is unclear" in refusal(
        apply_edit, SPLITTER, old, new, path="splitter.py"
    )


def test_a_blank_line_left_out_beside_a_blank_line_the_edit_moves_is_refused() -> None:
    # ansible's errors/__init__.py: two blank lines before a class, one quoted; the new text
    # has both after a changed line. The edit's own diff keeps the quoted blank line and adds
    # one before it, so the result had three.
    text = (
        "class ActionFail(Action):\n"
        "    def __init__(self, message):\n"
        "        self.result.update({'failed': True, 'msg': message})\n"
        "\n"
        "\n"
        "class ActionDone(Action):\n"
        "    pass\n"
    )
    old = (
        "        self.result.update({'failed': True, 'msg': message})\n"
        "\n"
        "class ActionDone(Action):\n"
    )
    new = (
        "        self.result.update({'failed': True, 'msg': message, 'done': False})\n"
        "\n"
        "\n"
        "class ActionDone(Action):\n"
    )
    assert "a blank line would stand 3 times in a row, one of them line 5 of the file, which " \
        "it leaves out" in refusal(apply_edit, text, old, new, path="errors.py")


def test_two_blank_lines_with_one_quoted_are_both_kept() -> None:
    # The run the rule above leaves alone: one blank line quoted, one left out, nothing new.
    text = "import os\n\n\ndef main():\n    return os.getcwd()\n"
    old = "import os\n\ndef main():\n    return os.getcwd()\n"
    new = "import os\n\ndef main():\n    return os.getcwd() or '.'\n"
    assert apply_edit(text, old, new, path="m.py") == text.replace("getcwd()\n", "getcwd() or '.'\n")


GO_TEST = (
    "func TestMaps(t *testing.T) {\n"
    "\tif err != nil {\n"
    "\t\tt.Errorf(\"Bad maps unmarshal: %v\", err)\n"
    "\t}\n"
    "}\n"
)


def test_new_lines_in_spaces_beside_new_lines_in_the_files_tabs_stay_as_written() -> None:
    # go-toml's marshal_test.go: the quote wrote `\t}` as four spaces; the new test is in
    # tabs, its TOML in a raw string four spaces in. Mapped as a tab, the TOML changed.
    text = GO_TEST + "\nvar doc = []byte(`\n[A]\n    B = 1\n`)\n"
    old = '\t\tt.Errorf("Bad maps unmarshal: %v", err)\n    }\n}\n'
    new = old + (
        "\n"
        "func TestArrays(t *testing.T) {\n"
        "\texpected := []byte(`\n"
        "[A]\n"
        "  B = [\n"
        "    1,\n"
        "  ]\n"
        "`)\n"
        "\tcheck(t, expected)\n"
        "}\n"
    )
    added = new[len(old) :]
    assert apply_edit(text, old, new, path="marshal_test.go") == text.replace(
        "\t}\n}\n", "\t}\n}\n" + added, 1
    )


def test_new_lines_in_spaces_after_a_quote_that_writes_the_files_tabs_stand_as_written() -> None:
    # gorilla/schema's decoder_test.go, all in tabs: the commit adds a struct and a test in
    # four-space steps after a quote that wrote `\t\t` right and `\t}` as four spaces. A
    # quote that writes the file's tab as often as it slips has drifted; the model knows
    # the tabs, and its new lines in spaces are meant (mapped, every line changed).
    old = '\t\tt.Errorf("Bad maps unmarshal: %v", err)\n    }\n}\t\n'
    added = "\ntype S5 struct {\n    F01 []string\n}\n"
    assert apply_edit(GO_TEST, old, old + added, path="decoder_test.go") == GO_TEST + added
    # A quote with every tab written as spaces is how the model writes: tabs it is.
    slipped = old.replace("\t\tt.", "        t.")
    assert apply_edit(GO_TEST, slipped, slipped + added, path="decoder_test.go") == (
        GO_TEST + added.replace("    F01", "\tF01")
    )


def test_new_lines_in_spaces_stepping_by_two_of_the_quotes_tabs_are_refused() -> None:
    # creack/pty's README, its Go in tabs: the quote wrote `\tio.Copy` four spaces in, and
    # the commit's new example steps by eight. Mapped by the quote's four, each level went
    # two tabs deep; as written, or a tab a level? The edit does not say.
    text = '# pty\n\n```go\nfunc main() {\n\tc := exec.Command("sh")\n\tio.Copy(os.Stdout, f)\n}\n```\n'
    old = "    io.Copy(os.Stdout, f)\n}\n```\t\n"
    added = "\n```go\nfunc test() error {\n        if err != nil {\n                return err\n        }\n}\n```\n"
    assert "its new lines step by 8 spaces a level, where its quote wrote a tab in fewer, so " \
        "whether their spaces are meant or stand for tabs is unclear" in refusal(
        apply_edit, text, old, old + added, path="README.md"
    )
    # New lines stepping by the quote's four are written as it writes a tab.
    fours = added.replace("        ", "    ")
    assert apply_edit(text, old, old + fours, path="README.md") == text + fours.replace(
        "    ", "\t"
    )


def test_new_lines_in_spaces_beside_tab_lines_after_a_quote_mostly_in_spaces_are_refused() -> None:
    # The go-toml edit, its quote's `\t\t` also slipped (to four spaces and a tab): a slip
    # like the quote's, or a raw string's text? The edit does not say.
    old = '    \tt.Errorf("Bad maps unmarshal: %v", err)\n    }\n}\n'
    new = old + "\nfunc TestArrays(t *testing.T) {\n\texpected := `\n    1,\n`\n}\n"
    assert "its new line '1,' is indented in spaces, as its quote wrote some of the file's " \
        "indentation by mistake, while other new lines are indented as the file is, so " \
        "whether that indentation is meant is unclear" in refusal(
        apply_edit, GO_TEST, old, new, path="marshal_test.go"
    )


def test_an_old_string_abridged_with_a_marker_is_refused_saying_so() -> None:
    # The quote of a long method with its middle written as a marker comment, as models
    # abridge a replacement: the refusal names the marker, so the retry quotes in full.
    text = "def total(items):\n    value = 0\n    for item in items:\n        value += item\n    return value\n"
    old = "def total(items):\n    # ... existing code ...\n    return value\n"
    new = "def total(items):\n    # ... existing code ...\n    return round(value, 2)\n"
    assert refusal(apply_edit, text, old, new, path="cart.py").startswith(
        "old_string was not found in cart.py; old_string must match the file exactly, including "
        "whitespace, indentation and blank lines. Its line '# ... existing code ...' reads as "
        "lines left out: old_string must quote every line it replaces, in full.\n"
    )


def test_a_line_left_out_of_the_quote_and_written_further_down_is_refused() -> None:
    # postcss's tests: `let result = ''` moved below `let root`; the quote left it out above,
    # so it stayed there and a copy went in below.
    text = (
        "    cases.each( (name, css) => {\n"
        "        it('stringifies ' + name, () => {\n"
        "            let result = '';\n"
        "            let root   = parse(css);\n"
        "            stringify(root, i => result += i );\n"
        "            expect(result).to.eql(css);\n"
        "        });\n"
        "    });\n"
    )
    old = (
        "        it('stringifies ' + name, () => {\n"
        "            let root   = parse(css);\n"
        "            stringify(root, i => result += i );\n"
    )
    new = (
        "        it('stringifies ' + name, () => {\n"
        "            let root   = parse(css);\n"
        "            let result = '';\n"
        "            stringify(root, i => result += i );\n"
    )
    assert "it adds \"let result = '';\" near line 3, which reads the same and which " \
        "it leaves out, so whether it moves that line or adds a copy is unclear" in refusal(
        apply_edit, text, old, new, path="stringify.es6"
    )


def test_new_lines_in_spaces_beside_tab_lines_after_a_quote_half_in_spaces_stand() -> None:
    # sjson's tests: the quote wrote `\t\t` as four spaces and a tab, and `\t}` right; the
    # new test, in tabs, closes a raw string's JSON with a `}` four spaces in. Mapped as a
    # tab, the text of the string changed.
    text = "func TestSet(t *testing.T) {\n\tif err != nil {\n\t\tt.Fatal(err)\n\t}\n}\n"
    old = "    \tt.Fatal(err)\n\t}\n}\n"
    added = (
        "\nfunc TestRaw(t *testing.T) {\n\tvar json = `\n\t{\n    }\n`\n"
        "\tif true {\n\t\tjson = strings.TrimSpace(json)\n\t}\n}\n"
    )
    assert apply_edit(text, old, old + added, path="sjson_test.go") == text + added


def test_new_tab_lines_stay_in_tabs_when_the_quote_slipped_one_line_into_a_tab() -> None:
    # miniz's header: spaces, a few declarations in tabs. The quote wrote one line's first
    # four spaces as a tab and the next line's same indentation right; the new declaration
    # continues by a tab, as the file's tab lines do, and must keep it.
    text = (
        "\tmz_bool extract_end(mz_zip_archive *pZip);\n\n"
        "mz_bool add_mem_ex(mz_zip_archive *pZip, const char *pName,\n"
        "                   mz_uint64 size, mz_uint32 crc,\n"
        "                   const char *extra, mz_uint extra_len);\n\n"
        "#ifndef MINIZ_NO_STDIO\n"
    )
    old = (
        "\t               mz_uint64 size, mz_uint32 crc,\n"
        "                   const char *extra, mz_uint extra_len);\n\n"
        "#ifndef MINIZ_NO_STDIO\n"
    )
    added = (
        "mz_bool add_callback(mz_zip_archive *pZip, const char *pName,\n"
        "\tconst void *pComment, mz_uint level_and_flags);\n\n"
    )
    new = old.replace("#ifndef", added + "#ifndef")
    assert apply_edit(text, old, new, path="miniz_zip.h") == text.replace(
        "#ifndef", added + "#ifndef"
    )


def test_a_left_out_line_written_again_far_into_the_new_lines_beside_it_is_refused() -> None:
    # textual's stylesheet.py: the quote left out `if animate:`, and the new text wrote it
    # first of the lines replacing those above it, so it moved up; the left-out one stayed
    # right below the new lines, and the file had it twice.
    text = (
        "def replace_rules(node, rules, animate):\n"
        "    keys = rules.keys()\n"
        "    current = node.styles.get_render_rules()\n"
        "\n"
        "    new_styles = Styles(node, rules)\n"
        "    is_animatable = node.styles.is_animatable\n"
        "    get_current = current.get\n"
        "    if animate:\n"
        "        animator = node.app.animator\n"
        "        for key in keys:\n"
    )
    old = text[text.index("    keys") : text.index("    if animate")] + text[
        text.index("        animator") :
    ]
    new = (
        "    keys = rules.keys()\n\n"
        "    if animate:\n"
        "        new_styles = Styles(node, rules)\n"
        "        current = node.styles.get_render_rules()\n"
        "        is_animatable = node.styles.is_animatable\n"
        "        get_current = current.get\n"
        "        animator = node.app.animator\n"
        "        for key in keys:\n"
    )
    assert refusal(apply_edit, text, old, new, path="stylesheet.py").startswith(
        "old_string matches lines 2-10 of stylesheet.py only loosely, and it adds 'if "
        "animate:' near line 8, which reads the same and which it leaves out, so whether it "
        "moves that line or adds a copy is unclear"
    )


def test_a_left_out_line_written_again_past_a_blank_line_is_refused() -> None:
    # miniz's CMakeLists.txt: the quote left out `endif()`, and the new text wrote it after
    # new targets, past the blank line below it; the left-out one stayed above them, and
    # the new targets went outside the `if`.
    text = (
        "if(FUZZ)\n  add_executable(a_fuzzer a.c)\n  target_link_libraries(a_fuzzer miniz)\n"
        'endif()\n\nset(INCLUDE_INSTALL_DIR "include")\n'
    )
    old = (
        "  add_executable(a_fuzzer a.c)\n  target_link_libraries(a_fuzzer miniz)\n\n"
        'set(INCLUDE_INSTALL_DIR "include")\n'
    )
    new = old.replace(
        "\nset", "\n  add_executable(b_fuzzer b.c)\n  target_link_libraries(b_fuzzer miniz)\n"
        "endif()\n\nset",
    )
    assert "it adds 'endif()' near line 4, which reads the same and which it leaves out" in (
        refusal(apply_edit, text, old, new, path="CMakeLists.txt")
    )


def test_a_whitespace_line_left_out_of_the_quote_and_written_again_is_refused() -> None:
    # lapis' validate spec ends `}`, a line of three spaces, a blank line. The quote left
    # out the spaces and the new text wrote them again: read as the spaces stripped, the
    # blank line the new text ends with became three spaces and the new tests went in
    # above the file's blank line.
    text = 'describe "v", ->\n  it "x", ->\n    assert.same {\n      f "a"\n    }\n   \n\n'
    old = '      f "a"\n    }\n\n'
    new = '      f "a"\n    }\n   \n  it "y", ->\n    assert.same {\n      f "b"\n    }\n\n'
    assert "it reads a blank line of its quote as line 6, whitespace that its new text " \
        "writes as the file has it, while as written its lines match lines 4-7 with that " \
        "line left out, so which it means is unclear" in refusal(
        apply_edit, text, old, new, path="validate_spec.moon"
    )
    # A model that strips the line in its new text too has stripped it in its quote.
    stripped = new.replace("    }\n   \n", "    }\n\n")
    added = '  it "y", ->\n    assert.same {\n      f "b"\n    }\n\n'
    assert apply_edit(text, old, stripped, path="validate_spec.moon") == (
        text.replace("   \n", "   \n" + added)
    )


def test_a_new_function_after_a_kept_brace_may_repeat_a_line_the_diff_left_out() -> None:
    # go-isatty: a diff that left out `return false` of IsTerminal adds IsCygwinTerminal,
    # which returns false too, after IsTerminal's kept `}`; the brace places it.
    text = "package isatty\n\nfunc IsTerminal(fd uintptr) bool {\n\treturn false\n}\n"
    added = "\n// IsCygwinTerminal is always false here.\nfunc IsCygwinTerminal(fd uintptr) bool {\n"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -3,2 +3,6 @@\n func IsTerminal(fd uintptr) bool {\n"
        " }\n" + "".join("+" + line + "\n" for line in (added + "\treturn false\n}").split("\n"))
    )
    assert patched(text, diff) == text + added + "\treturn false\n}\n"


def test_a_hunk_far_from_its_numbers_that_stand_at_another_indentation_is_refused() -> None:
    # quick-xml's tests: one `e.attributes()` chain in a test and, four spaces deeper,
    # further down, in another. A hunk a level shallow, numbered for the second, matched
    # the first (exactly, or more of its lines exactly) and changed it.
    text = (
        "fn a() {\n    let e = first();\n\n    let mut atts = e.attributes()\n"
        "        .map(|ar| ar.unwrap());\n}\n\nfn b() {\n    {\n        let e = second();\n\n"
        "        let mut atts = e.attributes()\n            .map(|ar| ar.unwrap());\n    }\n}\n"
    )
    body = (
        "-    let mut atts = e.attributes()\n+    let mut atts = e\n+        .attributes()\n"
        "         .map(|ar| ar.unwrap());\n"
    )
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -12,2 +12,3 @@\n" + body
    assert refusal(patched, text, diff) == (
        "Hunk 1 of the diff (@@ -12,2 +12,3 @@, first line 'let mut atts = e.attributes()') "
        "matches cart.py exactly at line 4, far from its @@ line 12, and at line 12 with "
        "other indentation, so which place it means is unclear. Give the correct @@ line "
        "numbers, or copy the lines exactly as they are in the file."
    )
    first = text.replace(
        "    let mut atts = e.attributes()\n        .map",
        "    let mut atts = e\n        .attributes()\n        .map",
    )
    assert patched(text, diff.replace("-12,2 +12,3", "-4,2 +4,3")) == first
    deeper = "".join(line[0] + "    " + line[1:] + "\n" for line in body.splitlines())
    assert patched(text, diff.replace(body, deeper)) == text.replace(
        "        let mut atts = e.attributes()\n",
        "        let mut atts = e\n            .attributes()\n",
    )


def test_a_quote_found_only_from_inside_a_line_it_quotes_whole_is_read_as_lines() -> None:
    # mustache.js's example: `1`, then `1.1.1` with `1.1` left out, was found as the last
    # `1` of `1.1` and its line break, and `1.1` came out twice. As lines, `1.1` is left
    # out where the new text writes it: refused.
    text = "1\n1.1\n1.1.1"
    assert refusal(apply_edit, text, "1\n1.1.1", "1\n1.1\n1.1.1\n", path="p.txt").startswith(
        "old_string was not found in p.txt"
    )
    # The tail of a line, found there and not quoting a whole line, is a string edit still.
    code = "total = add(a,\n    b)\n"
    assert apply_edit(code, "(a,\n    b)", "(a, b)", path="m.py") == "total = add(a, b)\n"
    # jaraco.fabric's changelog: `3.2` and a blank line, its `===` left out, was found as
    # the end of `fab distro_install:3.2`, and the new release went into that sentence.
    rst = "3.2\n===\n\nFix.\n\nUsage::\n\n    fab distro_install:3.2\n\nor similar.\n"
    new_release = "3.3\n===\n\nPrefer apt.\n\n3.2\n===\n\n"
    assert refusal(apply_edit, rst, "3.2\n\n", new_release, path="CHANGES.rst").startswith(
        "old_string was not found in CHANGES.rst"
    )
    # A blank line after a line's tail that is no whole line of the file is a string edit.
    call = "x = f(1,\n      2)\n\ny = 3\n"
    assert apply_edit(call, "2)\n\n", "2)\n", path="m.py") == "x = f(1,\n      2)\ny = 3\n"


def test_a_dedented_quote_half_braces_that_matches_a_shallower_copy_is_refused() -> None:
    # libyaml's writer.c: `return 1; } else { return error; } }` stands at two depths; the
    # deeper one's quote, dedented, matched the shallower one verbatim and changed it.
    block = '    return 1;\n}\nelse {\n    return error("Write error");\n}\n'
    deep = "".join("        " + line + "\n" for line in block.splitlines())
    text = "int a(void) {\n    if (x) {\n" + deep + "    }\n}\n\nint b(void) {\n    if (ok) {\n"
    text += "".join("    " + line + "\n" for line in block.splitlines()) + "}\n"
    old = "".join(line[4:] + "\n" for line in deep.splitlines()) + "}\n"
    assert "old_string matches 2 places in w.c (starting at lines" in refusal(
        apply_edit, text, old, old.replace("Write", "write"), path="w.c"
    )


def test_a_left_out_line_restated_across_a_kept_line_deeper_than_both_is_refused() -> None:
    # glm-lsp's own patch.py: the quote left out `new = [...]`; its new text wrote it first
    # of new lines that close with a `)` like the kept one, and the alignment put them all
    # before the kept `)`: the left-out line stayed below it, and the file had it twice.
    # A kept `)` deeper than the two copies closes no block of theirs.
    text = (
        "def place(hunk):\n    if not hunk:\n        raise EditError(\n"
        '            "the insertion as context."\n        )\n'
        '    new = [text for tag, text in hunk.lines if tag == "+"]\n'
        "    return insertion(new)\n\n\ndef assemble(path):\n"
    )
    old = (
        '            "the insertion as context."\n        )\n    return insertion(new)\n\n\n'
        "def assemble(path):\n"
    )
    new = (
        '            "the insertion as context."\n        )\n'
        '    new = [text for tag, text in hunk.lines if tag == "+"]\n'
        "    if made(new):\n        raise EditError(\n"
        '            "already made."\n        )\n    return insertion(new)\n\n\n'
        "def assemble(path):\n"
    )
    assert "it adds 'new = [text for tag, text in hunk.lines if tag == \"+\"]' near line 6" in (
        refusal(apply_edit, text, old, new, path="patch.py")
    )


def test_a_left_out_blank_line_beside_removed_blank_lines_of_other_whitespace_is_refused() -> None:
    # pelican's generated page, several mistakes: three blank lines (16 spaces, 12, none)
    # before a re-indented `<aside>`; the commit removed the first two and kept the empty
    # one, the diff left that one out and stripped the others. Read with the first one left
    # out, the result kept the 16 spaces; which blank line stays the diff does not say.
    aside = '<aside id="featured" class="body">\n'
    text = (
        "        </header><!-- /#banner -->\n" + " " * 16 + "\n" + " " * 12 + "\n\n"
        + " " * 28 + aside + "                <article>\n"
        + '                    <h1 class="entry-title"><a href="../a.html">Second</a></h1>\n'
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,5 +1,3 @@\n"
        "         </header><!-- /#banner -->\n-\n-\n-" + " " * 28 + aside
        + "+" + " " * 12 + aside + "                 <article>\n"
        + '                     <h1 class="entry-title"><a href="../b.html">Second</a></h1>\n'
    )
    assert "it leaves out line 2 beside lines it removes that read like it" in refusal(
        patched, text, diff
    )
    whole = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,5 +1,3 @@\n         </header><!-- /#banner -->\n"
        "-" + " " * 16 + "\n-" + " " * 12 + "\n \n-" + " " * 28 + aside
        + "+" + " " * 12 + aside + "                 <article>\n"
    )
    made = text.replace(" " * 16 + "\n" + " " * 12 + "\n\n" + " " * 28, "\n" + " " * 12)
    assert patched(text, whole) == made


def test_an_old_string_that_left_out_a_blank_line_its_new_text_writes_is_refused() -> None:
    # Leaflet's DivIcon.js: old_string left out the blank line before `_setIconStyles`,
    # and new_string has a blank line after that call. The model either moves the blank
    # line or adds a second one; a line without words says no less than one with words.
    text = (
        "\t\tif (options.bgPos) {\n\t\t\tdiv.style.backgroundPosition =\n"
        "\t\t\t        (-options.bgPos.x) + 'px';\n\t\t}\n\n"
        "\t\tthis._setIconStyles(div, 'icon');\n\t\treturn div;\n\t},\n"
    )
    old = (
        "\t\tif (options.bgPos) {\n\t\t\tdiv.style.backgroundPosition =\n"
        "\t\t\t        (-options.bgPos.x) + 'px';\n\t\t}\n"
        "\t\tthis._setIconStyles(div, 'icon');\n\t\treturn div;\n"
    )
    new = (
        "\t\tif (options.bgPos) {\n\t\t\tdiv.style.backgroundPosition = (-options.bgPos.x) + 'px';\n"
        "\t\t}\n\t\tthis._setIconStyles(div, 'icon');\n\n\t\treturn div;\n"
    )
    assert "it adds a blank line near line 5, which reads the same and which it leaves out" in (
        refusal(apply_edit, text, old, new, path="DivIcon.js")
    )
    # Without that blank line in the new text, the left-out one stays where it is.
    made = text.replace(" =\n\t\t\t        (", " = (")
    assert apply_edit(text, old, new.replace("\n\n", "\n"), path="DivIcon.js") == made


def test_a_blank_line_left_out_after_removed_lines_stays_beside_a_kept_blank_line() -> None:
    # doc2dash's pyproject.toml, one line left out: the diff keeps the blank line after
    # `show_error_codes`, removes the options below it and leaves out the blank line after
    # them. Its '-' lines say what goes; the two blank lines that meet both stay.
    text = (
        "[tool.mypy]\nshow_error_codes = true\n\ncheck_untyped_defs = true\n"
        "disallow_any_generics = true\n\nallow_redefinition = true\n\n"
        '[[tool.mypy.overrides]]\nmodule = "tests.*"\n'
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,9 +1,5 @@\n [tool.mypy]\n show_error_codes = true\n"
        "+strict = true\n \n-check_untyped_defs = true\n-disallow_any_generics = true\n-\n"
        '-allow_redefinition = true\n [[tool.mypy.overrides]]\n module = "tests.*"\n'
    )
    assert patched(text, diff) == (
        '[tool.mypy]\nshow_error_codes = true\nstrict = true\n\n\n[[tool.mypy.overrides]]\n'
        'module = "tests.*"\n'
    )


def test_a_loose_hunk_marked_as_the_files_end_has_no_rival_above_it() -> None:
    # sqlx's reflect_test.go, several mistakes: the last benchmark's `b.Errorf` misquoted
    # and the `\t}` after it left out, the file's unended `}` given its line break. The
    # benchmark above it ends the same way, but the marker says the quote ends the file.
    bench = (
        "func Benchmark{}(b *testing.B) {{\n\tfor i := 0; i < b.N; i++ {{\n"
        "\t\tif l != len(names) {{\n"
        '\t\t\tb.Errorf("expected %d values, got %d", len(names), l)\n\t\t}}\n\t}}\n}}\n'
    )
    text = bench.format("A") + "\n" + bench.format("B").removesuffix("\n")
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -14,3 +14,3 @@\n"
        ' \t\t\tb.Errorf("expected %d vlues, got %d", len(names), l)\n \t\t}\n-}\n'
        "\\ No newline at end of file\n+}\n"
    )
    assert patched(text, diff) == text + "\n"


def test_a_left_out_blank_line_beside_a_removed_copy_to_the_character_is_kept() -> None:
    # toml11's result.hpp, several mistakes: of the two empty lines after `#endif` the
    # diff removes one and leaves out the other. Whichever it left out, one empty line
    # stays: the file reads the same.
    text = (
        "namespace toml\n{\n\n#if __cplusplus >= 201703L\nusing a = b;\n#endif\n\n\n"
        "template<typename T>\nstruct success\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,9 +1,4 @@\n namespae toml\n {\n \n"
        "-#if __cplusplus >= 201703L\n-using a = b;\n-#endif\n-\n template<typename T>\n"
    )
    assert patched(text, diff) == "namespace toml\n{\n\n\ntemplate<typename T>\nstruct success\n"


def test_a_loose_windows_line_past_the_quote_is_no_left_out_line_the_new_text_restates() -> None:
    # termenv's style.go, a quoted line of elsewhere (`return t`) among the quoted ones:
    # the closest window starts a line above the quote, at `return s`, which the new text
    # writes in its new `if`. The quote never reached that line; nothing was left out.
    text = (
        "func (t Style) Styled(s string) string {\n\tif len(t.styles) == 0 {\n\t\treturn s\n"
        '\t}\n\n\tseq := strings.Join(t.styles, ";")\n'
        '\treturn fmt.Sprintf("%s%sm%s%sm", CSI, seq, s, CSI+ResetSeq)\n}\n\n'
        "// Foreground sets a foreground color\n"
    )
    old = (
        '\t}\n\treturn t\n\n\tseq := strings.Join(t.styles, ";")\n'
        '\treturn fmt.Sprintf("%s%sm%s%sm", CSI, seq, s, CSI+ResetSeq)\n}\n'
    )
    new = old.replace("\n\treturn fmt", '\n\tif seq == "" {\n\t\treturn s\n\t}\n\n\treturn fmt')
    made = text.replace("\n\treturn fmt", '\n\tif seq == "" {\n\t\treturn s\n\t}\n\n\treturn fmt')
    assert apply_edit(text, old, new, path="style.go") == made


def test_a_left_out_blank_line_and_an_added_one_past_removed_lines_both_stay() -> None:
    # cerberus's usage.rst, one line left out: the blank line after a label, then a section
    # replaced by one whose first '+' line is blank. The diff says the new blank line is
    # added where the old section was; the left-out one is context.
    text = ".. _type-coercion:\n\nType Coercion\n-------------\nApply a callable.\n\nEnd\n"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,5 +1,5 @@\n .. _type-coercion:\n"
        "-Type Coercion\n--------------\n-Apply a callable.\n+\n+Normalization Rules\n"
        "+-------------------\n \n End\n"
    )
    assert patched(text, diff) == (
        ".. _type-coercion:\n\n\nNormalization Rules\n-------------------\n\nEnd\n"
    )


def test_a_diffs_added_line_like_a_left_out_one_nearby_is_new() -> None:
    # termenv's lint.yml, one line left out: the `with:` of the lint step, right after
    # the new setup-go step whose own `with:` the diff adds. A '+' line is new by its mark.
    text = (
        "    steps:\n      - uses: actions/checkout@v4\n"
        "      - uses: golangci/golangci-lint-action@v6\n        with:\n"
        "          # Optional: golangci-lint command line arguments.\n          args: -v\n"
    )
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -1,5 +1,8 @@\n     steps:\n"
        "       - uses: actions/checkout@v4\n+      - uses: actions/setup-go@v5\n"
        "+        with:\n+          go-version: stable\n"
        "       - uses: golangci/golangci-lint-action@v6\n"
        "           # Optional: golangci-lint command line arguments.\n"
    )
    assert patched(text, diff) == text.replace(
        "v4\n", "v4\n      - uses: actions/setup-go@v5\n        with:\n          go-version: stable\n"
    )


def test_a_match_with_other_spacing_inside_a_line_is_refused_beside_one_as_written() -> None:
    # json-c's .travis.yml: the quote ends `env: CHECK="true"` then `# bionic`, leaving out
    # the blank line between, which its new text writes. An earlier job ends the same way
    # but for `#   bionic`; read up to whitespace there, the new package went into the
    # wrong job. Spacing inside a line is text, not indentation drift.
    job = '    - os: linux\n      addons:\n          packages:\n            - valgrind\n'
    job += '            - doxygen\n      env: CHECK="true"\n'
    text = job + "#   bionic\n    - os: linux\n      dist: bionic\n" + job + "\n# bionic\n"
    old = '            - doxygen\n      env: CHECK="true"\n# bionic\n'
    new = '            - doxygen\n            - cmake\n      env: CHECK="true"\n\n# bionic\n'
    assert "some of its lines match there only with other spacing inside them, while as " \
        "written they match lines 14-17 with a line left out" in refusal(
        apply_edit, text, old, new, path=".travis.yml"
    )


def test_a_match_whose_depths_drift_is_refused_beside_one_as_written_far_off() -> None:
    # espree's JSON fixture: closing braces quoted 8 and 0 deep, the brace between them
    # left out and written by the new text. A block higher the same lines stand together
    # 12 and 8 deep (no one shift of indentation reads them there); at the file's end they
    # stand as written with the brace left out. Read up to whitespace, the new brace and
    # `;` went into the inner block.
    text = (
        'module.exports = {\n    "body": {\n        "loc": {\n            "end": {\n'
        '                "column": 16\n            }\n        }\n    },\n'
        '    "loc": {\n        "end": {\n            "column": 16\n        }\n    }\n}'
    )
    old = '            "column": 16\n        }\n}'
    new = '            "column": 16\n        }\n    }\n};'
    assert "matches 2 places (starting at lines 11, 5)" in refusal(
        apply_edit, text, old, new, path="a.result.js"
    )


def test_a_gapped_reading_as_good_as_one_that_cannot_be_made_is_no_way_around_it() -> None:
    # Penlight's tests: a quote of the copy test that left out its `dir.copyfile` line,
    # which its new text writes, reads as well at the move test above, with that test's
    # `dir.movefile` line left out. Made there, being first, the move test got a copy
    # line. Where it reads as well it cannot be made, so the edit is refused.
    test = (
        'local fileName = path.tmpname()\nfile.write( fileName, "poot" )\n\n'
        "local newFileName = path.tmpname()\nlocal err, msg = dir.{}( fileName, newFileName )\n\n"
        "-- Make sure the move is successful\nassert( err, msg )\n"
    )
    text = "-- move\n" + test.format("movefile") + "\n-- copy\n" + test.format("copyfile")
    old = (
        'local fileName = path.tmpname()\nfile.write( fileName, "poot" )\n\n'
        "local newFileName = path.tmpname()\n\n-- Make sure the move is successful\n"
    )
    new = old.replace(
        "tmpname()\n\n-- Make",
        'tmpname() .. "xX"\nlocal err, msg = dir.copyfile( fileName, newFileName )\n\n-- Make',
    )
    assert (
        "'local err, msg = dir.copyfile( fileName, newFileName )' would stand 2 times in "
        "a row, one of them line 16 of the file, which it leaves out"
        in refusal(apply_edit, text, old, new, path="test-dir.lua")
    )


def test_tab_lines_a_commit_adds_to_a_file_indented_in_spaces_stand_as_written() -> None:
    # tomlplusplus's CONTRIBUTING.md: a shell snippet's continuation lines in tabs, in a
    # Markdown file whose indented lines are list items in spaces; the hunk quotes none.
    text = "## Testing\n\n- one\n  more\n- two\n  more\n  again\n\n```bash\n```\n"
    diff = (
        "--- a/cart.py\n+++ b/cart.py\n@@ -9,2 +9,4 @@\n ```bash\n"
        "+cd build && ninja \\\n+\t&& ninja test\n ```\n"
    )
    assert patched(text, diff) == text.replace(
        "```bash\n", "```bash\ncd build && ninja \\\n\t&& ninja test\n"
    )


def test_new_lines_in_spaces_under_no_indented_quote_of_a_tab_file_stand_as_written() -> None:
    # deepmerge's TypeScript test, every line in tabs: a commit added an options object
    # four spaces deep below `};` and a blank line. Nothing quoted shows whether spaces are
    # the model's rewrite of tabs (tomlplusplus's meson.build, mangled so) or meant; a
    # refusal would leave a model whose provider writes tabs as spaces no way to add a Go
    # function after a `}`. With an indented line quoted, the tabs are mapped.
    text = "const a = {\n\tx: 1,\n\ty: 2,\n\tz: 3,\n};\n\nrun(a);\n"
    added = "const b = {\n    x: 4,\n};\n"
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -5,2 +5,5 @@\n };\n \n" + "".join(
        "+" + line + "\n" for line in added.splitlines()
    )
    made = text.replace("};\n\n", "};\n\n" + added)
    assert patched(text, diff) == made
    mapped = diff.replace("@@ -5,2 +5,5 @@\n", "@@ -4,3 +4,6 @@\n     z: 3,\n")
    assert patched(text, mapped) == made.replace("    x: 4", "\tx: 4")


def test_a_faint_quote_found_after_an_indentation_or_with_a_line_left_out_is_refused() -> None:
    # copystructure's walker: `}`, a blank line, `return nil`, `}` stand after an inner
    # block's `\t}`, as if copied from mid-line, and as written around MapElem with its
    # first line left out, which the new text writes. Read as copied from mid-line, the
    # new methods went inside the method before; which mistake the model made is a guess.
    text = (
        "func (w *walker) Exit() error {\n\tif w.done {\n\t\tw.vals = nil\n\t}\n\n"
        "\treturn nil\n}\n\nfunc (w *walker) MapElem() error {\n\treturn nil\n}\n"
    )
    old = "}\n\n\treturn nil\n}\n"
    new = "}\n\nfunc (w *walker) MapElem() error {\n\treturn nil\n}\n\nfunc (w *walker) P() {}\n"
    assert "indentation differs from the file's by different amounts on different lines" in (
        refusal(apply_edit, text, old, new, path="copystructure.go")
    )
    # A quote with words enough is copied from mid-line: its indentation is put back.
    exit_ = "\t\tw.vals = nil\n\t}\n\n\treturn nil\n"
    reset = exit_.replace("nil\n\t}", "nil\n\t\tw.done = false\n\t}")
    made = text.replace(exit_, reset)
    assert apply_edit(text, exit_.lstrip(), reset.lstrip(), path="copystructure.go") == made


def test_a_quote_with_its_own_indentation_found_inside_a_deeper_one_is_refused() -> None:
    """ruby/rinda's tests: `  end`, a blank line and a `5.times` loop, quoted without the
    `def test_core_01` line between them, which the new text writes. As a string the quote
    stands after two of an inner `    end`'s four spaces further down; read as copied from
    there, the new method went inside another test. The quote wrote its own indentation, so
    it was not copied from after one: it is read as whole lines, and refused."""
    loop = "    5.times do |n|\n      @ts.write([:req, 2])\n    end\n\n"
    first = "  def test_00\n    @ts.write([:req, 1])\n  end\n\n  def test_core_01\n"
    second = "    taken = @ts.take([:req, 2])\n  end\n\n  def test_core_02\n    if taken\n"
    text = first + loop + second + "      @ts.write([:ack])\n    end\n\n" + loop + "  end\n"
    old = "  end\n\n" + loop
    new = "  end\n\n  def test_core_01\n" + loop.replace(" |n|", "")
    said = "while with their own indentation they match lines 3-9 with a line left out"
    assert said in refusal(apply_edit, text, old, new, path="test_rinda.rb")


def test_a_loose_reading_past_a_quoted_line_standing_a_few_lines_off_is_refused() -> None:
    """jaraco.path's changelog: the hunk quotes the `1.1` entry's line before its heading.
    Loosely it read at the entry, `1.1` taken for nothing and `1.0`'s heading left out, and
    the new section went between `1.1`'s heading and its entry. `1.1` stands as written
    three lines up: the quote may be of those lines, so the hunk is refused (as not found,
    its loose reading named)."""
    rst = (
        "1.1\n===\n\nAdd cross platform is_hidden function.\n\n1.0\n===\n\n"
        "Initial released based on jaraco.util 10.13.\n"
    )
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -1,4 +1,9 @@\n" + (
        "+1.2\n+===\n+\n+Move to Github and configure automatic releases via Travis-CI.\n+\n"
        " Add cross platform is_hidden function.\n 1.1\n ===\n \n"
    )
    assert "was not found in cart.py" in refusal(patched, rst, diff)


def test_a_line_of_elsewhere_standing_alone_a_few_lines_off_is_still_read_past() -> None:
    """ruby/tempfile's push_gem.yml: `permissions:`, the line that heads the job's
    permissions three lines up, quoted between a blank line and `steps:`. It stands
    there alone, not in a run of the quote's lines, so the edit is read without it."""
    yml = (
        "jobs:\n  push:\n    runs-on: ubuntu-latest\n\n    permissions:\n"
        "      contents: write\n      id-token: write\n\n    steps:\n"
        "      - name: Harden Runner\n        uses: step-security/harden-runner@95d9a5d # v2.13.2\n"
        "        with:\n          egress-policy: audit\n\n      - uses: actions/checkout@v6\n"
    )
    old = (
        "\n    permissions:\n    steps:\n      - name: Harden Runner\n"
        "        uses: step-security/harden-runner@95d9a5d # v2.13.2\n"
        "        with:\n          egress-policy: audit\n\n"
    )
    new = old.replace("95d9a5d # v2.13.2", "df199fb # v2.13.3")
    assert apply_edit(yml, old, new, path="push_gem.yml") == yml.replace(
        "95d9a5d # v2.13.2", "df199fb # v2.13.3"
    )


def test_a_kept_line_quoted_twice_for_two_differing_file_lines_is_refused() -> None:
    """ruby/pstore's transaction: the quote wrote the `    end` after `file.close` as
    `\\tend`, like the `\\tend` of the catch block above it, and the new side keeps one
    `\\tend`. Read as the catch block's copy it stayed `\\tend`; as the other, it is the
    file's `    end`. Which one the model meant is a guess, so the edit is refused."""
    rb = (
        "  def transaction(read_only=false)\n    begin\n      @rdonly = read_only\n"
        "      begin\n\tcatch(:pstore_abort_transaction) do\n\t  value = yield(self)\n"
        "\tend\n      rescue Exception\n\t@abort = true\n\traise\n      end\n    ensure\n"
        "      @transaction = false\n      file.close if file\n    end\n    value\n  end\n"
    )
    old = rb.replace("file.close if file\n    end\n", "file.close if file\n\tend\n")
    new = (
        "  def transaction(read_only = false)\n    @lock.synchronize do\n"
        "      @rdonly = read_only\n      catch(:pstore_abort_transaction) do\n"
        "        value = yield(self)\n      end\n\tend\n  ensure\n    @transaction = false\n"
        "    value\n  end\n"
    )
    said = "a line comes out as '\\tend' one way and '    end' the other"
    assert said in refusal(apply_edit, rb, old, new, path="pstore.rb")
    block = SearchReplace("pstore.rb", old, new)
    assert said in refusal(apply_search_replace, rb, block)
    # Quoted as the file has it, the same edit is made.
    assert apply_edit(rb, rb, new.replace("\tend", "    end"), path="pstore.rb") == new.replace(
        "\tend", "    end"
    )


def test_a_new_line_in_the_quotes_slip_that_the_file_also_writes_is_refused() -> None:
    """jaraco's Sphinx conf.py: a list indented with spaces, a dict below it with tabs.
    A quote with a tab for the list's four spaces, and a new line with a tab: the tab
    may be the quote's slip (four spaces) or the file's own (a tab). Refused; where the
    file has no tab-indented line, the new line takes the quote's mapping."""
    top = (
        "#!/usr/bin/env python3\n\nimport setuptools_scm\n\n"
        "extensions = [\n    'sphinx.ext.autodoc',\n    'rst.linker',\n]\n\n"
    )
    tabbed = "link_files = {\n\t'CHANGES.rst': dict(\n\t\tusing=dict(GH='https://github.com'),\n\t),\n}\n"
    old = "#!/usr/bin/env python3\n\nimport setuptools_scm\n\nextensions = [\n\t'sphinx.ext.autodoc',\n"
    new = (
        "#!/usr/bin/env python3\n\nimport subprocess\n\n"
        "if 'check_output' not in dir(subprocess):\n\timport subprocess32 as subprocess\n\n"
        "extensions = [\n\t'sphinx.ext.autodoc',\n"
    )
    said = "its new line 'import subprocess32 as subprocess' is indented with tabs, as its quote"
    assert said in refusal(apply_edit, top + tabbed, old, new, path="conf.py")
    block = SearchReplace("conf.py", old, new)
    assert said in refusal(apply_search_replace, top + tabbed, block)
    made = apply_edit(top, old, new, path="conf.py")
    assert made == new.replace("\t", "    ") + "    'rst.linker',\n]\n\n"


def test_new_lines_in_tabs_for_a_file_whose_tabs_are_columns_take_the_quotes_mapping() -> None:
    """ruby/ipaddr's tests: indented by twos, eight columns written as a tab (`\t  ` is
    ten). A hunk quoting `  end` as `\tend` and adding a test in tabs is written a tab a
    level: its tabs are the file's two spaces, not its eight columns."""
    rb = (
        "class TC_IPAddr < Test::Unit::TestCase\n  def test_s_new\n"
        "    assert_nothing_raised {\n\tIPAddr.new('3FFE:505:ffff::/48')\n"
        "\t  IPAddr.new('0:0:0:1::')\n    }\n  end\n\nend\n"
    )
    diff = "--- a/cart.py\n+++ b/cart.py\n@@ -7,3 +7,7 @@\n" + (
        " \tend\n \n+\tdef test_hash\n+\t\tassert_equal(4, h.size)\n+\tend\n+\n end\n"
    )
    assert patched(rb, diff) == rb.replace(
        "  end\n\nend\n", "  end\n\n  def test_hash\n    assert_equal(4, h.size)\n  end\n\nend\n"
    )
