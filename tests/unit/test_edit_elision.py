"""Lazy edits (issue 10): a replacement that writes "# ... existing code ..." where the
lines it keeps should be is refused in every format, never applied as a deletion; a
shortened sample in a document and a comment the file already had are left alone."""

from __future__ import annotations

import pytest

from glm_lsp.edits.apply import apply_edit
from glm_lsp.edits.elision import MARKER
from glm_lsp.edits.patch import apply_patch
from glm_lsp.edits.search_replace import SearchReplace, apply_search_replace
from helpers import refusal

PY = "import os\n\n\ndef scale(x):\n    a = 1\n    b = 2\n    c = a + b\n    return c * x\n"
OLD = "def scale(x):\n    a = 1\n    b = 2\n    c = a + b\n    return c * x\n"
LAZY = "def scale(x):\n    # ... existing code ...\n    return c * x + 1\n"
DROPPED = (
    "'# ... existing code ...' in {new} stands in place of 4 lines of {old} that are "
    "missing from {new}, so applying it would delete them. Write out in full every line "
    "that stays, instead of the comment."
)


def test_edit_file_with_a_lazy_new_string_is_refused() -> None:
    message = refusal(apply_edit, PY, OLD, LAZY, path="m.py")
    assert message == "The edit to m.py was not applied: " + DROPPED.format(
        new="new_string", old="old_string"
    )


def test_a_lazy_replace_section_is_refused() -> None:
    message = refusal(apply_search_replace, PY, SearchReplace("m.py", OLD, LAZY))
    assert message == "The edit to m.py was not applied: " + DROPPED.format(
        new="the REPLACE section", old="the SEARCH section"
    )


def test_a_lazy_hunk_is_refused() -> None:
    diff = (
        "--- a/m.py\n+++ b/m.py\n@@ -4,5 +4,3 @@\n def scale(x):\n-    a = 1\n-    b = 2\n"
        "-    c = a + b\n-    return c * x\n+    # ... existing code ...\n+    return c * x + 1\n"
    )
    message = refusal(apply_patch, lambda path: PY if path == "m.py" else None, diff)
    assert message == "Hunk 1 of the diff for m.py (@@ -4,5 +4,3 @@) was not applied: " + (
        DROPPED.format(new="its '+' lines", old="its ' ' and '-' lines")
    )


def test_a_marker_that_rewrites_the_lines_around_it_is_refused_in_code() -> None:
    """The replacement writes again the lines its comment stands for (a block then ends
    early): nothing is counted missing, but in source code the comment is refused."""
    text = "if ok:\n    if ready:\n        return 1\n    return 2\n"
    old = "if ok:\n    if ready:\n        return 1\n"
    new = "if ok:\n    if ready:\n        return 1\n    if late:\n        # rest of the function unchanged\n"
    assert refusal(apply_edit, text, old, new, path="run.py") == (
        "The edit to run.py was not applied: '# rest of the function unchanged' in "
        "new_string reads as code left out, and it would be written into the file as it "
        "is. Write out in full every line that stays, instead of the comment."
    )


def test_a_shortened_sample_added_to_a_document_is_applied() -> None:
    readme = "## Use\n\n```js\nconst app = create();\n```\n"
    old = "const app = create();\n"
    new = "const app = create();\n// ...\napp.listen(80);\n"
    assert apply_edit(readme, old, new, path="README.md") == (
        "## Use\n\n```js\nconst app = create();\n// ...\napp.listen(80);\n```\n"
    )


def test_a_document_replacement_that_ends_with_the_comment_is_refused() -> None:
    """The comment stands for what follows it, although the lines it rewrote are all
    there (the sample's end is written again above it)."""
    readme = "```js\nconst app = create();\napp.listen(80);\n```\n\nMore text.\n"
    old = "const app = create();\napp.listen(80);\n```\n"
    new = "const app = create();\napp.listen(80);\n```\n\n```js\napp.listen(80);\n// ...\n"
    assert refusal(apply_edit, readme, old, new, path="README.md") == (
        "The edit to README.md was not applied: '// ...' in new_string reads as code left "
        "out, and it would be written into the file as it is. Write out in full every line "
        "that stays, instead of the comment."
    )


