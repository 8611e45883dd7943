"""Lazy edits: a replacement that writes a comment such as ``# ... existing code ...``
where the lines it was meant to keep should be.

Models shorten what they repeat. Applied as written, such an edit deletes the code its
comment stands for (or, when the model also rewrote the lines around it, leaves a block
cut short), and the diff still looks like the change that was asked for, so the user may
accept it. So an edit is refused when its replacement brings a comment of that kind that
the original did not have:
* in source code always: there it is never the code that was asked for;
* in a document (Markdown, reStructuredText, text, HTML) only when the replacement also
  leaves out lines of the original, or begins or ends with the comment (it then stands
  for what comes before or after it), since "// ..." inside a code sample is how a
  README shortens it on purpose; or when the comment is the document's own (`<!-- -->`)
  outside a code block the replacement opens: that one speaks of the document.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from glm_lsp.edits.locate import norm
from glm_lsp.errors import EditError

_COMMENT = r"(?:#|//|/\*|<!--|--|;|\*|%)"
_SHORT = r"(?=(?:\W*\w+\b){1,10}\W*$)"  # ten words at most: prose comments are longer
_ELIDED = (
    r"(?:the )?(?:rest|remainder)(?: of (?:the )?\w+)?\b"
    r"|existing (?:code|implementation|logic|methods|functions|imports|tests|content|body|lines)"
    r"|(?:(?:remaining |other |unchanged )?code|lines|everything|implementation|body|logic)"
    r"\W+(?:\w+\W+){0,2}(?:unchanged|the same|as before|as is|omitted|here)\b"
    r"|\(?unchanged\)?\W*$"
    r"|same as (?:before|above|original|previously)"
    r"|(?:omitted|elided|snip|snipped)\b"
    r"|other (?:code|methods|functions|fields|cases|tests)\b"
)
_FEW = r"(?=(?:\W*\w+\b){0,10}\W*$)"  # "// ..." alone, or a few words after it
MARKER = re.compile(
    rf"^\s*+{_COMMENT}\s*+[(\[]?\s*+(?:\.\.\.|…)(?![\w$]){_FEW}"
    rf"|^\s*+{_COMMENT}{_SHORT}\W*(?:{_ELIDED})",
    re.IGNORECASE,
)
"""A comment line that says code was left out, in the comment styles of the languages
glm-lsp reads: a short one that starts with an ellipsis ("... existing code ...", not the
spread "...args" of code commented out, nor a sentence of prose that goes on from the line
before, "// ... however, we only need"), or a short one that starts by saying so ("rest of
the function unchanged", "existing implementation", "(unchanged)", "same as before")."""

REVISION_ALIKE = 0.8  # a comment rewritten (a typo fixed, a word changed) is this like its old text

DOCUMENTS = frozenset(
    ".md .markdown .rst .rdoc .txt .adoc .asciidoc .textile .html .htm .org .tex".split()
)
"""Where a shortened code sample is often meant (a file without extension counts too)."""


@dataclass(frozen=True)
class Elision:
    """A marker comment of a replacement and how many original lines it leaves out."""

    marker: str
    dropped: int


def find_elision(old: str, new: str, document: bool = False) -> Elision | None:
    """The first marker new in `new`. In a `document` only when `new` also leaves out
    non-blank lines of `old` (counted up to whitespace, as a multiset: a "}" written
    once where the original had two is left out) or begins or ends with the marker.
    Where else in `new` the marker stands is not asked: a lazy replacement may also move
    the lines it does write."""
    old_lines = [line.strip() for line in old.splitlines()]
    known = set(old_lines)
    lines = new.splitlines()
    rows = [row for row, line in enumerate(lines) if line.strip()]
    written = [lines[row] for row in rows]
    found = [k for k, line in enumerate(written) if MARKER.match(line)]
    # (a marker's own spacing tells it from a line of the file: `# ...` where a sample in a
    # comment has `#     ...` is new)
    found = [k for k in found if written[k].strip() not in known and not _goes_on(lines, rows[k])]
    if not found:
        return None
    # Lines up to their whitespace: a line written again with its spacing changed is not
    # left out, and a marker that is one rewrites a comment (ruby/e2mmap's doc comment, its
    # tabs made spaces: `#  rest:  message arguments` is a parameter's line).
    squashed = [norm(line) for line in old_lines]
    left = Counter(line for line in squashed if line)
    left.subtract(norm(line) for line in written)
    revised = _revisions([norm(written[k]) for k in found], left)
    dropped = sum(count for count in left.values() if count > 0)
    if not dropped:  # each marker rewrites a comment the original had, and nothing is gone
        rewritten = revised.union(squashed)  # (its words, or only its spacing)
        found = [k for k in found if norm(written[k]) not in rewritten]
        if not found:
            return None
    at_edge = found[0] == 0 or found[-1] == len(written) - 1
    if document and not dropped and not at_edge:
        found = [k for k in found if _of_the_document(written, k)]
        if not found:
            return None
    return Elision(written[found[0]].strip(), dropped)


_FENCE = re.compile(r"^\s*(```|~~~)")


def _of_the_document(written: list[str], k: int) -> bool:
    """Whether marker line `k` is an HTML comment outside any code block that the lines
    before it open: a comment of the document itself, not a shortened sample's
    (golang-lru's README: `<!-- … keep the rest as is -->` written where the replacement
    dropped a code block's closing fence, which it wrote again further down). A sample
    written in a fence of its own may shorten its HTML so."""
    if not written[k].lstrip().startswith("<!--"):
        return False
    fences = sum(bool(_FENCE.match(line)) for line in written[:k])
    return fences % 2 == 0


_COMMENT_LINE = re.compile(r"^\s*+(#|//[/!]?|--|;+|\*|%)(?:([ \t]++)(.*)|$)")
"""A comment line of prose: its mark, then a space (`#[cfg(...)]` and `#include` are code)."""


def _goes_on(lines: list[str], k: int) -> bool:
    """Whether marker line `k` is prose inside a comment paragraph: it starts in lower
    case, the comment line right before it runs into it (no full stop, colon or the like
    at its end), and a comment line follows right after, all three with the same mark (a
    blank line ends a paragraph: jaraco's setup.py, `# upstream`, a marker, a blank line
    and `# local`): rest-client's doc
    comment "Empty hash and empty array are treated the same as nil instead of being /
    omitted entirely from the output. Rather than disappearing, they will / appear to be
    nil instead." (minijinja's `#[cfg(...)]` attributes around a lazy `// same as before`
    are no comments.) A line of prose goes on no less deep after the mark than the line
    before (a list item's next line, deeper): hanami's doc comment `#   end` / `# existing
    implementation` is a code sample and a marker. And prose runs on into the next line
    or ends its sentence: node-fetch's `// Body is ArrayBufferView` / `// existing
    implementation` / `// Body is stream` are a list of labels and a marker. The three
    lines stand at one indentation, as a paragraph's do."""
    if k == 0 or k + 1 >= len(lines):
        return False
    before, this, after = (_COMMENT_LINE.match(lines[i]) for i in (k - 1, k, k + 1))
    if not (before and this and after) or not before[1] == this[1] == after[1]:
        return False
    starts = {lines[k - 1][: before.start(1)], lines[k][: this.start(1)]}
    starts.add(lines[k + 1][: after.start(1)])
    if len(starts) > 1:
        return False  # (a paragraph's lines start alike: jaraco's ruff.toml, a marker at 0)
    if len((this[2] or "").expandtabs()) < len((before[2] or "").expandtabs()):
        return False
    text, previous, following = this[3] or "", before[3] or "", after[3] or ""
    ends = (".", ":", ";", "!", "?")
    if text.rstrip().endswith(ends) is following[:1].islower():
        return False  # (it stops short of the next line, or ends and the next goes on)
    return text[:1].islower() and bool(previous) and not previous.rstrip().endswith(ends)


def _revisions(markers: list[str], left: Counter[str]) -> set[str]:
    """The markers that rewrite a comment of the original that reads as one too and that
    the replacement no longer has (bubbletea's `// The rest thould be numbers`, its typo
    fixed), each taken out of `left`: such a comment says nothing of code left out."""
    revised = set()
    for marker in markers:
        for line, count in left.items():
            if count > 0 and MARKER.match(line) and _alike(line, marker):
                left[line] -= 1
                revised.add(marker)
                break
    return revised


def _alike(a: str, b: str) -> bool:
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= REVISION_ALIKE


def is_document(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return "." not in name.lstrip(".") or name[name.rfind(".") :].lower() in DOCUMENTS


def refuse_elision(old: str, new: str, path: str, what: str, new_part: str, old_part: str) -> None:
    """Raise EditError, addressed to the model, when `new` is lazy (see the module).
    `what` names the edit ("The edit to app.py"), the parts name its sides."""
    found = find_elision(old, new, is_document(path))
    if found is None:
        return
    if found.dropped:
        lines = f"{found.dropped} line{'s' if found.dropped != 1 else ''}"
        reason = (
            f"stands in place of {lines} of {old_part} that are missing from {new_part}, "
            "so applying it would delete them"
        )
    else:
        reason = "reads as code left out, and it would be written into the file as it is"
    raise EditError(
        f"{what} was not applied: {found.marker!r} in {new_part} {reason}. Write out in full "
        "every line that stays, instead of the comment."
    )
