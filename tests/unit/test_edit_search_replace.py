"""SEARCH/REPLACE blocks in model replies (glm_lsp.edits.search_replace)."""

from __future__ import annotations

import pytest

from glm_lsp.edits.search_replace import (
    PROMPT,
    SearchReplace,
    apply_search_replace,
    parse_search_replace,
)
from glm_lsp.errors import EditError


def error_of(reply: str, default_path: str | None = None) -> str:
    with pytest.raises(EditError) as caught:
        parse_search_replace(reply, default_path)
    return caught.value.message


def test_the_canonical_block() -> None:
    reply = """\
Here is the change:

src/app/util.py
```python
<<<<<<< SEARCH
def greet(name):
    return "hello " + name
=======
def greet(name: str) -> str:
    return f"hello {name}"
>>>>>>> REPLACE
```

That's all.
"""
    assert parse_search_replace(reply) == [
        SearchReplace(
            "src/app/util.py",
            'def greet(name):\n    return "hello " + name\n',
            'def greet(name: str) -> str:\n    return f"hello {name}"\n',
        )
    ]


def test_filename_inside_the_fence() -> None:
    reply = """\
```python
src/app/util.py
<<<<<<< SEARCH
a = 1
=======
a = 2
>>>>>>> REPLACE
```
"""
    assert parse_search_replace(reply) == [SearchReplace("src/app/util.py", "a = 1\n", "a = 2\n")]


def test_no_fence_at_all() -> None:
    reply = "util.py\n<<<<<<< SEARCH\na = 1\n=======\na = 2\n>>>>>>> REPLACE\n"
    assert parse_search_replace(reply) == [SearchReplace("util.py", "a = 1\n", "a = 2\n")]


def test_filename_in_the_fence_info_string() -> None:
    reply = "```src/util.py\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```\n"
    assert parse_search_replace(reply) == [SearchReplace("src/util.py", "a\n", "b\n")]


@pytest.mark.parametrize("info", ["python src/util.py", "python:src/util.py", "py  src/util.py"])
def test_a_language_before_the_path_in_the_fence_info_string(info: str) -> None:
    reply = f"```{info}\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```\n"
    assert parse_search_replace(reply) == [SearchReplace("src/util.py", "a\n", "b\n")]


def test_five_and_nine_marker_characters_and_trailing_spaces() -> None:
    reply = "util.py\n<<<<< SEARCH  \na\n=========   \nb\n>>>>>>>>> REPLACE \n"
    assert parse_search_replace(reply) == [SearchReplace("util.py", "a\n", "b\n")]


def test_four_marker_characters_are_not_a_block() -> None:
    assert parse_search_replace("util.py\n<<<< SEARCH\na\n====\nb\n>>>> REPLACE\n") == []


def test_several_blocks_under_one_filename() -> None:
    reply = """\
util.py
```python
<<<<<<< SEARCH
a = 1
=======
a = 2
>>>>>>> REPLACE
<<<<<<< SEARCH
b = 1
=======
b = 2
>>>>>>> REPLACE
```

```python
<<<<<<< SEARCH
c = 1
=======
>>>>>>> REPLACE
```
"""
    assert parse_search_replace(reply) == [
        SearchReplace("util.py", "a = 1\n", "a = 2\n"),
        SearchReplace("util.py", "b = 1\n", "b = 2\n"),
        SearchReplace("util.py", "c = 1\n", ""),
    ]


def test_blocks_for_two_files() -> None:
    reply = """\
a.py
```python
<<<<<<< SEARCH
x
=======
y
>>>>>>> REPLACE
```

docs/my notes.md
```markdown
<<<<<<< SEARCH
# Old
=======
# New
>>>>>>> REPLACE
```
"""
    assert parse_search_replace(reply) == [
        SearchReplace("a.py", "x\n", "y\n"),
        SearchReplace("docs/my notes.md", "# Old\n", "# New\n"),
    ]


def test_decorated_filenames() -> None:
    for line in ["**src/a.py**", "`src/a.py`", "src/a.py:", "# src/a.py", "File: src/a.py"]:
        reply = f"{line}\n```python\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n"
        assert parse_search_replace(reply) == [SearchReplace("src/a.py", "x\n", "y\n")], line