def test_a_lazy_replacement_in_a_document_that_deletes_lines_is_refused() -> None:
    readme = "```js\nconst app = create();\napp.use(logger);\napp.listen(80);\n```\n"
    old = "const app = create();\napp.use(logger);\napp.listen(80);\n"
    new = "const app = create();\n// ...\napp.listen(8080);\n"
    assert "stands in place of 2 lines of old_string" in refusal(
        apply_edit, readme, old, new, path="README.md"
    )


def test_an_html_comment_marker_in_a_document_is_refused_outside_a_sample() -> None:
    """golang-lru's README: the replacement drops a sample's closing fence, writes
    `<!-- … keep the rest as is -->` there, then a new section whose sample ends with the
    same `}` and fence: nothing counts as missing, and the comment is not at an edge. An
    HTML comment speaks of the document unless a sample the replacement opens holds it."""
    readme = "```go\nfunc main() {\n  l.Add(1)\n}\n```\n\nLicense: MIT\n"
    old = "func main() {\n  l.Add(1)\n}\n```\n"
    new = (
        "func main() {\n\tl.Add(1)\n<!-- … keep the rest as is -->\n\nExpiring\n========\n\n"
        "```go\nfunc main() {\n\tc.Add(2)\n}\n```\n"
    )
    assert refusal(apply_edit, readme, old, new, path="README.md") == (
        "The edit to README.md was not applied: '<!-- … keep the rest as is -->' in "
        "new_string reads as code left out, and it would be written into the file as it "
        "is. Write out in full every line that stays, instead of the comment."
    )
    page = "## Page\n\nSome text.\n"
    sample = "## Page\n\n```html\n<body>\n  <!-- ... -->\n</body>\n```\n"
    assert apply_edit(page, "## Page\n", sample, path="README.md") == sample + "\nSome text.\n"


def test_a_marker_the_file_already_has_is_kept_like_any_line() -> None:
    text = "def stub():\n    # ...\n    pass\n"
    assert apply_edit(text, "    pass\n", "    return None\n", path="s.py") == (
        "def stub():\n    # ...\n    return None\n"
    )
    old = "def stub():\n    # ...\n    pass\n"
    new = "def stub():\n    # ...\n    return None\n"
    assert apply_edit(text, old, new, path="s.py") == new


@pytest.mark.parametrize(
    "line",
    [
        "# ... existing code ...",
        "    // ... rest of code ...",
        "# Rest of the code remains the same",
        "/* ... */",
        "<!-- ... -->",
        "# (unchanged)",
        "// existing implementation",
        "# same as before",
        "-- everything else stays the same",
    ],
)
def test_these_comments_say_code_was_left_out(line: str) -> None:
    assert MARKER.match(line)


@pytest.mark.parametrize(
    "line",
    [
        "# TODO: re-enable when the API is stable",
        "# Wait for the server...",
        "// if the path points to an existing _file_ only.",
        "// Same thing but in the map values.",
        "# Reset the rest of the state",
        "x = 1  # same",
        "...",
        "//   ...args: null extends Args ? never[] : Args",
        "            // ... however, we only need to find the N preceding lines based",
    ],
)
def test_these_lines_do_not(line: str) -> None:
    assert not MARKER.match(line)


def test_a_comment_of_many_run_together_words_is_judged_at_once() -> None:
    """The marker's word count once tried every way of splitting long words into ten: an
    edit of a generated Dart binding took 3 s, and this line more than 30 s."""
    comment = "    // " + "NSURLSessionDataTask" * 12 + " x" * 12 + "!\n"
    assert MARKER.match(comment) is None
    new = OLD.replace("    a = 1\n", "    a = 1\n" + comment)
    assert apply_edit(PY, OLD, new, path="m.py") == PY.replace(
        "    a = 1\n", "    a = 1\n" + comment
    )


