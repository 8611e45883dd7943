"""What a file's first bytes say about it: binary, or generated or minified.

The listing asks this of the first SAMPLE_BYTES of a file it has not judged yet; the
index's parsers ask it of the files they read anyway, before parsing them (a cold start
then reads no file twice). Kept apart from `files` so that a parser process imports
only this.
"""

from __future__ import annotations

import re

SAMPLE_BYTES = 8192  # binary and generated checks read this much of each file
MINIFIED_MIN_BYTES = 4096  # the long-line check only applies to files larger than this
MINIFIED_LINE_LENGTH = 300  # average characters per line above which text is minified
MARKER_LINES = 5  # generated-file markers are looked for in this many leading lines

BINARY = "binary"
GENERATED = "generated or minified"

# Markers a generator leaves in a file's first lines (Go, protobuf, Meta's tools, ...).
_MARKERS = re.compile(rb"@generated|DO NOT EDIT|Code generated")


def content_reason(data: bytes, size: int) -> str | None:
    """Why a file of `size` bytes that begins with `data` is left out (BINARY or
    GENERATED), or None. Only the first SAMPLE_BYTES of `data` are looked at."""
    sample = data[:SAMPLE_BYTES]
    if b"\0" in sample:
        return BINARY
    end = -1
    for _ in range(MARKER_LINES):
        end = sample.find(b"\n", end + 1)
        if end < 0:
            break
    if _MARKERS.search(sample, 0, end if end >= 0 else len(sample)):
        return GENERATED
    if size > MINIFIED_MIN_BYTES:
        average = len(sample) / (sample.count(b"\n") + 1)
        if average > MINIFIED_LINE_LENGTH:
            return GENERATED
    return None
