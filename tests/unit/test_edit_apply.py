"""The edit_file semantics: exact, unique replacement (glm_lsp.edits.apply)."""

from __future__ import annotations

import time

import pytest

from glm_lsp.edits.apply import apply_edit, match_line_endings
from glm_lsp.errors import EditError

SOURCE = """\
import os


def greet(name):
    return "hello " + name


def shout(name):
    return greet(name).upper()
"""


def error_of(text: str, old: str, new: str, *, path: str = "") -> str:
    with pytest.raises(EditError) as caught:
        apply_edit(text, old, new, path=path)
    return caught.value.message


def test_replaces_the_unique_match_and_nothing_else() -> None:
    result = apply_edit(SOURCE, '    return "hello " + name\n', '    return f"hello {name}"\n')
    assert result == SOURCE.replace('"hello " + name', 'f"hello {name}"')


def test_match_may_start_and_end_mid_line() -> None:
    assert apply_edit("a = 1  # one\n", "1  #", "2  #") == "a = 2  # one\n"


def test_deleting_with_an_empty_new_string() -> None:
    assert apply_edit("a\nb\nc\n", "b\n", "") == "a\nc\n"


def test_replace_all_replaces_every_occurrence() -> None:
    assert apply_edit("x = x + x\n", "x", "y", replace_all=True) == "y = y + y\n"


def test_replace_all_with_a_single_match() -> None:
    assert apply_edit("x = 1\n", "x", "y", replace_all=True) == "y = 1\n"


def test_new_string_containing_old_string() -> None:
    assert apply_edit("a\n", "a", "aa") == "aa\n"


def test_empty_old_string() -> None:
    assert error_of(SOURCE, "", "x", path="src/greet.py") == (
        "old_string is empty; to edit src/greet.py give the exact text to replace, "
        "or use create_file to write a whole new file."
    )


def test_identical_strings() -> None:
    assert error_of(SOURCE, "import os", "import os") == (
        "old_string and new_string are identical, so the edit would not change the file; "
        "give the new text in new_string."
    )


def test_several_matches_are_listed_by_line() -> None:
    assert error_of(SOURCE, "(name)", "(who)", path="greet.py") == (
        "old_string matches 3 places in greet.py (starting at lines 4, 8, 9); it must match "
        "exactly one. Include more surrounding lines in old_string to make it unique, or set "
        "replace_all=true to replace every occurrence."
    )


def test_not_found_shows_the_closest_lines() -> None:
    old = "def shout(name):\n    return greet(name).lower()\n"
    assert error_of(SOURCE, old, "x", path="greet.py") == (
        "old_string was not found in greet.py; old_string must match the file exactly, "
        "including whitespace, indentation and blank lines.\n"
        "Did you mean lines 8-9 (93% similar)?\n"
        "8 | def shout(name):\n"
        "9 |     return greet(name).upper()\n"
        "Copy the lines exactly as they are in the file (without the line numbers and "
        "the ' | ') into old_string and try again."
    )


def test_lines_a_character_off_are_not_called_identical() -> None:
    """A one-letter slip in a long line was 99.6 % alike and read "100% similar", which
    tells the model its quote was right; the share is rounded down."""
    line = "    return p.UsageResult(p.usage_json(spent), spent.describe(), records)\n"
    text = "def usage(ls):\n" + line + "\n\ndef chat(ls):\n    pass\n"
    old = "def usage(ls):\n" + line.replace("usage_json", "usage_jon") + "\n\ndef chat(ls):\n"
    assert error_of(text, old, "x").splitlines()[1] == "Did you mean lines 1-5 (99% similar)?"


def test_not_found_says_when_only_whitespace_differs() -> None:
    old = 'def greet(name):\n    return "hello "+name\n'
    message = error_of(SOURCE, old, "x")
    assert message.splitlines()[1:4] == [
        "Did you mean lines 4-5 (97% similar)? They differ from old_string only in "
        "whitespace or indentation.",
        "4 | def greet(name):",
        '5 |     return "hello " + name',
    ]


def test_line_numbers_are_aligned() -> None:
    text = "".join(f"line {n}\n" for n in range(1, 12))
    message = error_of(text, "line 9\nline 10\nlime 11\n", "x")
    assert message.splitlines()[2:5] == [" 9 | line 9", "10 | line 10", "11 | line 11"]


