"""Edits written as text in model replies (glm_lsp.edits.text_formats)."""

from __future__ import annotations

import pytest

from glm_lsp.edits.search_replace import SearchReplace
from glm_lsp.edits.text_formats import (
    DiffEdit,
    SearchReplaceEdit,
    WholeFileEdit,
    apply_text_edits,
    parse_text_edits,
)
from glm_lsp.errors import EditError

FILES = {"src/app.py": "import os\n\n\ndef greet(name):\n    return 'hello ' + name\n"}

MIXED = """\
I'll make three changes.

```diff
--- a/src/app.py
+++ b/src/app.py
@@ -1,2 +1,2 @@
-import os
+import sys
 
```

Then a new helper module:

src/util.py
```python
def helper():
    return 1
```

And the greeting:

src/app.py
```python
<<<<<<< SEARCH
def greet(name):
=======
def greet(name: str) -> str:
>>>>>>> REPLACE
```

For example (not an edit):
```python
print(greet("x"))
```
"""


def test_a_mixed_reply_keeps_the_order_and_names_each_format() -> None:
    edits = parse_text_edits(MIXED)
    assert edits == [
        DiffEdit(
            "--- a/src/app.py\n+++ b/src/app.py\n@@ -1,2 +1,2 @@\n-import os\n+import sys\n \n"
        ),
        WholeFileEdit("src/util.py", "def helper():\n    return 1\n"),
        SearchReplaceEdit(
            SearchReplace("src/app.py", "def greet(name):\n", "def greet(name: str) -> str:\n")
        ),
    ]
    assert [edit.format for edit in edits] == ["udiff", "whole_file", "search_replace"]


def test_applying_a_mixed_reply() -> None:
    assert apply_text_edits(FILES.get, parse_text_edits(MIXED)) == {
        "src/app.py": "import sys\n\n\ndef greet(name: str) -> str:\n    return 'hello ' + name\n",
        "src/util.py": "def helper():\n    return 1\n",
    }


def test_a_fenced_patch_block_and_an_unlabelled_fence_holding_a_diff() -> None:
    for fence in ("```patch", "```"):
        reply = f"{fence}\n--- a/src/app.py\n+++ b/src/app.py\n@@ @@\n-import os\n+import re\n```\n"
        (edit,) = parse_text_edits(reply)
        assert isinstance(edit, DiffEdit) and edit.path == "src/app.py"


def test_a_diff_without_headers_belongs_to_the_default_path() -> None:
    edits = parse_text_edits("```diff\n@@ @@\n-import os\n+import re\n```\n", "src/app.py")
    assert apply_text_edits(FILES.get, edits) == {
        "src/app.py": FILES["src/app.py"].replace("import os", "import re")
    }


def test_an_unfenced_diff() -> None:
    reply = "Here:\n--- a/src/app.py\n+++ b/src/app.py\n@@ @@\n-import os\n+import re\n"
    (edit,) = parse_text_edits(reply)
    assert edit.format == "udiff"


@pytest.mark.parametrize(
    "head",
    [
        "src/util.py\n```python\n",
        "**src/util.py**\n\n```python\n",
        "`src/util.py`:\n```\n",
        "```src/util.py\n",
        '```python title="src/util.py"\n',
        "```python:src/util.py\n",
    ],
)
def test_whole_file_blocks(head: str) -> None:
    assert parse_text_edits(f"{head}X = 1\n```\n") == [WholeFileEdit("src/util.py", "X = 1\n")]


@pytest.mark.parametrize(
    "above",
    ["Here is the updated src/util.py", "This changes src/util.py.", "python", "Example:"],
)
def test_code_not_introduced_by_a_path_is_not_an_edit(above: str) -> None:
    assert parse_text_edits(f"{above}\n```python\nX = 1\n```\n") == []


def test_a_whole_file_for_an_existing_crlf_file_keeps_crlf() -> None:
    edits = parse_text_edits("a.txt\n```\none\ntwo\n```\n")
    assert apply_text_edits({"a.txt": "one\r\n"}.get, edits) == {"a.txt": "one\r\ntwo\r\n"}


def test_a_whole_file_that_elides_code_is_refused() -> None:
    reply = "src/app.py\n```python\nimport sys\n\n# ... rest of the file unchanged ...\n```\n"
    with pytest.raises(EditError) as caught:
        apply_text_edits(FILES.get, parse_text_edits(reply))
    assert caught.value.message == (
        "Edit 1 of 1 (whole-file block for src/app.py) was not applied, so none of the edits "
        "were: the block for src/app.py replaces the whole file but leaves code out "
        "('# ... rest of the file unchanged ...'); writing it would delete that code. Send "
        "the complete file content, or change only some lines with SEARCH/REPLACE blocks."
    )


