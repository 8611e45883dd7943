"""Edits whose text came back HTML-escaped: ``<`` as ``&lt;``, ``&`` as ``&amp;``.

Some providers' tool-call parsers hand arguments over escaped, and models trained on web
text sometimes write code that way. Such an edit can still be placed: its escaped context
lines pass as lines with a small mistake, and those are written as the file has them.
Its new lines, though, are written as they came, so ``if a &lt; b:`` lands in the file,
a result the user may accept. Two cases tell the escaping apart from intent:

* the quoted text holds an entity the file nowhere has: the quote cannot be the file's
  text as written, so the whole edit is read unescaped (one level, the inverse of what
  escaping did, so ``&amp;lt;`` stands for ``&lt;``);
* only the new text brings such an entity, in a file that is not markup and has no
  entity at all: nothing shows which was meant, so the edit is refused with a sentence
  that says how to write it.

Entities the file already has are its own and are never decoded on their own.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from glm_lsp.errors import EditError

ENTITIES = {
    "&lt;": "<",
    "&gt;": ">",
    "&amp;": "&",
    "&quot;": '"',
    "&#34;": '"',
    "&#39;": "'",
    "&#x27;": "'",
    "&apos;": "'",
}
_ENTITY = re.compile("|".join(re.escape(entity) for entity in ENTITIES))

MARKUP = frozenset(
    ".html .htm .xhtml .xml .svg .vue .svelte .astro .php .erb .ejs .hbs .handlebars "
    ".mustache .jinja .jinja2 .j2 .twig .njk .liquid .xsl .xslt .jsp .cshtml .razor".split()
)
"""Files where writing an entity for the first time is ordinary."""


def unescape(text: str) -> str:
    """`text` with one level of HTML escaping undone."""
    return _ENTITY.sub(lambda match: ENTITIES[match[0]], text)


def foreign_entities(file_text: str, written: str) -> list[str]:
    """The entities of `written` that `file_text` nowhere has, in order of appearance."""
    seen = dict.fromkeys(_ENTITY.findall(written))
    return [entity for entity in seen if entity not in file_text]


def unescaped(
    file_text: str, old: str, new: str, path: str, what: str, new_name: str
) -> tuple[str, str]:
    """`old` and `new` as the model meant them, or EditError when that cannot be told.

    `what` names the edit and `new_name` its new text in the message (written for the
    model, which can then resend it).
    """
    if not _ENTITY.search(old + new):
        return old, new
    if _quote_escaped(file_text, old):
        return unescape(old), unescape(new)
    if PurePosixPath(path).suffix.lower() in MARKUP:
        return old, new
    name = path or "the file"
    if not _ENTITY.search(file_text):
        entity = foreign_entities(file_text, new)[0]
        raise EditError(
            f"{what} writes {entity!r} in {new_name}, which appears nowhere in {name}: the "
            f"text looks HTML-escaped. Write the characters themselves ({ENTITIES[entity]!r} "
            f"for {entity!r}) as they should stand in the file, and send the edit again."
        )
    escaped = _written_escaped(file_text, new)
    if escaped is not None:
        raise EditError(
            f"{what} writes {escaped.strip()!r} in {new_name}, where {name} writes "
            f"{unescape(escaped).strip()!r}: the text looks HTML-escaped. Write the characters "
            "themselves as they should stand in the file, and send the edit again."
        )
    return old, new


def _quote_escaped(file_text: str, old: str) -> bool:
    """Whether the quoted text cannot be the file's as written but is once unescaped: it
    has an entity the file lacks, or a line with entities that the file has only
    unescaped."""
    if foreign_entities(file_text, old):
        return True
    quoted = [line.strip() for line in old.splitlines() if _ENTITY.search(line)]
    if not quoted:
        return False
    lines = {line.strip() for line in file_text.splitlines()}
    return any(line not in lines and unescape(line) in lines for line in quoted)


def _written_escaped(file_text: str, new: str) -> str | None:
    """The first entity of `new`, with a character each side, that the file has only
    unescaped, when no entity of `new` is written the way the file writes it."""
    escaped = None
    for match in _ENTITY.finditer(new):
        around = new[max(match.start() - 1, 0) : match.end() + 1]
        if around in file_text:
            return None  # written as the file writes it: the file's own
        if escaped is None and unescape(around) in file_text:
            escaped = around
    return escaped
