"""Edit text mangled on its way: HTML-escaped (``&lt;`` for ``<``), or given typographic
quotes (``“`` for ``"``).

Some providers' tool-call parsers hand arguments over escaped, models trained on web text
sometimes write code that way, and chat interfaces make quotes typographic. Such an edit
can still be placed: its mangled context lines pass as lines with a small mistake, and
those are written as the file has them. Its new lines, though, are written as they came, so
``if a &lt; b:`` or ``print(“hi”)`` lands in the file, a result the user may accept. What
tells the mangling apart from intent:

* the quoted text holds a mangled form the file nowhere has, or a line the file has only
  unmangled: the quote cannot be the file's text as written, so the whole edit is read
  back (one level of escaping, the inverse of what was done; ``&amp;lt;`` stands for
  ``&lt;``);
* only the new text brings such forms (entities outside markup; typographic quotes
  anywhere, since a document's code samples and a file that never used them are alike):
  when the file has none of them, or writes their plain characters where the new text
  has the mangled ones, nothing shows which was meant, so the edit is refused with a
  sentence that says how to write it.

Forms the file already has, written the way it writes them, are its own and kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from glm_lsp.errors import EditError

MARKUP = frozenset(
    ".html .htm .xhtml .xml .svg .vue .svelte .astro .hbs .handlebars "
    ".mustache .jinja .jinja2 .j2 .twig .njk .liquid .xsl .xslt".split()
)
"""Files where writing an entity for the first time is ordinary."""


@dataclass(frozen=True)
class Mangling:
    """One way text gets mangled: its forms, what each stands for, where they are ordinary."""

    looks: str
    plain: dict[str, str]
    ordinary_in: frozenset[str]

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("|".join(re.escape(form) for form in self.plain))

    def undo(self, text: str) -> str:
        return self.pattern.sub(lambda match: self.plain[match[0]], text)


HTML = Mangling(
    "HTML-escaped",
    {
        "&lt;": "<",
        "&gt;": ">",
        "&amp;": "&",
        "&quot;": '"',
        "&#34;": '"',
        "&#39;": "'",
        "&#x27;": "'",
        "&apos;": "'",
    },
    MARKUP,
)
QUOTES = Mangling(
    "rewritten with typographic quotes",
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'},
    frozenset(),
)
MANGLINGS = (HTML, QUOTES)


def unmangled(
    file_text: str, old: str, new: str, path: str, what: str, new_name: str
) -> tuple[str, str]:
    """`old` and `new` as the model meant them, or EditError when that cannot be told.

    `what` names the edit and `new_name` its new text in the message (written for the
    model, which can then resend it).
    """
    for mangling in manglings(file_text, old, new, path, what, new_name):
        old, new = mangling.undo(old), mangling.undo(new)
    return old, new


def manglings(
    file_text: str, old: str, new: str, path: str, what: str, new_name: str
) -> list[Mangling]:
    """The manglings the edit went through, to undo (each one line by line); EditError
    when the new text may be mangled and nothing tells."""
    return [m for m in MANGLINGS if _undo(m, file_text, old, new, path, what, new_name)]


def _undo(
    mangling: Mangling, file_text: str, old: str, new: str, path: str, what: str, new_name: str
) -> bool:
    pattern = mangling.pattern
    if not pattern.search(old + new):
        return False
    if _quote_mangled(mangling, file_text, old):
        return True
    if not pattern.search(new) or PurePosixPath(path).suffix.lower() in mangling.ordinary_in:
        return False
    name = path or "the file"
    if not pattern.search(file_text):
        form = next(form for form in pattern.findall(new) if form not in file_text)
        raise EditError(
            f"{what} writes {form!r} in {new_name}, which appears nowhere in {name}: the "
            f"text looks {mangling.looks}. Write the characters themselves "
            f"({mangling.plain[form]!r} for {form!r}) as they should stand in the file, and "
            "send the edit again."
        )
    if _written_as_the_file_does(mangling, file_text, new):
        return False
    form = mangling.pattern.findall(new)[0]
    raise EditError(
        f"{what} writes {form!r} in {new_name}, and {name} never has it beside the same "
        f"characters: the text may be {mangling.looks}. Write the characters themselves "
        f"({mangling.plain[form]!r} for {form!r}) as they should stand in the file, and send "
        "the edit again."
    )


def _quote_mangled(mangling: Mangling, file_text: str, old: str) -> bool:
    """Whether the quoted text cannot be the file's as written but is once undone: it has
    a mangled form the file lacks, or a line with such forms that the file has only plain."""
    pattern = mangling.pattern
    if any(form not in file_text for form in pattern.findall(old)):
        return True
    quoted = [line.strip() for line in old.splitlines() if pattern.search(line)]
    if not quoted:
        return False
    lines = {line.strip() for line in file_text.splitlines()}
    return any(line not in lines and mangling.undo(line) in lines for line in quoted)


def _written_as_the_file_does(mangling: Mangling, file_text: str, new: str) -> bool:
    """Whether a mangled form of `new` stands beside a character the way the file has it
    (` “` in prose that uses such quotes), where a mangling would put `(“` in code that
    writes `("`."""
    for match in mangling.pattern.finditer(new):
        start, end = match.start(), match.end()
        if new[max(start - 1, 0) : end] in file_text or new[start : end + 1] in file_text:
            return True
    return False
