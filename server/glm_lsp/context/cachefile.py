"""Cache files kept between processes: written so that a reader never sees half of one,
and the stamps that tell whether what a cache was made from has changed."""

from __future__ import annotations

import logging
import marshal
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

Stamp = tuple[int, int] | None  # (mtime_ns, size), None when missing


def stamp(path: str) -> Stamp:
    """When a file last changed and its size; None when it is missing."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


def write_cache(path: Path, data: Any, what: str) -> None:
    """Marshal `data` to `path` through a temp file renamed over it. A cache that cannot be
    written is only slower next time, so the failure is logged, not raised."""
    try:
        packed = marshal.dumps(data)
    except ValueError as error:  # (a value marshal cannot take)
        log.debug("%s %s not written: %s", what, path, error)
        return
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(packed)
        os.replace(partial, path)
    except OSError as error:
        log.debug("%s %s not written: %s", what, path, error)
        partial.unlink(missing_ok=True)
