"""Unified diffs as models write them, placed by content (glm_lsp.edits.patch).

In the style of aider's tests/basic/test_udiff.py: literal model replies in, exact file
texts or exact error messages out.
"""

from __future__ import annotations

import pytest

from glm_lsp.edits.patch import PatchResult, apply_patch, parse_patch, unfence
from glm_lsp.errors import EditError

APP = """\
import os


def greet(name):
    return 'hello ' + name


def shout(name):
    return greet(name).upper()
"""

FILES = {"src/app.py": APP, "src/old.py": "OLD = 1\n", "docs/my notes.md": "# Notes\n"}


def patched(patch: str, files: dict[str, str] | None = None, **kwargs: str) -> str | None:
    """The new text of the only file the patch changes."""
    (result,) = apply_patch((files or FILES).get, patch, **kwargs)
    return result.new


def error_of(patch: str, files: dict[str, str] | None = None) -> str:
    with pytest.raises(EditError) as caught:
        apply_patch((files or FILES).get, patch)
    return caught.value.message


def test_a_git_diff() -> None:
    patch = """\
diff --git a/src/app.py b/src/app.py
index 3b18e51..a9c6f3e 100644
--- a/src/app.py
+++ b/src/app.py
@@ -4,2 +4,2 @@ import os
 def greet(name):
-    return 'hello ' + name
+    return f'hello {name}'
"""
    assert apply_patch(FILES.get, patch) == [
        PatchResult("src/app.py", APP, APP.replace("'hello ' + name", "f'hello {name}'"))
    ]


def test_wrong_line_numbers_are_ignored_when_the_content_is_unique() -> None:
    patch = """\
--- a/src/app.py
+++ b/src/app.py
@@ -40,2 +41,2 @@
 def shout(name):
-    return greet(name).upper()
+    return greet(name).upper() + '!'
"""
    assert patched(patch) == APP.replace(".upper()\n", ".upper() + '!'\n")


def test_bare_hunk_headers_and_no_file_prefixes() -> None:
    patch = """\
--- src/app.py
+++ src/app.py
@@ @@
-import os
+import os
+import sys
"""
    assert patched(patch) == APP.replace("import os\n", "import os\nimport sys\n")


def test_counts_that_undercount_do_not_drop_lines() -> None:
    # unidiff would stop after 2 lines and silently lose '+import re'.
    patch = (
        "--- a/src/app.py\n+++ b/src/app.py\n@@ -1,1 +1,1 @@\n-import os\n+import sys\n+import re\n"
    )
    assert patched(patch) == APP.replace("import os\n", "import sys\nimport re\n")


def test_trimmed_context_and_a_blank_line_written_without_its_space() -> None:
    patch = """\
--- a/src/app.py
+++ b/src/app.py
@@ -5,3 +5,4 @@
     return 'hello ' + name

+
+def whisper(name):
+    return greet(name).lower()
"""
    assert patched(patch) == APP.replace(
        "+ name\n\n", "+ name\n\n\ndef whisper(name):\n    return greet(name).lower()\n", 1
    )


def test_an_insertion_without_context_needs_line_numbers() -> None:
    patch = "--- a/src/app.py\n+++ b/src/app.py\n@@ -1,0 +2,1 @@\n+import sys\n"
    assert patched(patch) == APP.replace("import os\n", "import os\nimport sys\n")
    bare = "--- a/src/app.py\n+++ b/src/app.py\n@@ @@\n+import sys\n"
    assert error_of(bare) == (
        "Hunk 1 of the diff for src/app.py (@@ @@) has no context or '-' lines, so only "
        "correct @@ line numbers could place it; add the lines around the insertion as "
        "context (lines starting with a space)."
    )


def test_hunks_out_of_order() -> None:
    patch = """\
--- a/src/app.py
+++ b/src/app.py
@@ -8,2 +8,2 @@
 def shout(name):
-    return greet(name).upper()
+    return greet(name).upper() + '!'
@@ -1,3 +1,3 @@
-import os
+import sys
 
 
"""
    assert patched(patch) == APP.replace("import os", "import sys").replace(
        ".upper()\n", ".upper() + '!'\n"
    )


def test_whitespace_drift_in_context_and_a_dedented_hunk() -> None:
    files = {"a.py": "class A:\n    def shout(self, name):\n        return name.upper()\n"}
    patch = """\
--- a/a.py
+++ b/a.py
@@ -2,2 +2,3 @@
 def shout(self, name):\t
-    return name.upper()
+    loud = name.upper()
+    return loud
"""
    assert patched(patch, files) == (
        "class A:\n    def shout(self, name):\n        loud = name.upper()\n        return loud\n"
    )


