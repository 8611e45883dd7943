"""Which files may be the target of an edit, a chat or a context request.

The context engine already keeps secret, ignored and binary files out of the context and
away from the model's tools; but the file the user points at is sent whole, so it is
checked here first, the same way for every face (CLI, language server, ACP). The user can
allow a refused file with the `allow_paths` setting, a comma-separated list of globs.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from glm_lsp.context.content import GENERATED
from glm_lsp.context.files import FilePolicy, FileStates, exclusion_reason
from glm_lsp.errors import GlmError


def allowed(rel: str, allow_paths: str) -> bool:
    """Whether `rel` matches one of the comma-separated globs of `allow_paths` (a glob
    without a slash also matches the file's name in any folder)."""
    name = PurePosixPath(rel).name
    for glob in (g.strip() for g in allow_paths.split(",")):
        if glob and (fnmatchcase(rel, glob) or ("/" not in glob and fnmatchcase(name, glob))):
            return True
    return False


def refusal(
    root: Path, rel: str, policy: FilePolicy, allow_paths: str, state: FileStates | None = None
) -> str | None:
    """The sentence refusing `rel` as a target, or None when it may be sent. `state` is the
    engine's memory of the workspace (its listing answers for git, where a fresh one asked
    git twice per request)."""
    reason = exclusion_reason(root, rel, policy, state)
    if reason is None or reason == GENERATED or reason.startswith("larger than"):
        return None
    if allowed(rel, allow_paths):
        return None
    return (
        f"{rel} is {_described(reason)}, so nothing of it is sent to the provider; to allow "
        "it, add it to the allow_paths setting (GLM_ALLOW_PATHS)."
    )


def check_target(
    root: Path, rel: str, policy: FilePolicy, allow_paths: str, state: FileStates | None = None
) -> None:
    """Raise the refusal for `rel`, if it has one."""
    sentence = refusal(root, rel, policy, allow_paths, state)
    if sentence is not None:
        raise GlmError(sentence)


def _described(reason: str) -> str:
    return "a binary file" if reason == "binary" else reason
