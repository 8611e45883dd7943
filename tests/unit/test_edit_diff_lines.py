"""New text written as diff lines (issue 10, round 12): read as the diff it is when its
' ' and '-' lines are the quote, or when it is only '+' lines indented as the quote is;
refused when it is neither; left alone where lines start with '+' or '-' anyway."""

from __future__ import annotations

import pytest

from glm_lsp.edits.apply import apply_edit
from glm_lsp.edits.search_replace import SearchReplace, apply_search_replace
from glm_lsp.errors import EditError
from helpers import refusal

PY = "def total(a, b):\n    s = a + b\n    return s * 2\n\n\ndef main():\n    return total(1, 2)\n"


def test_a_diff_of_old_string_as_new_string_is_its_new_side() -> None:
    old = "    s = a + b\n    return s * 2\n"
    new = "-    s = a + b\n+    s = a - b\n     return s * 2\n"
    assert apply_edit(PY, old, new, path="m.py") == PY.replace("a + b", "a - b")


def test_a_replace_of_plus_lines_loses_the_marks() -> None:
    block = SearchReplace("m.py", "    s = a + b\n", "+    s = a - b\n+    s += 1\n")
    assert apply_search_replace(PY, block) == PY.replace("a + b\n", "a - b\n    s += 1\n")


def test_a_diff_that_only_removes_lines_removes_them() -> None:
    old = "def total(a, b):\n    s = a + b\n    return s * 2\n"
    new = " def total(a, b):\n-    s = a + b\n-    return s * 2\n+    return (a + b) * 2\n"
    assert apply_edit(PY, old, new, path="m.py").startswith(
        "def total(a, b):\n    return (a + b) * 2\n\n\n"
    )
    removed = "\n def total(a, b):\n-    s = a + b\n"
    assert apply_edit(PY, "\ndef total(a, b):\n    s = a + b\n", removed, path="m.py") == (
        "def total(a, b):\n    return s * 2\n\n\ndef main():\n    return total(1, 2)\n"
    )


def test_plus_lines_for_a_quote_of_lua_comments_lose_the_marks() -> None:
    lua = "-- Options.\n-- See :help.\nlocal M = {}\n"
    new = "+-- Options, merged.\n+-- See :help.\n"
    edited = apply_edit(lua, "-- Options.\n-- See :help.\n", new, path="m.lua")
    assert edited == "-- Options, merged.\n-- See :help.\nlocal M = {}\n"


def test_marked_lines_that_are_not_a_diff_of_the_quote_are_refused() -> None:
    new = "+    s = a - b\n     return s * 3\n"
    with pytest.raises(EditError) as caught:
        apply_edit(PY, "    s = a + b\n    return s * 2\n", new, path="m.py")
    assert caught.value.message == (
        "The edit to m.py writes new_string as diff lines (starting with '+', '-' or ' ') "
        "that are not a diff of old_string; write new_string as the new text itself, "
        "without diff marks, and send the edit again."
    )


def test_lists_and_patches_keep_their_marks() -> None:
    md = "Steps:\n\n- read\n- write\n"
    assert apply_edit(md, "- write\n", "- write\n- check\n", path="a.md") == (
        "Steps:\n\n- read\n- write\n- check\n"
    )
    assert apply_edit(md, "- read\n", "+ read\n", path="a.md") == "Steps:\n\n+ read\n- write\n"
    patch = "@@ -1 +1 @@\n-old\n+new\n"
    assert apply_edit(patch, "+new\n", "+new\n+more\n", path="fix.patch") == (
        "@@ -1 +1 @@\n-old\n+new\n+more\n"
    )


def test_kept_lines_are_the_quotes_own_whitespace_and_all() -> None:
    """A whitespace-only kept line ("  ") reads alike with its mark or without (gson)."""
    java = "class A {\n  int a() { return 1; }\n  \n  int b() { return 2; }\n}\n"
    old = "  int a() { return 1; }\n  \n  int b() { return 2; }\n"
    new = "-  int a() { return 1; }\n+  int a() { return 3; }\n  \n   int b() { return 2; }\n"
    assert apply_edit(java, old, new, path="A.java") == java.replace("return 1", "return 3")