def test_a_comment_that_reads_as_a_marker_rewritten_in_place_is_applied() -> None:
    # bubbletea's credit card example fixes a typo in `// The rest thould be numbers`:
    # both read as "the rest ...", but the new one rewrites the old and nothing is left
    # out. A lazy edit that also drops code is still refused.
    text = "func check(s string) error {\n\t// The rest thould be numbers\n\treturn parse(s)\n}\n"
    old = "\t// The rest thould be numbers\n\treturn parse(s)\n"
    new = "\t// The rest should be numbers\n\treturn parse(s)\n"
    assert apply_edit(text, old, new, path="main.go") == text.replace("thould", "should")
    lazy = "\t// The rest should be the same\n"
    assert "stands in place of 2 lines of old_string" in refusal(
        apply_edit, text, old, lazy, path="main.go"
    )


def test_comment_lines_written_again_with_their_spacing_changed_are_not_left_out() -> None:
    # ruby/e2mmap's tabs made spaces: the doc comment of `Fail` names its parameter
    # `rest`, which reads as "the rest ...". Its old lines, tabs and all, are written again
    # with spaces, so none is left out and the comment is the file's own, rewritten.
    text = (
        "# Fail(klass, err, *rest)\n#\tklass:  class to define exception under.\n"
        "#\terr:\texception\n#\trest:\tmessage arguments\n#\ndef E2MM.Raise(klass, err, *rest)\n"
    )
    new = text.replace("#\t", "#  ").replace(":\t", ":  ")
    assert apply_edit(text, text, new, path="lib/e2mmap.rb") == new
    lazy = "# Fail(klass, err, *rest)\n#  rest unchanged\n"
    assert "stands in place of 5 lines of old_string" in refusal(
        apply_edit, text, text, lazy, path="lib/e2mmap.rb"
    )


def test_a_marker_spaced_unlike_the_comment_line_it_stands_for_is_still_a_marker() -> None:
    # e2mmap's usage comment has a sample whose body is `#     ...`; a lazy edit wrote
    # `# ...` there and left out the sample's `end`: the same words, but not that line.
    text = "#   class Foo\n#     ...\n#   end\n#\n# U2)\n#   module Error\n"
    lazy = "# ...\n# 2.\n#   module Error\n"
    assert "stands in place of 3 lines of old_string" in refusal(
        apply_edit, text, text.replace("#   class Foo\n", ""), lazy, path="lib/e2mmap.rb"
    )


def test_a_marker_phrase_inside_a_comment_paragraph_is_prose() -> None:
    # rest-client's utils.rb: a new doc comment, one of whose lines begins "omitted".
    old = "      [key, pdict]\n    end\n  end\nend\n"
    doc = (
        "\n"
        "    # Notable differences from the ActiveSupport implementation:\n"
        "    #\n"
        "    # - Empty hash and empty array are treated the same as nil instead of being\n"
        "    #   omitted entirely from the output. Rather than disappearing, they will\n"
        "    #   appear to be nil instead.\n"
        "    def self.flatten_params(object, parent_key=nil)\n"
        "    end\n"
    )
    new = old.replace("    end\n  end\n", "    end\n" + doc + "  end\n")
    assert apply_edit(old, old, new, path="utils.rb") == new
    lazy = "      [key, pdict]\n    end\n\n    # Serialize params\n    # rest of the code here\n"
    message = refusal(apply_edit, old, old, lazy + "  end\nend\n", path="utils.rb")
    assert "'# rest of the code here' in new_string reads as code left out" in message