@pytest.mark.parametrize("name", ["Makefile", "Dockerfile", "LICENSE", "CODEOWNERS"])
def test_extensionless_file_names(name: str) -> None:
    reply = f"{name}\n```\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n"
    assert parse_search_replace(reply) == [SearchReplace(name, "x\n", "y\n")]


def test_a_lone_word_between_blocks_is_not_a_filename() -> None:
    block = "```\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n"
    reply = f"a.py\n{block}\nNext\n{block}"
    assert [b.path for b in parse_search_replace(reply)] == ["a.py", "a.py"]


def test_fences_inside_a_block_are_content() -> None:
    reply = """\
README.md
````markdown
<<<<<<< SEARCH
```bash
pip install glm
```
=======
```bash
pipx install glm-lsp
```
>>>>>>> REPLACE
````

```python
<<<<<<< SEARCH
a
=======
b
>>>>>>> REPLACE
```
"""
    assert parse_search_replace(reply) == [
        SearchReplace(
            "README.md",
            "```bash\npip install glm\n```\n",
            "```bash\npipx install glm-lsp\n```\n",
        ),
        SearchReplace("README.md", "a\n", "b\n"),
    ]


def test_a_bare_word_names_the_block_when_the_workspace_has_that_file() -> None:
    # opam's and fzf's `install` have no extension; "Next" is a word, not a file here.
    block = "```\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n"
    files = {"opam", "install"}.__contains__
    reply = f"opam\n{block}\ninstall\n{block}\nNext\n{block}"
    assert [b.path for b in parse_search_replace(reply, known=files)] == [
        "opam",
        "install",
        "install",
    ]
    assert "does not say which file it changes" in error_of(f"opam\n{block}")


def test_prose_is_not_a_filename_and_the_default_path_is_used() -> None:
    reply = "I will fix the typo:\n```python\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n"
    assert parse_search_replace(reply, "main.py") == [SearchReplace("main.py", "x\n", "y\n")]


def test_empty_search_creates_a_file() -> None:
    reply = "new/mod.py\n```python\n<<<<<<< SEARCH\n=======\nVALUE = 1\n>>>>>>> REPLACE\n```\n"
    assert parse_search_replace(reply) == [SearchReplace("new/mod.py", "", "VALUE = 1\n")]


def test_markers_inside_content_indentation_is_kept() -> None:
    reply = "a.py\n<<<<<<< SEARCH\n    if x:\n\n        y()\n=======\n    pass\n>>>>>>> REPLACE"
    assert parse_search_replace(reply) == [
        SearchReplace("a.py", "    if x:\n\n        y()\n", "    pass\n")
    ]


def test_crlf_reply() -> None:
    reply = "a.py\r\n<<<<<<< SEARCH\r\nx\r\n=======\r\ny\r\n>>>>>>> REPLACE\r\n"
    assert parse_search_replace(reply) == [SearchReplace("a.py", "x\r\n", "y\r\n")]


def test_no_blocks() -> None:
    assert parse_search_replace("The function looks correct to me.\n=======\nDone.") == []
    assert parse_search_replace("") == []


def test_search_without_divider() -> None:
    reply = "a.py\n```python\n<<<<<<< SEARCH\nx = 1\n>>>>>>> REPLACE\n```\n"
    assert error_of(reply) == (
        "The SEARCH/REPLACE block starting at line 3 of your reply has no '=======' line: "
        "line 5 ('>>>>>>> REPLACE') comes first. Resend that block complete: path, fence, "
        "<<<<<<< SEARCH, the exact lines to find, =======, the new lines, >>>>>>> REPLACE."
    )


def test_search_without_replace_marker_at_the_end() -> None:
    reply = "a.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n"
    assert error_of(reply) == (
        "The SEARCH/REPLACE block starting at line 2 of your reply has no "
        "'>>>>>>> REPLACE' line: the reply ends first. Resend that block complete: path, "
        "fence, <<<<<<< SEARCH, the exact lines to find, =======, the new lines, "
        ">>>>>>> REPLACE."
    )


def test_block_interrupted_by_the_next_block() -> None:
    reply = "a.py\n<<<<<<< SEARCH\nx\n=======\ny\n<<<<<<< SEARCH\nz\n=======\nw\n>>>>>>> REPLACE\n"
    assert "line 6 ('<<<<<<< SEARCH') comes first" in error_of(reply)