def test_kept_lines_written_without_their_mark_are_kept_lines() -> None:
    old = "    s = a + b\n    return s * 2\n"
    new = "-    s = a + b\n+    s = a - b\n    return s * 2\n"
    assert apply_edit(PY, old, new, path="m.py") == PY.replace("a + b", "a - b")


def test_a_sign_put_before_a_number_is_not_taken_for_a_removal() -> None:
    """Text that reads as a deletion with its context unmarked, or as a sign put before a
    number, is refused; the sign alone is made."""
    data = "1\n2\n3\n"
    assert apply_edit(data, "3\n", "-3\n", path="data.txt") == "1\n2\n-3\n"
    assert refusal(apply_edit, data, "1\n2\n", "-1\n2\n", path="data.txt") == (
        "The edit to data.txt reads two ways: as a diff whose '-' lines remove the quoted "
        "lines they repeat, or as new_string putting '-' before them. Send new_string "
        "without diff marks to remove lines; to put '-' before lines, quote only those."
    )


def test_a_list_edit_whose_dashes_are_the_quotes_own_is_made_as_written() -> None:
    """echo's docs: trailing whitespace taken off a line above a list."""
    md = "## Contribute\n \n- Report problems\n- Suggest features\n"
    assert apply_edit(md, md, md.replace(" \n", "\n"), path="a.md") == md.replace(" \n", "\n")


RST = "History\n-------\n\n2.x.y (yyyy-mm-dd)\n++++++++++++++++++\n\n2.1.0\n+++++\n\n- Fix.\n"
RELEASE = "2.2.0 (2014-01-09)\n++++++++++++++++++\n\n- New exception.\n"


def test_an_rst_underline_of_plus_signs_is_no_plus_list() -> None:
    """requests' HISTORY.rst: the new release written as '+' lines, its underline too."""
    old = "2.x.y (yyyy-mm-dd)\n++++++++++++++++++\n\n"
    new = "".join("+" + line for line in RELEASE.splitlines(True))
    assert apply_edit(RST, old, new, path="HISTORY.rst") == RST.replace(old, RELEASE)


def test_a_kept_underline_of_plus_signs_left_unmarked_is_kept() -> None:
    """The same diff with its kept underline and blank line written without their ' '."""
    old = "2.x.y (yyyy-mm-dd)\n++++++++++++++++++\n\n"
    new = "-2.x.y (yyyy-mm-dd)\n+2.2.0 (2014-01-09)\n++++++++++++++++++\n\n+- New exception.\n"
    assert apply_edit(RST, old, new, path="HISTORY.rst") == RST.replace(old, RELEASE)


NEWS = "2.0\n+++\n\nCore\n++++\n\n- fix a\n\nLogging\n+++++++\n\n- add statsd\n\nExtra\n+++++\n"


def test_sections_added_around_a_kept_underline_left_unmarked_lose_their_marks() -> None:
    """gunicorn's news: sections added before and after a kept `Logging` heading, the new
    lines marked '+' (their underlines `++++++` too), the kept ones left unmarked, and no
    line removed. The file has no line starting with '+' but underlines."""
    old = "\nLogging\n+++++++\n\n- add statsd\n"
    added = "- fix b\n\nAsync\n+++++\n\n- fix c\n"
    after = "\nPaster\n++++++\n\n- fix d\n"
    new = "".join("+" + line for line in added.splitlines(True)) + old
    new += "".join("+" + line for line in after.splitlines(True))
    made = NEWS.replace(old, added + old + after)
    assert apply_edit(NEWS, old, new, path="news.rst") == made
    assert apply_search_replace(NEWS, SearchReplace("news.rst", old, new)) == made
    # In a patch file a quoted '+' line that is no underline keeps the text as written.
    patch = "@@ -1 +1,2 @@\n-old\n+new\n"
    assert apply_edit(patch, "+new\n", "+new\n+more\n", path="fix.patch") == patch + "+more\n"


