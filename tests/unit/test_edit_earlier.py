"""Edits written against the file as the task found it (glm_lsp.edits.earlier): a second
edit that quotes, as context, lines the first one changed is made where it was meant and
carried over the first, never matched loosely somewhere else; one that changes those
same lines is refused."""

from __future__ import annotations

from glm_lsp.edits.apply import apply_edit
from glm_lsp.edits.search_replace import SearchReplace, apply_search_replace
from glm_lsp.edits.text_formats import apply_text_edits, parse_text_edits
from helpers import refusal


def note(target: str) -> str:
    return (
        "   |     |       the trait `Bool` is not implemented for `" + target + "`\n"
        "   |     required by a bound introduced by this call\n"
        "   |\n"
        "note: required by a bound in `anyhow::__private::not`\n"
        "  --> src/lib.rs\n"
    )


# anyhow's ensure-nonbool.stderr, shortened: the same compiler note for two types.
STDERR = (
    "33 |     ensure!(db);\n"
    + note("DerefBool")
    + "\n34 |     ensure!(&db);\n"
    + note("&DerefBool")
)
FIRST = ("`Bool` is not implemented for `DerefBool`", "unsatisfied trait bound")
# The second edit quotes the first's old line as context and adds a help note after it.
OLD = note("DerefBool").split("note:")[0]
HELP = "help: the trait `Bool` is not implemented for `DerefBool`\n"
NEW = OLD + HELP


def test_a_second_edit_quoting_lines_the_first_changed_is_made_where_it_was_meant() -> None:
    once = apply_edit(STDERR, *FIRST, path="t.stderr", before=STDERR)
    twice = apply_edit(once, OLD, NEW, path="t.stderr", before=STDERR)
    expected = once.replace(OLD.replace(*FIRST), NEW.replace(*FIRST, 1), 1)
    assert twice == expected
    # Without the file as the task found it, the quote matched the `&DerefBool` note
    # loosely (one character apart), and the help note went there.
    assert apply_edit(once, OLD, NEW, path="t.stderr") != expected


def test_a_second_edit_that_changes_what_the_first_changed_is_refused() -> None:
    once = apply_edit(STDERR, *FIRST, path="t.stderr", before=STDERR)
    changed = OLD.replace("DerefBool`", "DerefBool` (deref it)")
    assert refusal(apply_edit, once, OLD, changed, path="t.stderr", before=STDERR) == (
        "The edit to t.stderr was not applied: old_string quotes lines as they were before "
        "an earlier edit of this task changed them, and changes lines that edit changed "
        "too; quote them as they are now, or make both changes in one edit."
    )


def test_an_edit_made_again_against_the_old_text_is_refused_as_made() -> None:
    once = apply_edit(STDERR, *FIRST, path="t.stderr", before=STDERR)
    assert refusal(apply_edit, once, *FIRST, path="t.stderr", before=STDERR) == (
        "The edit to t.stderr was not applied: an earlier edit of this task made it already."
    )


def test_search_replace_blocks_of_one_reply_are_read_against_the_file_they_quote() -> None:
    block = SearchReplace("t.stderr", OLD, NEW)
    once = STDERR.replace(*FIRST)
    expected = once.replace(OLD.replace(*FIRST), NEW.replace(*FIRST, 1), 1)
    assert apply_search_replace(once, block, STDERR) == expected
    reply = (
        f"t.stderr\n```\n<<<<<<< SEARCH\n{OLD}=======\n"
        f"{OLD.replace(*FIRST)}>>>>>>> REPLACE\n```\n\n"
        f"t.stderr\n```\n<<<<<<< SEARCH\n{OLD}=======\n{NEW}>>>>>>> REPLACE\n```\n"
    )
    files = {"t.stderr": STDERR}
    assert apply_text_edits(files.get, parse_text_edits(reply)) == {"t.stderr": expected}


