"""Writing a cache file so that a reader never sees half of it."""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


def write_cache(path: Path, data: bytes, what: str) -> None:
    """Write `data` to `path` through a temp file renamed over it. A cache that cannot be
    written is only slower next time, so the failure is logged, not raised."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as error:
        log.debug("%s %s not written: %s", what, path, error)
        partial.unlink(missing_ok=True)