def test_new_lines_marked_after_a_quoted_plus_line_are_new_text_the_file_writes_unmarked() -> None:
    # pyupgrade's README shows its rewrites in ```diff blocks. A section added after a
    # block's `+lazy ...` line and its fence, every new line marked '+', went in with its
    # marks; the file writes `Availability:` and `### ` headings, never `+Availability:`.
    readme = (
        "### lazy imports\n\nAvailability:\n- `--py315-plus`\n\n```diff\n"
        "-from typing import Self\n+lazy from typing import Self\n```\n"
    )
    old = "+lazy from typing import Self\n```\n"
    added = "\n### suggest_on_error\n\nAvailability:\n- `--py315-plus`\n"
    new = old + "".join("+" + line for line in added.splitlines(True))
    assert apply_edit(readme, old, new, path="README.md") == readme + added
    # A patch's new `+more` under a kept `+new` is the patch's own text.
    patch = "@@ -1 +1,2 @@\n-old\n+new\n context\n"
    assert apply_edit(patch, "+new\n", "+new\n+more\n", path="fix.patch") == (
        patch.replace("+new\n", "+new\n+more\n")
    )


def test_a_quote_of_many_underlines_read_both_ways_is_refused_at_once() -> None:
    """Each `+++` line could be a kept underline or an added `++`: thousands of them once
    took 88 s (every place in the quote reached at once); now too many places refuse."""
    quote = "+++\n" * 3000
    new = "-+++\n" + "+++\n" * 2999 + "+x\n"
    assert "that are not a diff of old_string" in refusal(
        apply_edit, quote, quote, new, path="a.rst"
    )


GRID = (
    "+--------+----------------+\n"
    "| branch | status         |\n"
    "+========+================+\n"
    "| 0.9    | .. image:: 0.9 |\n"
    "+--------+----------------+\n"
    "| 0.11   | .. image:: 11  |\n"
    "+--------+----------------+\n"
)


def test_rows_of_an_rst_grid_table_written_as_plus_lines_lose_the_marks() -> None:
    """werkzeug's README: rows of a grid table moved, each new line marked '+', its
    borders (`+---+`) written `++---+`; the marked lines stand nowhere in the file."""
    old = GRID[GRID.index("| 0.9") :]
    moved = "| 0.11   | .. image:: 11  |\n+--------+----------------+\n"
    moved += "| 0.9    | .. image:: 0.9 |\n+--------+----------------+\n"
    new = "".join("+" + line for line in moved.splitlines(True))
    assert apply_edit(GRID, old, new, path="README.rst") == GRID.replace(old, moved)
    block = SearchReplace("README.rst", old, new)
    assert apply_search_replace(GRID, block) == GRID.replace(old, moved)
    # '+' lines that stand in the file as written are the table's own: kept as they are.
    header, border = "+========+================+\n", "+--------+----------------+\n"
    assert apply_edit(GRID, header, border, path="README.rst") == GRID.replace(header, border)


def test_a_grid_table_rewritten_as_plus_lines_loses_the_marks() -> None:
    """pip-tools' README: the table given a column, every new line marked '+', its new
    borders written `++--------+----+`: no quoted line is marked again, but what the marks
    leave starting with '+' are borders, as all the file's such lines are."""
    wide = GRID.replace("-+\n", "-+----+\n").replace("=+\n", "=+====+\n")
    wide = wide.replace(" |\n", " | py |\n")
    new = "".join("+" + line for line in wide.splitlines(True))
    assert apply_edit(GRID, GRID, new, path="README.rst") == wide
    assert apply_search_replace(GRID, SearchReplace("README.rst", GRID, new)) == wide


def test_a_row_added_below_a_kept_border_left_unmarked_loses_the_marks() -> None:
    """six's docs: a row and its border added, `+| ``_thread`` |` and `++----+`, between
    the quote's border and row, both kept and written without a mark. The kept border
    starts with '+' itself; a grid table's border reads as kept though the file has more
    lines starting with '+'."""
    old = GRID[GRID.index("+--------+----------------+\n| 0.11") :]
    row = "| 0.10   | .. image:: 10  |\n+--------+----------------+\n"
    border, rest = old.split("\n", 1)
    new = border + "\n" + "".join("+" + line for line in row.splitlines(True)) + rest
    made = GRID.replace(old, border + "\n" + row + rest)
    assert apply_edit(GRID, old, new, path="README.rst") == made
    assert apply_search_replace(GRID, SearchReplace("README.rst", old, new)) == made


