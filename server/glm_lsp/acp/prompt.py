"""A `session/prompt` as the assistant wants it: the text, the file it is about, and the
unsaved text of the files it names (embedded, or read through the client)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from acp.schema import (
    AudioContentBlock,
    EmbeddedResourceContentBlock,
    ImageContentBlock,
    ResourceContentBlock,
    TextContentBlock,
    TextResourceContents,
)

Block = (
    TextContentBlock
    | ImageContentBlock
    | AudioContentBlock
    | ResourceContentBlock
    | EmbeddedResourceContentBlock
)


@dataclass
class Prompt:
    text: str
    files: list[Path] = field(default_factory=list)  # absolute, in the order named
    texts: dict[str, str] = field(default_factory=dict)  # absolute path -> embedded text


def file_path(uri: str) -> Path | None:
    """The local path of a file URI (or of a bare absolute path), else None."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if not parsed.scheme and uri.startswith("/"):
        return Path(uri)
    return None


def decode(blocks: list[Block]) -> Prompt:
    """Text blocks become the message; resource links and embedded resources name files
    (and, embedded, carry their text). Images and audio are not understood: skipped."""
    prompt = Prompt("")
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, TextContentBlock):
            parts.append(block.text)
        elif isinstance(block, ResourceContentBlock):
            _add_file(prompt, block.uri)
        elif isinstance(block, EmbeddedResourceContentBlock):
            resource = block.resource
            path = _add_file(prompt, resource.uri)
            if path is not None and isinstance(resource, TextResourceContents):
                prompt.texts[str(path)] = resource.text
    prompt.text = "\n\n".join(part for part in parts if part.strip())
    return prompt


def _add_file(prompt: Prompt, uri: str) -> Path | None:
    path = file_path(uri)
    if path is not None and path not in prompt.files:
        prompt.files.append(path)
    return path
