"""Minimal text changes and LSP position conversion (glm_lsp.edits.textedits)."""

from __future__ import annotations

import random
import time

import pytest

from glm_lsp.edits.textedits import (
    ENCODINGS,
    Position,
    TextChange,
    apply_changes,
    code_units,
    line_starts,
    minimal_changes,
    offset_to_position,
    position_to_offset,
    split_lines,
)


def change(sl: int, sc: int, el: int, ec: int, text: str) -> TextChange:
    return TextChange(Position(sl, sc), Position(el, ec), text)


# --- line splitting and code units -------------------------------------------------------


def test_split_lines_follows_lsp_line_breaks() -> None:
    assert split_lines("a\nb\r\nc\rd") == ["a\n", "b\r\n", "c\r", "d"]
    assert split_lines("a\n") == ["a\n"]
    assert split_lines("") == []
    assert split_lines("\r\n\r\n") == ["\r\n", "\r\n"]


def test_split_lines_ignores_breaks_editors_do_not_use() -> None:
    assert split_lines("a\x0cb\u2028c\x1dd\n") == ["a\x0cb\u2028c\x1dd\n"]


def test_line_starts() -> None:
    assert line_starts("ab\r\ncd\re\n") == [0, 4, 7, 9]
    assert line_starts("") == [0]


@pytest.mark.parametrize(
    ("text", "utf8", "utf16", "utf32"),
    [
        ("abc", 3, 3, 3),
        ("é", 2, 1, 1),
        ("漢字", 6, 2, 2),
        ("😀", 4, 2, 1),
        ("a😀漢é", 10, 5, 4),
        ("👩‍💻", 11, 5, 3),  # woman, zero-width joiner, laptop
    ],
)
def test_code_units(text: str, utf8: int, utf16: int, utf32: int) -> None:
    assert code_units(text, "utf-8") == utf8
    assert code_units(text, "utf-16") == utf16
    assert code_units(text, "utf-32") == utf32


def test_unknown_encoding_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown position encoding 'latin-1'"):
        minimal_changes("a", "b", "latin-1")


# --- minimal_changes: exact results ------------------------------------------------------


def test_no_change_gives_no_edits() -> None:
    assert minimal_changes("a\nb\n", "a\nb\n") == []
    assert minimal_changes("", "") == []


def test_one_changed_line() -> None:
    assert minimal_changes("a\nb\nc\n", "a\nB\nc\n") == [change(1, 0, 2, 0, "B\n")]


def test_a_byte_order_mark_the_change_keeps_is_not_written_into_the_document() -> None:
    """The file on disk has the mark; the editor's document, decoded, does not."""
    assert minimal_changes("\ufeffa\nb\n", "\ufeffA\nb\n") == [change(0, 0, 1, 0, "A\n")]
    assert minimal_changes("\ufeffab", "\ufeffabc") == [change(0, 0, 0, 2, "abc")]


def test_separate_changes_stay_separate() -> None:
    old = "1\n2\n3\n4\n5\n"
    new = "1\ntwo\n3\n4\nfive\n"
    assert minimal_changes(old, new) == [change(1, 0, 2, 0, "two\n"), change(4, 0, 5, 0, "five\n")]


def test_insertion_and_deletion_are_empty_ranges_and_empty_texts() -> None:
    assert minimal_changes("a\nc\n", "a\nb\nc\n") == [change(1, 0, 1, 0, "b\n")]
    assert minimal_changes("a\nb\nc\n", "a\nc\n") == [change(1, 0, 2, 0, "")]


def test_append_after_a_last_line_without_newline_ends_mid_line() -> None:
    assert minimal_changes("a\nb", "a\nb\nc") == [change(1, 0, 1, 1, "b\nc")]


def test_append_after_a_trailing_newline_inserts_at_the_line_after_it() -> None:
    assert minimal_changes("a\nb\n", "a\nb\nc") == [change(2, 0, 2, 0, "c")]