def test_a_hunk_whose_lines_lack_their_tags() -> None:
    patch = "--- a/src/app.py\n+++ b/src/app.py\n@@ -8,2 +8,2 @@\ndef shout(name):\n"
    assert error_of(patch) == (
        "Hunk 1 of the diff for src/app.py (@@ -8,2 +8,2 @@) has no '-' or '+' lines: every "
        "line of a hunk starts with ' ' (context), '-' (removed) or '+' (added)."
    )


def test_a_typo_in_a_context_line_is_tolerated() -> None:
    patch = """\
--- a/src/app.py
+++ b/src/app.py
@@ -4,2 +4,2 @@
 def gret(name):
-    return 'hello ' + name
+    return 'hi ' + name
"""
    assert patched(patch) == APP.replace("'hello '", "'hi '")


def test_a_fenced_diff_in_a_model_reply() -> None:
    reply = """\
Sure, here is the change:

```diff
--- a/src/app.py
+++ b/src/app.py
@@ ... @@
-import os
+import sys
```

Let me know if you need more.
"""
    assert patched(reply) == APP.replace("import os", "import sys")


def test_several_files_with_create_delete_and_rename() -> None:
    patch = """\
diff --git a/src/old.py b/src/old.py
deleted file mode 100644
--- a/src/old.py
+++ /dev/null
@@ -1 +0,0 @@
-OLD = 1
diff --git a/src/new.py b/src/new.py
new file mode 100644
--- /dev/null
+++ b/src/new.py
@@ -0,0 +1,2 @@
+NEW = 2
+OTHER = 3
diff --git a/docs/my notes.md b/docs/notes.md
similarity index 50%
rename from docs/my notes.md
rename to docs/notes.md
--- a/docs/my notes.md
+++ b/docs/notes.md
@@ -1 +1 @@
-# Notes
+# Release notes
"""
    assert apply_patch(FILES.get, patch) == [
        PatchResult("src/old.py", "OLD = 1\n", None),
        PatchResult("src/new.py", None, "NEW = 2\nOTHER = 3\n"),
        PatchResult("docs/notes.md", "# Notes\n", "# Release notes\n", "docs/my notes.md"),
    ]


def test_a_pure_rename() -> None:
    patch = (
        "diff --git a/src/old.py b/src/legacy.py\nsimilarity index 100%\n"
        "rename from src/old.py\nrename to src/legacy.py\n"
    )
    assert apply_patch(FILES.get, patch) == [
        PatchResult("src/legacy.py", "OLD = 1\n", "OLD = 1\n", "src/old.py")
    ]


def test_the_same_file_twice_applies_in_sequence() -> None:
    patch = (
        "--- a/src/old.py\n+++ b/src/old.py\n@@ @@\n-OLD = 1\n+OLD = 2\n"
        "--- a/src/old.py\n+++ b/src/old.py\n@@ @@\n-OLD = 2\n+OLD = 3\n"
    )
    assert apply_patch(FILES.get, patch) == [PatchResult("src/old.py", "OLD = 1\n", "OLD = 3\n")]


def test_a_hunk_matching_two_places_without_numbers_is_refused() -> None:
    patch = "--- a/src/app.py\n+++ b/src/app.py\n@@ @@\n \n \n+# section\n"
    assert error_of(patch) == (
        "Hunk 1 of the diff (@@ @@, first line '# section') matches 2 places in src/app.py "
        "(starting at lines 2, 6), and it has no @@ line numbers to choose between them. "
        "Add context lines that tell the places apart, or give the correct @@ line numbers."
    )


def test_line_numbers_break_a_tie_only_when_they_point_at_one_place() -> None:
    near = "--- a/src/app.py\n+++ b/src/app.py\n@@ -6,2 +6,3 @@\n \n \n+# section\n"
    assert patched(near) == APP.replace("\n\n\ndef shout", "\n\n\n# section\ndef shout")
    far = "--- a/src/app.py\n+++ b/src/app.py\n@@ -40,2 +40,3 @@\n \n \n+# section\n"
    assert error_of(far) == (
        "Hunk 1 of the diff (@@ -40,2 +40,3 @@, first line '# section') matches 2 places in "
        "src/app.py (starting at lines 2, 6), and its @@ line numbers do not point clearly "
        "at one of them. Add context lines that tell the places apart, or give the correct "
        "@@ line numbers."
    )


