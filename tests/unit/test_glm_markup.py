"""GLM's text tool-call markup: parsing whole replies and filtering streamed ones."""

from __future__ import annotations

import pytest

from glm_lsp.providers.glm_markup import MarkupCall, MarkupFilter, split_tool_calls


def test_one_call_with_typed_values() -> None:
    text = (
        "Let me look.<tool_call>read_file<arg_key>path</arg_key><arg_value>src/a.py</arg_value>"
        "<arg_key>start</arg_key><arg_value>3</arg_value>"
        "<arg_key>whole</arg_key><arg_value>true</arg_value>"
        '<arg_key>opts</arg_key><arg_value>{"n": [1, 2]}</arg_value></tool_call>'
    )
    content, calls = split_tool_calls(text)
    assert content == "Let me look."
    assert calls == [
        MarkupCall(
            "read_file", {"path": "src/a.py", "start": 3, "whole": True, "opts": {"n": [1, 2]}}
        )
    ]


def test_several_calls_with_whitespace_between_parts() -> None:
    text = (
        "<tool_call>list_files\n<arg_key>dir</arg_key>\n<arg_value>.</arg_value>\n</tool_call>\n"
        "<tool_call> search \n<arg_key> pattern </arg_key>\n  <arg_value>def main</arg_value>\n"
        "</tool_call>"
    )
    content, calls = split_tool_calls(text)
    assert content == ""
    assert calls == [
        MarkupCall("list_files", {"dir": "."}),
        MarkupCall("search", {"pattern": "def main"}),
    ]


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("3", 3),
        ("-1.5", -1.5),
        ("false", False),
        ("null", None),
        ("[1]", [1]),
        ('"quoted"', '"quoted"'),  # a JSON string stays the literal text
        ("hello world", "hello world"),
        ("  x = 1\n", "  x = 1\n"),  # code keeps its whitespace
        ("{not json", "{not json"),
    ],
)
def test_value_decoding(raw: str, value: object) -> None:
    text = f"<tool_call>f<arg_key>v</arg_key><arg_value>{raw}</arg_value></tool_call>"
    assert split_tool_calls(text)[1] == [MarkupCall("f", {"v": value})]


def test_call_without_arguments_and_json_body() -> None:
    text = (
        "<tool_call>list_files</tool_call>"
        '<tool_call>{"name": "g", "arguments": {"a": 1}}</tool_call>'
    )
    assert split_tool_calls(text)[1] == [MarkupCall("list_files", {}), MarkupCall("g", {"a": 1})]


def test_text_without_markup_is_untouched() -> None:
    assert split_tool_calls("  plain\n") == ("  plain\n", [])


def test_unreadable_or_unfinished_blocks_stay_text() -> None:
    broken = "<tool_call>not a name!<arg_key>a</arg_key><arg_value>1</arg_value></tool_call>"
    assert split_tool_calls(broken) == (broken, [])
    unfinished = "text <tool_call>read_file<arg_key>path"
    assert split_tool_calls(unfinished) == (unfinished, [])


def stream(pieces: list[str]) -> list[tuple[str, str]]:
    markup = MarkupFilter()
    out = [event for piece in pieces for event in markup.feed(piece)] + markup.flush()
    merged: list[tuple[str, str]] = []
    for kind, text in out:  # adjacent content pieces are one piece for comparison
        if merged and kind == merged[-1][0] == "content":
            merged[-1] = ("content", merged[-1][1] + text)
        else:
            merged.append((kind, text))
    return merged


def test_filter_holds_back_markup_split_across_pieces() -> None:
    text = (
        "Reading.<tool_call>read_file<arg_key>path</arg_key><arg_value>a.py</arg_value>"
        "</tool_call>Done."
    )
    for size in (1, 2, 3, 7, len(text)):
        pieces = [text[i : i + size] for i in range(0, len(text), size)]
        assert stream(pieces) == [
            ("content", "Reading."),
            ("tool_call", "read_file"),
            ("content", "Done."),
        ]


def test_filter_releases_lookalikes() -> None:
    assert stream(["a <tool", "_cal", "x> b"]) == [("content", "a <tool_calx> b")]
    assert stream(["ends with <tool_c"]) == [("content", "ends with <tool_c")]
    assert stream(["<tool_call>unfinished"]) == [("content", "<tool_call>unfinished")]


def test_filter_never_delays_plain_text() -> None:
    markup = MarkupFilter()
    assert markup.feed("hello") == [("content", "hello")]
    assert markup.feed(" <") == [("content", " ")]  # only the possible marker start waits
