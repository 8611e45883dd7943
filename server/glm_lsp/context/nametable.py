"""Name → files tables of the reference graph, loaded from the graph cache a name at a time.

The graph keeps three: which files define a name, refer to it, define it as code. On mypy
they hold ~100,000 sets; decoding them whole from the cache took ~20 ms of every one-shot
`glm-lsp context`, of a server's first request and of its first edit, which look up a few
hundred names. The cache therefore keeps each table packed (the sorted names and, per name,
a run of file numbers) and a name's set is made when it is first looked up. Changes go to
a plain dict over the packed form, which wins for the names it holds (an empty set stands
for a name that is gone).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, overload


@dataclass(frozen=True)
class Packed:
    """A table as the cache keeps it: `names` sorted, and the files of `names[i]` are
    `paths[k]` for k in `members[starts[i]:starts[i + 1]]`."""

    names: list[str]
    starts: array  # type: ignore[type-arg]
    members: array  # type: ignore[type-arg]
    paths: Sequence[str]

    def lookup(self, name: str) -> set[str] | None:
        i = bisect_left(self.names, name)
        if i == len(self.names) or self.names[i] != name:
            return None
        paths = self.paths
        return {paths[k] for k in self.members[self.starts[i] : self.starts[i + 1]]}


class NameTable:
    """The part of a `dict[str, set[str]]` the graph uses, over an optional packed form."""

    def __init__(self, packed: Packed | None = None) -> None:
        self._sets: dict[str, set[str]] = {}
        self._packed = packed

    @overload
    def get(self, name: str) -> set[str] | None: ...
    @overload
    def get(self, name: str, default: set[str]) -> set[str]: ...

    def get(self, name: str, default: set[str] | None = None) -> set[str] | None:
        found = self._sets.get(name)
        if found is None and self._packed is not None:
            found = self._packed.lookup(name)
            if found is not None:
                self._sets[name] = found  # callers change the set they got
        return default if found is None else found

    def setdefault(self, name: str, default: set[str]) -> set[str]:
        found = self.get(name)
        if found is None:
            found = self._sets[name] = default
        return found

    def __delitem__(self, name: str) -> None:
        if self._packed is None:
            del self._sets[name]
        else:
            self._sets[name] = set()

    def items(self) -> Iterator[tuple[str, set[str]]]:
        """Every name with files (for saving)."""
        if self._packed is not None:
            for name in self._packed.names:
                if name not in self._sets:
                    yield name, self._packed.lookup(name) or set()
        yield from ((name, files) for name, files in self._sets.items() if files)


class Table(Protocol):
    """A name table: a plain dict (a graph built in this process) or a `NameTable` (one
    restored from the cache); bulk work on a dict skips the method calls."""

    @overload
    def get(self, name: str, /) -> set[str] | None: ...
    @overload
    def get(self, name: str, default: set[str], /) -> set[str]: ...
    def setdefault(self, name: str, default: set[str], /) -> set[str]: ...
    def __delitem__(self, name: str, /) -> None: ...
    def items(self) -> Iterable[tuple[str, set[str]]]: ...


def pack(table: Table, paths: Sequence[str]) -> tuple[list[str], bytes, bytes]:
    """A table as plain data for the cache; `paths` numbers its files."""
    number = {rel: i for i, rel in enumerate(paths)}.__getitem__
    sets = dict(table.items())
    names = sorted(sets)
    starts, members = array("I", [0]), array("I")
    for name in names:
        members.extend(map(number, sets[name]))
        starts.append(len(members))
    return names, starts.tobytes(), members.tobytes()


def unpack(data: tuple[list[str], bytes, bytes], paths: Sequence[str]) -> NameTable:
    names, starts, members = data
    return NameTable(Packed(names, array("I", starts), array("I", members), paths))
