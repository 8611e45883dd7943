"""The token estimate: the fast count must equal the piece-by-piece rules it stands for."""

from __future__ import annotations

import pytest

from glm_lsp.context.budget import _PIECE, estimate_tokens


def by_piece(text: str) -> int:
    """The rules, one piece at a time: non-ASCII a token a character, words one per 7
    characters, punctuation runs one per 3, whitespace, digits and underscores one."""
    total = 0
    for piece in _PIECE.findall(text):
        last = piece[-1]
        if not piece.isascii():
            total += len(piece)
        elif last.isalpha():
            total += 1 + (len(piece) - 1) // 7
        elif last.isspace() or last == "_" or last.isdigit():
            total += 1
        else:
            total += 1 + (len(piece) - 1) // 3
    return total


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x = 1\n",
        "  120│ def check_call_expr_with_callee_type(self, callee: Type) -> None:\n",
        "assert a != b and c <= d; e->f ... ===== !== ||| {{{}}}\n",
        "naïve café → ≠ 😀 ok\tnon-ASCII runs: ¡¡¡ ÄÖÜ\n",
        "__init__ __dunder__ 1234567890 0x1F tabs\t\t\tand\n\n\n   lines   ",
        "supercalifragilisticexpialidocious averyveryverylongidentifier_with_parts\n",
    ],
)
def test_the_estimate_follows_its_rules(text: str) -> None:
    assert estimate_tokens(text) == by_piece(text)
