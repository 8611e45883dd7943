"""The graph's name tables, packed in the cache and unpacked a name at a time."""

from __future__ import annotations

from glm_lsp.context.nametable import NameTable, pack, unpack

PATHS = ["a.py", "b.py", "c.py"]


def packed_table() -> NameTable:
    table = NameTable()
    table.setdefault("load", set()).update({"a.py", "c.py"})
    table.setdefault("save", set()).add("b.py")
    return unpack(pack(table, PATHS), PATHS)


def test_a_packed_table_answers_like_the_dict_it_was_made_from() -> None:
    table = packed_table()
    assert table.get("load") == {"a.py", "c.py"}
    assert table.get("save") == {"b.py"}
    assert table.get("missing") is None
    assert table.get("missing", set()) == set()
    assert dict(table.items()) == {"load": {"a.py", "c.py"}, "save": {"b.py"}}


def test_changes_to_a_looked_up_set_stay_in_the_table() -> None:
    table = packed_table()
    files = table.get("load")
    assert files is not None
    files.discard("a.py")  # what the graph does when a file stops defining a name
    assert table.get("load") == {"c.py"}
    table.setdefault("new", set()).add("a.py")
    assert table.get("new") == {"a.py"}


def test_a_deleted_name_is_gone_though_the_packed_form_still_holds_it() -> None:
    table = packed_table()
    del table["save"]
    assert not table.get("save")
    assert dict(table.items()) == {"load": {"a.py", "c.py"}}
    table.setdefault("save", set()).add("c.py")
    assert table.get("save") == {"c.py"}
    again = unpack(pack(table, PATHS), PATHS)
    assert dict(again.items()) == {"load": {"a.py", "c.py"}, "save": {"c.py"}}