def test_not_found_without_anything_similar() -> None:
    assert error_of(SOURCE, "class Database:\n", "x", path="greet.py") == (
        "old_string was not found in greet.py; old_string must match the file exactly, "
        "including whitespace, indentation and blank lines. No similar lines were found; "
        "read the file again to see its text."
    )


def test_not_found_in_an_empty_file() -> None:
    assert "No similar lines were found" in error_of("", "x", "y")


def test_old_string_taller_than_the_file() -> None:
    message = error_of("a = 1\nb = 2\n", "a = 1\nb = 2\nc = 3\n", "x")
    assert "Did you mean lines 1-2 (78% similar)?" in message


def test_crlf_file_keeps_crlf_when_the_model_writes_lf() -> None:
    text = "one\r\ntwo\r\nthree\r\n"
    assert apply_edit(text, "two\nthree\n", "2\n3\n4\n") == "one\r\n2\r\n3\r\n4\r\n"


def test_crlf_file_single_line_match_with_multi_line_replacement() -> None:
    assert apply_edit("a\r\nb\r\n", "b", "b\nc") == "a\r\nb\r\nc\r\n"


def test_lf_file_keeps_lf_when_the_model_writes_crlf() -> None:
    assert apply_edit("a\nb\n", "a\r\nb\r\n", "x\r\ny\r\n") == "x\ny\n"


def test_crlf_in_an_lf_file_is_left_alone_outside_the_match() -> None:
    text = "a\nb\r\nc\n"
    assert apply_edit(text, "a", "A") == "A\nb\r\nc\n"


# AutoMapper's TypePair.cs: mostly LF, a few lines CRLF.
MIXED = (
    "    public TypePair? Open()\n"
    "    {\n"
    "        if (!IsGeneric)\r\n"
    "        {\n"
    "            return null;\r\n"
    "        }\n"
    "        var source = SourceType.IsGenericType() ? SourceType.Definition() : SourceType;\n"
    "        return new TypePair(source);\n"
    "    }\r\n"
    "\r\n"
    "    public TypePair Close()\r\n"
)
BEFORE = MIXED[MIXED.index("        {\n") : MIXED.index("    public TypePair Close")]
AFTER = BEFORE.replace(
    "SourceType.IsGenericType() ? SourceType.Definition() : SourceType", "SourceType.Definition()"
)


def test_lines_an_edit_keeps_keep_their_line_ends_in_a_file_that_mixes_them() -> None:
    assert apply_edit(MIXED, BEFORE, AFTER) == MIXED.replace(BEFORE, AFTER)
    # The same edit written in LF throughout: the kept lines keep the file's CRLF.
    lf = apply_edit(MIXED, BEFORE.replace("\r\n", "\n"), AFTER.replace("\r\n", "\n"))
    assert lf == MIXED.replace(BEFORE, AFTER)


def test_an_exact_quote_of_mixed_line_ends_gives_new_string_the_ends_it_writes() -> None:
    # hapi's commits make CRLF lines LF: old_string copied with each line's break, and
    # new_string with another, is a change of that break.
    old = "    {\n        if (!IsGeneric)\r\n"
    new = "    {\n        if (!IsGeneric)\n"
    assert apply_edit(MIXED, old, new) == MIXED.replace(old, new)