def test_a_block_written_before_an_earlier_one_may_quote_a_last_line_left_unended() -> None:
    # Newtonsoft.Json's DateTimeConverterBase.cs ends without a line break. Two blocks of
    # one reply: the first changes the class's line, the second quotes it as context down
    # to the file's last `}`; its SEARCH section ends with a line break the file lacks, so
    # it stood nowhere in the file as the task found it either, and was refused.
    start = "namespace N\n{\n  public class C\n  {\n    int x;\n  }\n}"
    first = SearchReplace("c.cs", "  public class C\n", "  public sealed class C\n")
    second = SearchReplace(
        "c.cs",
        "  public class C\n  {\n    int x;\n  }\n}\n",
        "  public class C\n  {\n    int y;\n  }\n}\n",
    )
    once = apply_search_replace(start, first, start)
    assert apply_search_replace(once, second, start) == (
        "namespace N\n{\n  public sealed class C\n  {\n    int y;\n  }\n}"
    )


def test_a_quote_that_an_earlier_edit_moved_is_refused() -> None:
    # hyperium/http's port.rs: the first edit moves the `Display` impl above `PartialEq`,
    # the second, written against the file as it was, adds tests after that impl's last
    # lines, at the file's end. Those lines now stand once, where the first edit wrote
    # them: made there, the tests went between the impls.
    display = "impl Display for Port {\n    fn fmt(&self) {\n        write!(self.bytes)\n    }\n}\n"
    equal = "impl PartialEq for Port {\n    fn eq(&self) -> bool {\n        true\n    }\n}\n"
    start = f"{equal}\n{display}"
    moved = f"{display}\n{equal}"
    tail = "        write!(self.bytes)\n    }\n}\n"
    tests = tail + "\n#[cfg(test)]\nmod tests {}\n"
    once = apply_edit(start, start, moved, path="port.rs", before=start)
    assert refusal(apply_edit, once, tail, tests, path="port.rs", before=start) == (
        "The edit to port.rs was not applied: old_string stands where an earlier edit of "
        "this task wrote it, and stood where that edit changed the file, so whether it "
        "means those lines as they are now or as they were is unclear; quote them with "
        "lines around them that the file has only there now."
    )
    # Lines an earlier edit left in place are one place, whatever it changed around them;
    # so are blank lines of which it took one out (glm-lsp's workspace.py: an import
    # removed with a blank line, then the function below quoted from the blank lines on).
    head = "from pathlib import Path\n\nimport git\n\n\ndef root():\n    return git\n"
    trimmed = apply_edit(head, "\nimport git\n", "", path="w.py", before=head)
    body = "\n\ndef root():\n    return git\n"
    assert apply_edit(
        trimmed, body, body.replace("git", "None"), path="w.py", before=head
    ) == trimmed.replace("return git", "return None")
    renamed = once.replace("fn eq", "fn equals")
    assert apply_edit(renamed, tail, tests, path="port.rs", before=once) == renamed.replace(
        tail, tests
    )


def test_an_edit_that_cannot_be_made_where_it_stands_now_is_made_as_written_before() -> None:
    # msgpack-c's user_class.cpp: the first edit puts `#if defined(__GNUC__)` above the
    # pragmas; the second, written against the file before it, quotes a blank line and the
    # pragmas, and writes `#if defined(__GNUC__)` again around the `pop`. Now its quote
    # stands only across the new line, which it leaves out and writes again: refused
    # there, it is made as written before and carried over the first edit.
    push = '#pragma GCC diagnostic push\n#pragma GCC diagnostic ignored "-Wconversion"\n'
    text = (
        "#include <string>\n#include <cmath>\n\n" + push + "\n#include <gtest/gtest.h>\n\n"
        "#pragma GCC diagnostic pop\n\n#ifdef HAVE_CONFIG_H\n"
    )
    guard, end = "#if defined(__GNUC__)\n", "#endif //defined(__GNUC__)\n"
    first = apply_edit(
        text, "#include <cmath>\n\n#pragma", "#include <cmath>\n\n" + guard + "#pragma",
        path="user_class.cpp",
    )
    old = "\n" + push + "\n#include <gtest/gtest.h>\n\n#pragma GCC diagnostic pop\n"
    new = (
        "\n" + push + end + "\n#include <gtest/gtest.h>\n\n"
        + guard + "#pragma GCC diagnostic pop\n" + end
    )
    made = apply_edit(first, old, new, path="user_class.cpp", before=text)
    assert made == (
        "#include <string>\n#include <cmath>\n\n" + guard + push + end
        + "\n#include <gtest/gtest.h>\n\n" + guard + "#pragma GCC diagnostic pop\n" + end
        + "\n#ifdef HAVE_CONFIG_H\n"
    )