def test_a_hunk_that_is_not_in_the_file() -> None:
    patch = """\
--- a/src/app.py
+++ b/src/app.py
@@ -4,2 +4,2 @@
 def greet(person):
-    return 'hi ' + person
+    return 'hey ' + person
"""
    assert error_of(patch) == (
        "Hunk 1 of the diff (@@ -4,2 +4,2 @@, first line 'def greet(person):') was not "
        "found in src/app.py; the hunk's ' ' and '-' lines must match the file exactly, "
        "including whitespace, indentation and blank lines.\n"
        "Did you mean lines 4-5 (75% similar)?\n"
        "4 | def greet(name):\n"
        "5 |     return 'hello ' + name\n"
        "Copy the lines exactly as they are in the file (without the line numbers and the "
        "' | ') into the hunk's ' ' and '-' lines and try again."
    )


def test_all_or_nothing() -> None:
    patch = (
        "--- a/src/app.py\n+++ b/src/app.py\n@@ -1 +1 @@\n-import os\n+import sys\n"
        "--- a/src/old.py\n+++ b/src/old.py\n@@ -1 +1 @@\n-OLD = 3\n+OLD = 4\n"
    )
    assert error_of(patch).startswith(
        "Hunk 1 of the diff (@@ -1 +1 @@, first line 'OLD = 3') was not found in src/old.py;"
    )


def test_overlapping_hunks_are_refused() -> None:
    patch = """\
--- a/src/app.py
+++ b/src/app.py
@@ -4,2 +4,2 @@
 def greet(name):
-    return 'hello ' + name
+    return 'hi ' + name
@@ -5 +5 @@
-    return 'hello ' + name
+    return 'yo ' + name
"""
    assert error_of(patch) == (
        "Hunks 1 and 2 of the diff for src/app.py change overlapping lines (line 5) of the "
        "file; merge them into one hunk."
    )


def test_overlapping_hunks_that_change_different_lines_are_merged() -> None:
    # gin's go.mod: two hunks of nearby changes, each with three lines of context from the
    # file before the other; the second quotes as context lines the first changes.
    mod = "".join(f"\tgithub.com/m{n} v1.{n}.0\n" for n in range(10))
    files = {"go.mod": "require (\n" + mod + ")\n"}
    patch = (
        "--- a/go.mod\n+++ b/go.mod\n@@ -2,5 +2,5 @@\n"
        " \tgithub.com/m0 v1.0.0\n \tgithub.com/m1 v1.1.0\n-\tgithub.com/m2 v1.2.0\n"
        "+\tgithub.com/m2 v1.2.1\n \tgithub.com/m3 v1.3.0\n \tgithub.com/m4 v1.4.0\n"
        "@@ -4,5 +4,5 @@\n \tgithub.com/m2 v1.2.0\n \tgithub.com/m3 v1.3.0\n"
        " \tgithub.com/m4 v1.4.0\n-\tgithub.com/m5 v1.5.0\n+\tgithub.com/m5 v1.5.1\n"
        " \tgithub.com/m6 v1.6.0\n"
    )
    (result,) = apply_patch(files.get, patch)
    expected = files["go.mod"].replace("v1.2.0", "v1.2.1").replace("v1.5.0", "v1.5.1")
    assert result.new == expected


def test_overlapping_hunks_in_a_file_of_mixed_line_breaks_are_refused() -> None:
    # The merge compares lines without their breaks: hapi's commits that change LF lines
    # to CRLF would lose that change, so such hunks are refused as before.
    files = {"a.txt": "one\r\ntwo\nthree\nfour\nfive\n"}
    patch = (
        "--- a/a.txt\n+++ b/a.txt\n@@ -2,2 +2,2 @@\n-two\n+2\n three\n"
        "@@ -3,2 +3,2 @@\n three\n-four\n+4\n"
    )
    assert error_of(patch, files) == (
        "Hunks 1 and 2 of the diff for a.txt change overlapping lines (line 3) of the file; "
        "merge them into one hunk."
    )


def test_crlf_file_with_an_lf_diff_keeps_crlf() -> None:
    files = {"a.txt": "one\r\ntwo\r\nthree\r\n"}
    patch = "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n"
    assert patched(patch, files) == "one\r\n2\r\nthree\r\n"


def test_crlf_diff_of_a_crlf_file() -> None:
    files = {"a.txt": "one\r\ntwo\r\n"}
    patch = "--- a/a.txt\r\n+++ b/a.txt\r\n@@ -1,2 +1,2 @@\r\n one\r\n-two\r\n+2\r\n"
    assert patched(patch, files) == "one\r\n2\r\n"


def test_a_diff_in_a_file_of_mixed_line_breaks_changes_the_line_it_writes_again() -> None:
    # git writes a line whose CR went as a '-' and a '+' line (AutoMapper's Profile.cs, its
    # CRLF lines made LF): the '+' line ends like the file's most lines, not as it was.
    files = {"a.txt": "using System;\r\nnamespace A\n{\n}\n"}
    patch = "--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n-using System;\r\n+using System;\n namespace A\n"
    assert patched(patch, files) == "using System;\nnamespace A\n{\n}\n"