@pytest.mark.parametrize(("encoding", "column"), [("utf-16", 9), ("utf-8", 13), ("utf-32", 8)])
def test_end_of_file_column_on_an_emoji_and_cjk_line(encoding: str, column: int) -> None:
    old = "x = 1\ns = '😀漢'"
    new = "x = 1\ns = '😀漢!'"
    # "s = '" and "'" are 6 units in all; 😀 is 2 UTF-16 units, 4 bytes, 1 code point;
    # 漢 is 1 UTF-16 unit, 3 bytes, 1 code point.
    assert minimal_changes(old, new, encoding) == [change(1, 0, 1, column, "s = '😀漢!'")]


def test_file_gains_its_final_newline() -> None:
    assert minimal_changes("a\nb", "a\nb\n") == [change(1, 0, 1, 1, "b\n")]


def test_file_loses_its_final_newline() -> None:
    assert minimal_changes("a\nb\n", "a\nb") == [change(1, 0, 2, 0, "b")]


def test_crlf_lines_keep_their_line_breaks() -> None:
    old = "a\r\nb\r\nc\r\n"
    assert minimal_changes(old, "a\r\nB\r\nc\r\n") == [change(1, 0, 2, 0, "B\r\n")]
    assert minimal_changes(old, "a\r\nc\r\n") == [change(1, 0, 2, 0, "")]


def test_lone_carriage_returns_are_line_breaks() -> None:
    assert minimal_changes("a\rb\rc", "a\rB\rc") == [change(1, 0, 2, 0, "B\r")]


def test_empty_old_text() -> None:
    assert minimal_changes("", "x\ny") == [change(0, 0, 0, 0, "x\ny")]


def test_empty_new_text() -> None:
    assert minimal_changes("x\ny", "") == [change(0, 0, 1, 1, "")]
    assert minimal_changes("x\ny\n", "") == [change(0, 0, 2, 0, "")]


def test_repeated_lines_are_not_mistaken_for_junk() -> None:
    old = "}\n" * 300 + "x\n" + "}\n" * 300
    new = "}\n" * 300 + "y\n" + "}\n" * 300
    assert minimal_changes(old, new) == [change(300, 0, 301, 0, "y\n")]


def test_large_file_with_far_apart_changes_is_fast() -> None:
    lines = [
        "\n" if n % 7 == 0 else "    }\n" if n % 5 == 0 else f"x{n} = {n}\n" for n in range(30_000)
    ]
    new_lines = list(lines)
    new_lines[1000] = "changed\n"
    new_lines.insert(25_000, "added\n")
    started = time.perf_counter()
    changes = minimal_changes("".join(lines), "".join(new_lines))
    assert time.perf_counter() - started < 1
    assert changes == [
        change(1000, 0, 1001, 0, "changed\n"),
        change(25_000, 0, 25_000, 0, "added\n"),
    ]


# --- positions ---------------------------------------------------------------------------

LINE = "a😀漢b\n"  # offsets: a=0, 😀=1, 漢=2, b=3, \n=4


@pytest.mark.parametrize(
    ("encoding", "columns"),
    [
        ("utf-16", [0, 1, 3, 4, 5]),
        ("utf-8", [0, 1, 5, 8, 9]),
        ("utf-32", [0, 1, 2, 3, 4]),
    ],
)
def test_offsets_and_positions_on_an_emoji_line(encoding: str, columns: list[int]) -> None:
    text = "first\n" + LINE
    for index, column in enumerate(columns):
        offset = 6 + index
        assert offset_to_position(text, offset, encoding) == Position(1, column)
        assert position_to_offset(text, Position(1, column), encoding) == offset


def test_column_inside_a_character_rounds_down() -> None:
    assert position_to_offset(LINE, Position(0, 2), "utf-16") == 1  # half of 😀
    assert position_to_offset(LINE, Position(0, 3), "utf-8") == 1  # inside 😀's bytes
    assert position_to_offset(LINE, Position(0, 6), "utf-8") == 2  # inside 漢's bytes