def test_lines_restated_in_other_indentation_keep_their_line_ends() -> None:
    """The quote in tabs, the new text in the file's spaces: every line is written again,
    re-indented, and each takes the end of the file line it stands for."""
    tabbed = "".join(
        "\t" * ((len(line) - len(line.lstrip(" "))) // 4) + line.lstrip(" ")
        for line in BEFORE.splitlines(True)
    )
    assert apply_edit(MIXED, tabbed, AFTER) == MIXED.replace(BEFORE, AFTER)


def test_match_line_endings() -> None:
    assert match_line_endings("a\r\nb\r\n", "x\ny\n") == "x\r\ny\r\n"
    assert match_line_endings("a\nb\n", "x\r\ny\n") == "x\ny\n"
    assert match_line_endings("one line", "x\r\ny\n") == "x\r\ny\n"


def test_a_typo_between_blank_lines_is_shown_not_windows_that_share_only_blank_lines() -> None:
    # colorama's tests: a blank line, a misspelt `if __name__` line and a blank line. The
    # windows ranked first were the dozen that are a line between two blank lines.
    settings = "".join(f"\nSETTING_{n} = {n}\n" for n in range(12))
    text = "import os\n" + settings + "\nif __name__ == '__main__':\n    main()\n"
    message = error_of(text, "\nif __nae__ == '__main__':\n\n", "x")
    assert "Did you mean lines 26-28 (83% similar)?" in message


def test_a_misquoted_long_line_outweighs_short_lines_alike_everywhere() -> None:
    # glm-lsp's own tests: `assert patchd(...) == (` and `)`, the line between left out.
    # Every call's closing `)` was as alike as the one misquoted line, and the hint said
    # no similar lines were found. The misquoted line is named beside the file's.
    calls = "".join(f"    check_{n}(\n        {n},\n    )\n" for n in range(12))
    text = "def test():\n" + calls + "    assert total(a, b) == (\n        1\n    )\n"
    message = error_of(text, "    assert totl(a, b) == (\n    )\n", "x")
    assert message.startswith("old_string matches lines 38-40 of the file only loosely")
    assert "line 38 of the file reads 'assert total(a, b) == ('" in message


def test_not_found_is_fast_on_a_large_file() -> None:
    text = "".join(f"    value_{n} = compute({n}, key='k{n % 7}')\n" for n in range(5000))
    old = "".join(f"    value_{n} = compute({n}, key='x')\n" for n in range(2500, 2520))
    started = time.perf_counter()
    message = error_of(text, old, "x")
    assert time.perf_counter() - started < 5
    assert "Did you mean lines 2501-2520" in message


def test_a_huge_file_still_finds_lines_that_differ_only_in_whitespace() -> None:
    # Spaces dropped inside the lines: not the file's lines, even ignoring runs of whitespace.
    text = "".join(f"    item_{n} = make({n})\n" for n in range(60_000))
    old = "".join(f"{' ' * (n % 2 * 2)}item_{n}=make({n})\n" for n in range(40_000, 40_010))
    started = time.perf_counter()
    message = error_of(text, old, "x")
    assert time.perf_counter() - started < 5
    assert "Did you mean lines 40001-40010" in message
    assert "only in whitespace or indentation" in message


# --- tolerant matching: each level applies only when it finds exactly one place -----------

CLASS = (
    "class Greeter:\n"
    "    def greet(self, name):  \n"  # two trailing spaces
    "        message = 'hello ' + name\n"
    "        return message\n"
    "\n"
    "    def shout(self, name):\n"
    "        return self.greet(name).upper()\n"
)


def test_trailing_whitespace_in_the_file_is_tolerated_and_kept() -> None:
    old = "    def greet(self, name):\n        message = 'hello ' + name\n"
    new = "    def greet(self, name):\n        message = f'hello {name}'\n"
    assert apply_edit(CLASS, old, new) == CLASS.replace(
        "'hello ' + name", "f'hello {name}'"
    )  # line 2 keeps its two trailing spaces: the model's copy of it was only context


def test_inner_runs_of_whitespace_are_tolerated() -> None:
    result = apply_edit(CLASS, "        message  =  'hello ' + name\n", "        message = 'hi'\n")
    assert result == CLASS.replace("message = 'hello ' + name", "message = 'hi'")


def test_a_dedented_snippet_is_reindented_to_the_file() -> None:
    old = "def shout(self, name):\n    return self.greet(name).upper()\n"
    new = "def shout(self, name):\n    loud = self.greet(name).upper()\n    return loud + '!'\n"
    assert apply_edit(CLASS, old, new).endswith(
        "    def shout(self, name):\n        loud = self.greet(name).upper()\n"
        "        return loud + '!'\n"
    )


def test_an_over_indented_snippet_is_dedented_to_the_file() -> None:
    old = "        def shout(self, name):\n            return self.greet(name).upper()\n"
    new = "        def shout(self, name):\n            return self.greet(name).lower()\n"
    assert apply_edit(CLASS, old, new) == CLASS.replace(".upper()", ".lower()")


def test_spaces_for_tabs_are_written_back_as_tabs() -> None:
    text = "func main() {\n\tif ready {\n\t\tstart()\n\t}\n}\n"
    old = "    if ready {\n        start()\n    }\n"
    new = "    if ready {\n        start()\n        wait()\n    }\n"
    assert apply_edit(text, old, new) == (
        "func main() {\n\tif ready {\n\t\tstart()\n\t\twait()\n\t}\n}\n"
    )


def test_a_typo_in_a_context_line_is_tolerated_and_the_file_line_kept() -> None:
    old = "    def gret(self, name):\n        message = 'hello ' + name\n        return message\n"
    new = (
        "    def gret(self, name):\n        message = 'hello ' + name\n"
        "        return message.strip()\n"
    )
    assert apply_edit(CLASS, old, new) == CLASS.replace(
        "return message\n", "return message.strip()\n"
    )


def test_a_typo_in_a_removed_line_is_refused() -> None:
    old = "        message = 'hello ' + name\n        return mesage\n"
    assert error_of(CLASS, old, "        return 'hello ' + name\n") == (
        "old_string was not found in the file; old_string must match the file exactly, "
        "including whitespace, indentation and blank lines.\n"
        "Did you mean lines 3-4 (99% similar)?\n"
        "3 |         message = 'hello ' + name\n"
        "4 |         return message\n"
        "Copy the lines exactly as they are in the file (without the line numbers and the "
        "' | ') into old_string and try again."
    )


def test_two_places_equal_up_to_whitespace_are_refused() -> None:
    text = "def a():\n  x = 1\n  return x\n\ndef b():\n      x = 1\n      return x\n"
    assert error_of(
        text, "    x = 1\n    return x\n", "    x = 2\n    return x\n", path="m.py"
    ) == (
        "old_string does not match m.py exactly, and ignoring whitespace it matches 2 places "
        "(starting at lines 2, 6); it must match exactly one. Copy the lines exactly as they "
        "are in the file, with enough surrounding lines to make old_string unique."
    )


def test_a_stricter_level_wins_over_an_ambiguous_looser_one() -> None:
    text = "def a():\n    x = 1\n    return x\n\ndef b():\n    x  = 1\n    return x\n"
    result = apply_edit(text, "    x = 1 \n    return x\n", "    x = 2\n    return x\n")
    assert result == text.replace("    x = 1\n", "    x = 2\n")


def test_indentation_tells_two_copies_of_a_block_apart() -> None:
    text = (
        "build:\n  steps:\n    - name: test\n      run: pytest\n"
        "deploy:\n  steps:\n  - name: test\n    run: pytest\n"
    )
    old = "  steps:\n    - name: test  \n      run: pytest\n"
    new = "  steps:\n    - name: test  \n      run: pytest -q\n"
    assert apply_edit(text, old, new) == text.replace("run: pytest\n", "run: pytest -q\n", 1)


def test_the_whitespace_inside_lines_tells_two_copies_of_a_dedented_quote_apart() -> None:
    # cobra's completion tests: two tests build the same command, one with its fields
    # aligned. A quote that lost its indentation matches both up to whitespace; the
    # alignment inside its lines says which one it copied.
    def test(name: str, fields: str) -> str:
        return (
            f"func {name}(t *testing.T) {{\n\tchildCmd := &Command{{\n{fields}\t}}\n"
            "\trootCmd.AddCommand(childCmd)\n}\n\n"
        )

    plain = test("TestA", '\t\tUse: "childCmd",\n\t\tRun: emptyRun,\n')
    aligned = test("TestB", '\t\tUse:   "childCmd",\n\t\tShort: "first",\n\t\tRun:   emptyRun,\n')
    text = plain + aligned
    old = "\tRun:   emptyRun,\n}\nrootCmd.AddCommand(childCmd)\n"
    new = old + "rootCmd.AddCommand(otherCmd)\n"
    added = "\trootCmd.AddCommand(childCmd)\n\trootCmd.AddCommand(otherCmd)\n"
    assert apply_edit(text, old, new) == plain + aligned.replace(
        "\trootCmd.AddCommand(childCmd)\n", added
    )
    unaligned = old.replace("Run:   emptyRun", "Run: emptyRun")
    made = apply_edit(text, unaligned, unaligned + "rootCmd.AddCommand(otherCmd)\n")
    assert made == plain.replace("\trootCmd.AddCommand(childCmd)\n", added) + aligned
    # Aligned like neither, the quote says nothing of which it means.
    other = old.replace("Run:   emptyRun", "Run:  emptyRun")
    assert "it must match exactly one" in error_of(text, other, other + "x\n")


def test_two_fuzzy_places_equally_similar_are_refused() -> None:
    text = (
        "def load(path):\n    with open(path) as handle:\n        data = handle.read()\n"
        "    return parse(data)\n\n\n"
        "def save(path):\n    with open(path) as handle:\n        data = handle.read()\n"
        "    return parse(data)\n"
    )
    old = "    with open(pth) as handle:\n        data = handle.read()\n    return parse(data)\n"
    new = old.replace("parse(data)", "parse(data.strip())")
    assert error_of(text, old, new).splitlines()[-1] == (
        "Lines 8-10 are almost as similar (99%), so neither place was changed; include the "
        "lines that tell them apart."
    )


def test_a_long_quote_with_most_lines_misquoted_is_refused_and_pointed_at() -> None:
    """Past 500 characters a quote is compared line against line: fewer than half its
    lines as the file has them is no copy with a few mistakes, however alike by letters."""
    lines = [f"    total_{k} = compute_value(alpha_{k}, beta_{k}, gamma)\n" for k in range(60)]
    text = "def big():\n" + "".join(lines) + "    return total_0\n"
    old = "".join(line.replace("gamma", "gama") if k % 3 else line for k, line in enumerate(lines))
    message = error_of(text, old, old.replace("compute_value", "compute"))
    assert message.splitlines()[1:3] == [
        "Did you mean lines 2-61 (99% similar)?",
        " 2 |     total_0 = compute_value(alpha_0, beta_0, gamma)",
    ]


def test_a_long_quote_with_a_typo_is_placed_by_the_lines_it_shares() -> None:
    lines = [f"    total_{k} = compute_value(alpha_{k}, beta_{k}, gamma)\n" for k in range(30)]
    text = "def big():\n" + "".join(lines) + "    return total_0\n"
    old = "".join(lines).replace("beta_7,", "beta7,")
    new = old.replace("    total_29", "    # last\n    total_29")  # the typo'd line kept
    assert apply_edit(text, old, new) == text.replace("    total_29", "    # last\n    total_29")


def test_overlapping_occurrences_are_not_unique() -> None:
    assert error_of("a\na\na\n", "a\na\n", "b\n") == (
        "old_string matches 2 places in the file (starting at lines 1, 2); it must match "
        "exactly one. Include more surrounding lines in old_string to make it unique, or set "
        "replace_all=true to replace every occurrence."
    )


def test_tolerant_match_in_a_crlf_file_keeps_crlf() -> None:
    text = "a = 1\r\nif a:\r\n    b = 2 \r\n"
    assert apply_edit(text, "if a:\n    b = 2\n", "if a:\n    b = 3\n") == (
        "a = 1\r\nif a:\r\n    b = 3\r\n"
    )


def test_a_final_line_break_the_model_adds_is_kept() -> None:
    assert apply_edit("x = 1\ny = 2", "y  = 2", "y = 3\n") == "x = 1\ny = 3\n"
    assert apply_edit("x = 1\ny = 2", "y  = 2", "y = 3") == "x = 1\ny = 3"


def test_a_line_break_the_new_string_lost_still_ends_its_line() -> None:
    """Replacing `return greet(...)` lines without the final break must not glue the next
    line onto them, at the exact level as at the tolerant ones."""
    old, new = "def greet(name):\n", "def greet(name: str)"
    assert apply_edit(SOURCE, old, new) == SOURCE.replace("greet(name):", "greet(name: str)")
    crlf = SOURCE.replace("\n", "\r\n")
    assert apply_edit(crlf, old, new) == crlf.replace("greet(name):", "greet(name: str)")


def test_a_new_string_without_its_break_at_the_end_of_the_file_drops_it() -> None:
    assert apply_edit("x = 1\ny = 2\n", "y = 2\n", "y = 3") == "x = 1\ny = 3"


def test_a_quote_that_stands_only_as_a_sibling_block_with_one_word_swapped_is_refused() -> None:
    """ripgrep's cli/lib.rs: an edit of is_tty_stderr, quoted after another edit moved its
    lines apart, must not land in is_tty_stdin, the same lines with `stdin`."""
    text = (
        "/// True if stdin is a tty\n"
        "/// or a console.\n"
        "pub fn is_tty_stdin() -> bool {\n"
        "    std::io::stdin().is_terminal()\n"
        "}\n"
        "\n"
        "/// True if stderr is a tty\n"
        "/// or a console.\n"
        "///\n"
        "/// Deprecated.\n"
        "pub fn is_tty_stderr() -> bool {\n"
        "    std::io::stderr().is_terminal()\n"
        "}\n"
    )
    old = (
        "/// True if stderr is a tty\n"
        "/// or a console.\n"
        "pub fn is_tty_stderr() -> bool {\n"
        "    std::io::stderr().is_terminal()\n"
        "}\n"
    )
    new = old.replace("bool {\n", "bool {\n    use std::io::IsTerminal;\n")
    message = error_of(text, old, new, path="lib.rs")
    assert message.startswith("old_string was not found in lib.rs;")