def test_plus_lines_that_stand_in_the_file_as_written_are_an_edit_already_made() -> None:
    """rubyzip's .gitignore has `+samples/*.zip`, committed with its mark. The edit that
    added it, sent again, is the change already in the file: refused, not made a second
    time without the marks."""
    made = ".bundle\nGemfile.lock\n+samples/*.zip\ncoverage\n"
    old, new = ".bundle\nGemfile.lock\n", ".bundle\nGemfile.lock\n+samples/*.zip\n"
    assert "already" in refusal(apply_edit, made, old, new, path=".gitignore")


def test_new_methods_of_a_header_marked_again_between_kept_ones_lose_the_marks() -> None:
    """PromiseKit's header: Objective-C class methods start with '+'. Two added between
    two kept ones left unmarked came as `++ (PMKPromise *)PUT:...`; the kept ones, starting
    with '+' themselves, read as kept."""
    header = "@interface NSURLConnection (PromiseKit)\n+ (PMKPromise *)POST:(id)url;\n"
    header += "+ (PMKPromise *)promise:(NSURLRequest *)rq;\n@end\n"
    old = "+ (PMKPromise *)POST:(id)url;\n+ (PMKPromise *)promise:(NSURLRequest *)rq;\n"
    added = "+ (PMKPromise *)PUT:(id)url;\n+ (PMKPromise *)DELETE:(id)url;\n"
    new = old.replace(
        "url;\n", "url;\n" + "".join("+" + line for line in added.splitlines(True)), 1
    )
    made = header.replace("url;\n", "url;\n" + added, 1)
    assert apply_edit(header, old, new, path="PromiseKit+Foundation.h") == made


def test_a_patch_files_lines_made_added_ones_keep_their_marks() -> None:
    """In a patch file, ' x' made '+ x' and '+y = 2' made '+y = 3': no quoted '+' line
    is marked again, so the '+' signs are the patch's own."""
    patch = "@@ -1,2 +1,3 @@\n x = 1\n+y = 2\n z = 3\n"
    old, new = " x = 1\n+y = 2\n", "+ x = 1\n+y = 3\n"
    assert apply_edit(patch, old, new, path="fix.patch") == patch.replace(old, new)


def test_a_doc_block_marked_plus_in_code_is_no_list_and_is_refused() -> None:
    """PHPMailer's language files: a doc block rewritten, every new line marked '+'. Its
    lines (`+ * @package PHPMailer`) read like a `+ item` list, kept as written in prose;
    in a PHP file they went in with the marks."""
    php = "<?php\n/**\n* Arabic Version, UTF-8\n* by : bahjat\n*/\n$LANG = [];\n"
    old = "* Arabic Version, UTF-8\n* by : bahjat\n*/\n"
    new = "+ * Arabic language file\n+ * @package PHPMailer\n+ */\n"
    assert "as diff lines" in refusal(apply_edit, php, old, new, path="lang-ar.php")
    md = "Steps:\n\n- read\n"
    assert apply_edit(md, "- read\n", "+ read\n+ write\n", path="a.md") == "Steps:\n\n+ read\n+ write\n"


def test_patch_lines_each_changed_and_marked_again_are_refused() -> None:
    """nnn's patch: its `-` and `+` lines each given an option, every new line marked '+'.
    As text, a removed line would become an added one starting with '-'; as marks, each
    line changes. Nothing says which, so the edit is refused (it went in as text)."""
    patch = "@@ -1,2 +1,2 @@\n-\t\t: getopt(\"aAb:\")\n+\t\t: getopt(\"aAb:G\")\n"
    old = patch[patch.index("\n") + 1 :]
    new = "+-\t\t: getopt(\"aAb:F:\")\n++\t\t: getopt(\"aAb:F:G\")\n"
    assert refusal(apply_edit, patch, old, new, path="mainline.diff") == (
        "The edit to mainline.diff puts '+' before every line of new_string; without it, "
        "each line starts with the same mark ('+', '-' or ' ') as the old_string line in its "
        "place. Read as diff marks, they change those lines; read as text, they add a '+' to "
        "each. Write new_string as the exact lines the file should have, and send the edit "
        "again."
    )