def test_no_newline_at_end_of_file_markers() -> None:
    files = {"a.txt": "one\ntwo"}
    add = "--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n one\n-two\n\\ No newline at end of file\n+two\n"
    assert patched(add, files) == "one\ntwo\n"
    remove = "--- a/a.txt\n+++ b/a.txt\n@@ -2 +2 @@\n-two\n+2\n\\ No newline at end of file\n"
    assert patched(remove, {"a.txt": "one\ntwo\n"}) == "one\n2"


def test_a_diff_without_file_headers_uses_the_default_path() -> None:
    patch = "@@ -1 +1 @@\n-import os\n+import sys\n"
    assert patched(patch, default_path="src/app.py") == APP.replace("import os", "import sys")
    assert error_of(patch) == (
        "The diff does not say which file it changes; start it with '--- a/path' and "
        "'+++ b/path' lines naming the file relative to the workspace root."
    )


def test_creating_a_file_that_exists_is_refused() -> None:
    patch = "--- /dev/null\n+++ b/src/old.py\n@@ -0,0 +1 @@\n+NEW = 2\n"
    assert error_of(patch) == (
        "The diff creates src/old.py, but src/old.py already exists; write a diff against "
        "its current text ('--- a/src/old.py', '+++ b/src/old.py') instead."
    )


def test_changing_a_missing_file_is_refused() -> None:
    patch = "--- a/src/nope.py\n+++ b/src/nope.py\n@@ -1 +1 @@\n-a\n+b\n"
    assert error_of(patch) == (
        "src/nope.py does not exist, so the diff cannot change it; to create it, write "
        "'--- /dev/null' and '+++ b/src/nope.py' and add every line with '+'."
    )


def test_deleting_a_file_whose_text_differs_is_refused() -> None:
    patch = "--- a/src/old.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-OLD = 2\n"
    assert error_of(patch) == (
        "The diff deletes src/old.py, but its '-' lines are not the file's current text; "
        "read src/old.py again, or delete it with a diff that removes exactly its lines."
    )


def test_text_without_a_diff() -> None:
    assert error_of("I think the code is fine.") == (
        "The text contains no unified diff: expected '--- a/path' and '+++ b/path' lines "
        "followed by '@@' hunks of ' ', '-' and '+' lines."
    )


def test_binary_patches_are_refused() -> None:
    patch = "diff --git a/x.png b/x.png\nBinary files a/x.png and b/x.png differ\n"
    assert error_of(patch).startswith("The diff contains a binary patch")


def test_strict_and_lenient_parsers_agree_on_a_well_formed_diff() -> None:
    patch = (
        "--- a/src/app.py\n+++ b/src/app.py\n@@ -1,2 +1,2 @@\n-import os\n+import sys\n \n"
        "@@ -8,2 +8,2 @@\n def shout(name):\n-    return greet(name).upper()\n"
        "+    return greet(name)\n"
    )
    strict = parse_patch(patch)
    lenient = parse_patch("Here it is:\n" + patch)  # prose defeats unidiff's round trip
    assert [h.lines for h in strict[0].hunks] == [h.lines for h in lenient[0].hunks]
    assert [h.header for h in lenient[0].hunks] == ["@@ -1,2 +1,2 @@", "@@ -8,2 +8,2 @@"]


def test_unfence_joins_diff_blocks_and_ignores_other_code() -> None:
    reply = "```python\nprint(1)\n```\n```diff\n@@ @@\n-a\n+b\n```\n```patch\n@@ @@\n-c\n+d\n```"
    assert unfence(reply) == "@@ @@\n-a\n+b\n@@ @@\n-c\n+d\n"


def test_a_change_then_a_rename_of_the_same_file() -> None:
    patch = (
        "--- a/src/old.py\n+++ b/src/old.py\n@@ @@\n-OLD = 1\n+OLD = 2\n"
        "diff --git a/src/old.py b/src/legacy.py\nrename from src/old.py\nrename to src/legacy.py\n"
    )
    assert apply_patch(FILES.get, patch) == [
        PatchResult("src/legacy.py", "OLD = 1\n", "OLD = 2\n", "src/old.py")
    ]


def test_a_hunk_header_padded_with_spaces_is_read_at_once() -> None:
    # "@@", 20,000 spaces and a word: the header's three optional parts each tried every
    # split of the spaces (11 s for 1,000 of them).
    diff = "--- a/cart.py\n+++ b/cart.py\n@@" + " " * 20_000 + "x\n-a\n+b\n"
    (result,) = apply_patch(lambda path: "a\n", diff)
    assert result.new == "b\n"
