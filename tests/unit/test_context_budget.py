"""The token estimate: at or above what a BPE tokenizer (cl100k) counts, and fast."""

from __future__ import annotations

import math

import pytest

from glm_lsp.context.budget import _PIECE, _piece_tokens, common_words, estimate_tokens


def by_piece(text: str) -> int:
    """The rules applied to every piece, with no shortcut for short ones."""
    return math.ceil(sum(_piece_tokens(piece) for piece in _PIECE.findall(text)))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x = 1\n",
        "  120│ def check_call_expr_with_callee_type(self, callee: Type) -> None:\n",
        "assert a != b and c <= d; e->f ... ===== !== ||| {{{}}}\n",
        "naïve café → ≠ 😀 ok\tnon-ASCII runs: ¡¡¡ ÄÖÜ\n",
        " 计算 鬱蠶 한국어 հայերեն x函数 🎉🚀\n",
        "__init__ __dunder__ 1234567890 0x1F tabs\t\t\tand\n\n\n   lines   ",
        "supercalifragilisticexpialidocious averyveryverylongidentifier_with_parts\n",
        'router.GET("/abc/:id", h) {a: 1} =x HTTPServer MonomialOrder\n',
    ],
)
def test_the_fast_count_follows_the_rules(text: str) -> None:
    assert estimate_tokens(text) == by_piece(text)


@pytest.mark.parametrize(
    ("text", "cl100k"),
    [  # lines from sympy, mypy and gin, and what cl100k counts
        ("from sympy.integrals.heurisch import heurisch, heurisch_wrapper\n", 19),
        ("sympy/polys/sparsetools.py:\n", 11),
        ("Heaviside(x) + DiracDelta(y)\n", 11),
        ('router.GET("/abc/:id", handler)\n', 9),
        ("    def check_call_expr(self, callee: Type) -> None:\n", 14),
        ("=========\n\n", 2),
        ("return self.value\n", 4),
        # other scripts: common ideographs are one token, rare ones and emoji up to four
        ("    # 计算用户的余额，如果账户被冻结则抛出异常\n", 24),
        ("    # 鬱蠶鑿彙饕餮魑魅魍魎\n", 32),
        ("    return '🎉🚀✨ 完成'\n", 15),
        ("// 사용자 계정을 확인합니다\n", 9),
        ("Սա հայերեն տեքստ է՝ ստուգելու համար նշանների քանակը", 95),
        ("func Функция(значение int) int {\n", 12),
    ],
)
def test_the_estimate_is_at_or_above_cl100k(text: str, cl100k: int) -> None:
    assert estimate_tokens(text) >= cl100k


def test_common_words_are_one_token_and_rare_ones_more() -> None:
    assert {"function", "return", "value", "integral"} <= common_words()
    assert estimate_tokens(" function") == 1
    assert estimate_tokens(" heurisch") == 3  # cl100k: " he", "ur", "isch"
    assert estimate_tokens("MonomialOrder") == 4  # a rare part and a common one (cl100k: 3)
    assert estimate_tokens(" HTTP") == 2  # an acronym: about a token per three letters