def test_new_lines_all_marked_beside_stray_plus_lines_of_the_file_lose_their_marks() -> None:
    """socket.io's test fixture: base64 lines, two of which start with '+', replaced by new
    ones, every line marked '+'. The file's '+' lines stand alone (no list, no patch), so
    the marks are marks; '+' lines in a run leave them as written, unless a marked line is
    a quoted one that does not start with '+' (mapstructure.go: a patch's lines committed
    by mistake, their fix marked)."""
    blob = (
        "-----BEGIN DATA-----\nMIIJKQIBAAKCAgEAmNWKTumE1f\n+gAcZHKcD0Bm6owvpBWDe\n"
        "2nzs5HsBRB5qDBRx\n+ghm989ileZlWT2Zy5\nX+MAUyG/pCZ7PYRG\n-----END DATA-----\n"
    )
    new = "-----BEGIN DATA-----\nMIIEvgIBADANBgkqhk\n+jDUx5he6MDQ+Bx\n-----END DATA-----\n"
    marked = "".join(f"+{line}\n" for line in new.splitlines())
    assert apply_edit(blob, blob, marked, path="fixtures/ca.data") == new
    runs = blob.replace("2nzs5HsBRB5qDBRx\n", "+2nzs5HsBRB5qDBRx\n")
    assert apply_edit(runs, runs, marked, path="fixtures/ca.data") == new
    lines = "+jDUx5he6MDQ+Bx\n+AoIBAQCIdbiXKk\n"
    assert apply_edit(runs, runs, lines, path="fixtures/ca.data") == lines
    go = "\t\tmK := key.(string)\n+               if !ok {\n+                       continue\n"
    go += "+               }\n"
    fixed = "+\t\tmK := key.(string)\n+\t\tif !ok {\n+\t\t\tcontinue\n+\t\t}\n"
    assert apply_edit(go, go, fixed, path="m.go") == fixed.replace("+", "")


FRONT = '+++\ntitle = "Auto TLS"\ndescription = "Automatic TLS"\n[menu.main]\n  weight = 2\n+++\n\nText.\n'


def test_a_quoted_ruler_written_as_it_stands_is_kept_not_unmarked() -> None:
    """echo's docs: a front matter line removed, the new text its closing `+++` alone. It
    is the quote's own line, not an added `++`. Beside lines marked '+' such a line is
    marked too: a new heading's underline may be the quoted one as written (libuv)."""
    old = "  weight = 2\n+++\n"
    made = FRONT.replace(old, "+++\n")
    assert apply_edit(FRONT, old, "+++\n", path="auto-tls.md") == made
    assert apply_search_replace(FRONT, SearchReplace("auto-tls.md", old, "+++\n")) == made
    old = "\nLogging\n+++++++\n\n- add statsd\n"
    added = "\nLogging\n+++++++\n\n- add statsd\n\nPaster\n++++++\n\n- fix d\n"
    new = "".join("+" + line for line in added.splitlines(True))
    assert apply_edit(NEWS, old, new, path="news.rst") == NEWS.replace(old, added)
    heading = "\nPacket\n++++++\n"  # its underline, marked, is the quoted `+++++++`
    swapped = "".join("+" + line for line in heading.splitlines(True))
    assert apply_edit(NEWS, old, swapped, path="news.rst") == NEWS.replace(old, heading)


def test_marked_lines_unlike_the_files_plus_items_are_refused() -> None:
    """coverage.py's TODO.txt ticks items off with `+ `. New lines `+* 3.1` and `+- bit`
    below two quoted items are those lines marked, or lines starting with '+' that no
    item of the file looks like: refused, where they went in as written. New `+ item`
    lines are items, as the file's own, and go in."""
    todo = "* v3.0 beta\n\n+ Proper project layout.\n+ Code moved to bitbucket.\n\n\n* Speed\n"
    old = "+ Proper project layout.\n+ Code moved to bitbucket.\n\n\n"
    new = old.replace("\n\n\n", "\n+\n+\n+* 3.1\n+\n+- Python 3.1 support\n+- bit\n\n\n")
    assert refusal(apply_edit, todo, old, new, path="TODO.txt") == (
        "The edit to TODO.txt puts '+' before new lines of new_string that, unlike the "
        "file's own lines starting with '+', are no '+ ' list items; read as diff marks "
        "they add lines, read as text they add lines starting with '+'. Write new_string as "
        "the exact lines the file should have, and send the edit again."
    )
    item = old.replace("\n\n\n", "\n+ Windows kit.\n\n\n")
    assert apply_edit(todo, old, item, path="TODO.txt") == todo.replace(
        "bitbucket.\n", "bitbucket.\n+ Windows kit.\n"
    )