def test_a_whole_file_block_that_reads_as_a_part_of_the_file_is_refused() -> None:
    # The function the model changed, shown under the file's name: written as the whole
    # file it would delete the other functions.
    functions = [f"def f{n}(x):\n    y = x * {n}\n    return y + {n}\n\n\n" for n in range(8)]
    files = {"src/calc.py": "".join(functions)}
    part = "src/calc.py\n```python\ndef f3(x):\n    y = x * 3\n    return y - 3\n```\n"
    with pytest.raises(EditError) as caught:
        apply_text_edits(files.get, parse_text_edits(part))
    assert caught.value.message == (
        "Edit 1 of 1 (whole-file block for src/calc.py) was not applied, so none of the edits "
        "were: the block for src/calc.py would replace the whole file (24 lines with text) by "
        "3 that read as a part of it, leaving out 22; writing it would delete them. Send the "
        "complete file content, or change only some lines with SEARCH/REPLACE blocks."
    )
    # The whole file with one function changed, or the file written anew, is taken.
    whole = "".join(functions).replace("return y + 3", "return y - 3")
    rewritten = "".join(f"def g{n}(x):\n    return x ** {n}\n\n\n" for n in range(4))
    for text in (whole, rewritten):
        edits = parse_text_edits(f"src/calc.py\n```python\n{text}```\n")
        assert apply_text_edits(files.get, edits) == {"src/calc.py": text}


def test_a_failing_block_is_named_and_nothing_is_applied() -> None:
    reply = """\
src/app.py
```python
<<<<<<< SEARCH
import os
=======
import sys
>>>>>>> REPLACE
```

```diff
--- a/src/app.py
+++ b/src/app.py
@@ @@
-def greet(person):
+def greet(who):
```
"""
    with pytest.raises(EditError) as caught:
        apply_text_edits(FILES.get, parse_text_edits(reply))
    assert caught.value.message.startswith(
        "Edit 2 of 2 (unified diff for src/app.py) was not applied, so none of the edits "
        "were: Hunk 1 of the diff (@@ @@, first line 'def greet(person):') was not found in "
        "src/app.py;"
    )


def test_edits_apply_in_sequence() -> None:
    reply = (
        "src/app.py\n<<<<<<< SEARCH\nimport os\n=======\nimport sys\n>>>>>>> REPLACE\n"
        "```diff\n--- a/src/app.py\n+++ b/src/app.py\n@@ @@\n-import sys\n+import re\n```\n"
    )
    result = apply_text_edits(FILES.get, parse_text_edits(reply))
    assert result == {"src/app.py": FILES["src/app.py"].replace("import os", "import re")}


def test_a_block_written_again_word_for_word_is_made_once() -> None:
    block = "src/app.py\n<<<<<<< SEARCH\nimport os\n=======\nimport sys\n>>>>>>> REPLACE\n"
    reply = f"{block}\nIn short, the change is:\n\n{block}"
    assert len(parse_text_edits(reply)) == 2
    result = apply_text_edits(FILES.get, parse_text_edits(reply))
    assert result == {"src/app.py": FILES["src/app.py"].replace("import os", "import sys")}


def test_a_diff_that_deletes_and_renames() -> None:
    reply = (
        "```diff\ndiff --git a/src/app.py b/src/main.py\nrename from src/app.py\n"
        "rename to src/main.py\n--- a/src/app.py\n+++ b/src/main.py\n@@ @@\n-import os\n"
        "+import re\n```\n"
    )
    assert apply_text_edits(FILES.get, parse_text_edits(reply)) == {
        "src/app.py": None,
        "src/main.py": FILES["src/app.py"].replace("import os", "import re"),
    }


def test_a_broken_search_replace_block_is_reported() -> None:
    with pytest.raises(EditError) as caught:
        parse_text_edits("a.py\n<<<<<<< SEARCH\nx\n>>>>>>> REPLACE\n")
    assert "has no '=======' line" in caught.value.message


def test_no_edits() -> None:
    assert parse_text_edits("The code looks correct to me.") == []


def test_a_fence_padded_with_spaces_is_read_at_once() -> None:
    # A fence's info string read lazily before trailing spaces tried each of them.
    reply = (
        "cart.py\n```python" + " " * 200_000 + "x\n"
        "<<<<<<< SEARCH" + " " * 200_000 + "\na\n=======\nb\n>>>>>>> REPLACE\n```\n"
    )
    assert parse_text_edits(reply) == [
        SearchReplaceEdit(SearchReplace("cart.py", "a\n", "b\n"), "search_replace")
    ]