def test_second_divider_in_a_block() -> None:
    reply = "a.py\n<<<<<<< SEARCH\nx\n=======\ny\n=======\nz\n>>>>>>> REPLACE\n"
    assert "has no '>>>>>>> REPLACE' line: line 6 ('=======') comes first" in error_of(reply)


def test_replace_marker_without_search() -> None:
    reply = "a.py\n```\nx\n=======\ny\n>>>>>>> REPLACE\n```\n"
    assert error_of(reply) == (
        "Line 6 of your reply is '>>>>>>> REPLACE' but no '<<<<<<< SEARCH' line opens its "
        "block. Resend the edit with every block complete: path, fence, <<<<<<< SEARCH, the "
        "exact lines to find, =======, the new lines, >>>>>>> REPLACE."
    )


def test_block_without_any_filename() -> None:
    reply = "```python\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n"
    assert error_of(reply) == (
        "The SEARCH/REPLACE block starting at line 2 of your reply does not say which file "
        "it changes. Put the file's path, relative to the workspace root, alone on the line "
        "before the opening fence of the block."
    )


def test_the_prompt_example_parses() -> None:
    assert parse_search_replace(PROMPT) == [
        SearchReplace(
            "src/app/util.py",
            'def greet(name):\n    return "hello " + name\n',
            'def greet(name: str) -> str:\n    return f"hello {name}"\n',
        )
    ]


# --- applying blocks ----------------------------------------------------------------------


def test_apply_a_block() -> None:
    block = SearchReplace("a.py", "x = 1\n", "x = 2\n")
    assert apply_search_replace("import os\nx = 1\n", block) == "import os\nx = 2\n"


def test_apply_an_empty_search_creates_or_fills() -> None:
    block = SearchReplace("a.py", "", "x = 1\n")
    assert apply_search_replace(None, block) == "x = 1\n"
    assert apply_search_replace("", block) == "x = 1\n"
    assert apply_search_replace("\n", block) == "\nx = 1\n"


@pytest.mark.parametrize("replace", ["x = 1\n", "import os\n\nX = 1\nY = 3\n"])
def test_an_empty_search_never_adds_to_a_file_with_content(replace: str) -> None:
    """Neither a guess at appending nor the whole file written a second time."""
    with pytest.raises(EditError) as caught:
        apply_search_replace("import os\n\nX = 1\nY = 2\n", SearchReplace("a.py", "", replace))
    assert caught.value.message == (
        "a.py already exists and is not empty, so a block with an empty SEARCH section "
        "cannot create it; read the file, then quote in the SEARCH section the lines to "
        "change (to add lines, the lines they follow)."
    )


def test_apply_to_a_missing_file() -> None:
    with pytest.raises(EditError) as caught:
        apply_search_replace(None, SearchReplace("a.py", "x\n", "y\n"))
    assert caught.value.message == (
        "a.py does not exist, so its SEARCH section cannot match; to create the file, "
        "leave the SEARCH section empty."
    )


def test_apply_speaks_of_sections_when_search_is_not_found() -> None:
    with pytest.raises(EditError) as caught:
        apply_search_replace("x = 1\n", SearchReplace("a.py", "x = 3\n", "y\n"))
    assert caught.value.message == (
        "The SEARCH section was not found in a.py; the SEARCH section must match the file "
        "exactly, including whitespace, indentation and blank lines.\n"
        "Did you mean line 1 (80% similar)?\n"
        "1 | x = 1\n"
        "Copy the lines exactly as they are in the file (without the line numbers and the "
        "' | ') into the SEARCH section and try again."
    )


def test_apply_speaks_of_sections_when_search_is_not_unique() -> None:
    with pytest.raises(EditError) as caught:
        apply_search_replace("x\ny\nx\n", SearchReplace("a.py", "x\n", "z\n"))
    assert caught.value.message == (
        "The SEARCH section matches 2 places in a.py (starting at lines 1, 3); it must match "
        "exactly one. Include more surrounding lines in the SEARCH section to make it unique."
    )


def test_apply_keeps_crlf() -> None:
    block = SearchReplace("a.py", "x = 1\ny = 2\n", "x = 3\ny = 4\n")
    assert apply_search_replace("x = 1\r\ny = 2\r\n", block) == "x = 3\r\ny = 4\r\n"