def test_a_marker_between_attributes_is_no_prose() -> None:
    # minijinja's meta.rs: `#[cfg(...)]` lines around the lazy comment are Rust, not a
    # comment paragraph it goes on in.
    old = (
        '    #[cfg(feature = "multi-template")]\n'
        "    ast::Stmt::Import(stmt) => {\n        assign(&stmt.name, state);\n    }\n"
        '    #[cfg(feature = "multi-template")]\n'
    )
    new = (
        '    #[cfg(feature = "multi_template")]\n    // same as before\n'
        '    #[cfg(feature = "multi_template")]\n'
    )
    assert refusal(apply_edit, old, old, new, path="meta.rs") == (
        "The edit to meta.rs was not applied: '// same as before' in new_string stands in "
        "place of 5 lines of old_string that are missing from new_string, so applying it "
        "would delete them. Write out in full every line that stays, instead of the comment."
    )


def test_a_marker_in_a_doc_comment_sample_is_no_prose() -> None:
    """hanami's router: a doc comment's code sample (`#   end`), and a marker written
    after it at the comment's own indentation, standing for the sample's last lines. A
    line of prose goes on no less deep after the `#` than the line before it."""
    old = (
        "        # @example\n        #   Lotus::Router.new do\n        #     resources 'flowers'\n"
        "        #   end\n        #\n        #   # It will generate paths like '/flowers'\n"
        "        #\n        # @api private\n        def path\n"
    )
    new = old.replace(
        "        #   end\n        #\n", "        #     prefix 'a'\n        # existing implementation\n"
    )
    message = refusal(apply_edit, old, old, new, path="action.rb")
    assert "'# existing implementation' in new_string stands in place of 2 lines" in message


def test_a_marker_among_comment_labels_is_no_prose() -> None:
    """node-fetch's body.js: each branch of an `if` chain labelled by a comment, `// Body
    is ArrayBufferView`, and a marker after one of them for the branch's code and the next
    `else if`. Prose runs on into the next line or ends its sentence; the marker stops
    short, and the next label starts anew."""
    old = (
        "\t\t} else if (ArrayBuffer.isView(body)) {\n\t\t\t// Body is ArrayBufferView\n"
        "\t\t\tbody = Buffer.from(body.buffer);\n\t\t} else if (body instanceof Stream) {\n"
        "\t\t\t// Body is stream\n\t\t} else {\n"
    )
    new = (
        "\t\t} else if (ArrayBuffer.isView(body)) {\n\t\t\t// Body is ArrayBufferView\n"
        "\t\t\t// existing implementation\n\t\t\t// Body is stream\n\t\t} else {\n"
    )
    message = refusal(apply_edit, old, old, new, path="body.js")
    assert "'// existing implementation' in new_string stands in place of 2 lines" in message


def test_a_marker_between_comment_lines_across_a_blank_line_or_a_column_is_no_prose() -> None:
    """jaraco's skeleton: `# upstream`, a marker, a blank line and `# local` in setup.py's
    extras, standing for the docs' three requirements; and ruff.toml's marker written at
    column 0 between two comments a tab deep. A paragraph's lines follow one another at
    one indentation; these are a marker beside comments."""
    old = (
        "\t\t'docs': [\n\t\t\t'sphinx',\n\t\t\t'jaraco.packaging>=3.2',\n"
        "\t\t\t'rst.linker>=1.9',\n\t\t],\n"
    )
    new = "\t\t'docs': [\n\t\t\t# upstream\n\t\t\t# existing implementation\n\n\t\t\t# local\n\t\t],\n"
    message = refusal(apply_edit, old, old, new, path="setup.py")
    assert "'# existing implementation' in new_string stands in place of 3 lines" in message
    toml = '[lint]\nextend-select = [\n\t"C901",\n]\nignore = [\n\t"W191",\n]\n'
    lazy = (
        '[lint]\nextend-select = [\n\t"C901",\n\t# local\n# existing implementation\n'
        '\t# upstream\n\t"W191",\n]\n'
    )
    message = refusal(apply_edit, toml, toml, lazy, path="ruff.toml")
    assert "'# existing implementation' in new_string stands in place of 2 lines" in message