def test_positions_past_the_end_are_clamped() -> None:
    text = "ab\r\ncd"
    assert position_to_offset(text, Position(0, 99)) == 2  # before the CRLF
    assert position_to_offset(text, Position(1, 99)) == 6
    assert position_to_offset(text, Position(7, 0)) == 6
    assert offset_to_position(text, 99) == Position(1, 2)
    assert offset_to_position(text, -5) == Position(0, 0)


def test_crlf_positions() -> None:
    text = "ab\r\ncd\r\n"
    assert offset_to_position(text, 4) == Position(1, 0)
    assert offset_to_position(text, 3) == Position(0, 2)  # between CR and LF: end of line 0
    assert offset_to_position(text, 8) == Position(2, 0)
    assert position_to_offset(text, Position(2, 0)) == 8


def test_negative_position_is_an_error() -> None:
    with pytest.raises(ValueError):
        position_to_offset("a", Position(0, -1))


# --- apply_changes -----------------------------------------------------------------------


def test_apply_changes_uses_original_coordinates_in_any_order() -> None:
    text = "one\ntwo\nthree\n"
    changes = [change(2, 0, 2, 5, "3"), change(0, 0, 0, 3, "1")]
    assert apply_changes(text, changes) == "1\ntwo\n3\n"


def test_inserts_at_one_position_keep_their_order() -> None:
    changes = [change(0, 1, 0, 1, "x"), change(0, 1, 0, 1, "y"), change(0, 1, 0, 2, "")]
    assert apply_changes("abc", changes) == "axyc"


def test_overlapping_changes_are_refused() -> None:
    with pytest.raises(ValueError, match="overlapping"):
        apply_changes("abcdef", [change(0, 0, 0, 3, ""), change(0, 2, 0, 4, "")])


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_apply_changes_counts_columns_in_the_encoding(encoding: str) -> None:
    text = "😀漢x"
    start = code_units("😀漢", encoding)
    assert apply_changes(text, [change(0, start, 0, start + 1, "y")], encoding) == "😀漢y"


# --- the property: applying the minimal changes gives the new text -----------------------

ALPHABET = ["a", "b", " ", "é", "漢", "😀", "\t", "\n", "\r\n", "\r"]


def random_text(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30)))


def mutate(rng: random.Random, text: str) -> str:
    lines = split_lines(text)
    for _ in range(rng.randint(0, 4)):
        action = rng.choice(["insert", "delete", "replace", "strip"])
        index = rng.randint(0, len(lines))
        if action == "insert":
            lines.insert(index, random_text(rng))
        elif lines and index < len(lines):
            if action == "delete":
                del lines[index]
            elif action == "replace":
                lines[index] = random_text(rng)
            else:
                lines[index] = lines[index].rstrip("\r\n")
    return "".join(lines)


@pytest.mark.parametrize("seed", range(20))
def test_minimal_changes_round_trip(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        old = (
            random_text(rng)
            if rng.random() < 0.3
            else "".join(
                random_text(rng) + rng.choice(["\n", "\r\n"]) for _ in range(rng.randint(0, 8))
            )
        )
        new = mutate(rng, old) if rng.random() < 0.8 else random_text(rng)
        for encoding in ENCODINGS:
            changes = minimal_changes(old, new, encoding)
            assert apply_changes(old, changes, encoding) == new, (old, new, encoding, changes)
            if old == new:
                assert changes == []


@pytest.mark.parametrize("seed", range(5))
def test_offset_position_round_trip(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        text = random_text(rng)
        for offset in range(len(text) + 1):
            if text[offset - 1 : offset + 1] == "\r\n":
                continue  # inside a CRLF: no position of its own
            for encoding in ENCODINGS:
                position = offset_to_position(text, offset, encoding)
                assert position_to_offset(text, position, encoding) == offset
