"""Where glm-lsp keeps its own files: the user's cache, config and data folders.

An `XDG_*_HOME` variable, when set, wins on every platform (the tests and the README rely
on it). Otherwise Linux uses the XDG defaults, read here directly, and other platforms ask
platformdirs: importing it costs ~6 ms (tempfile, shutil, random), a noticeable share of a
one-shot `glm-lsp context`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

APP = "glm-lsp"


def cache_dir() -> Path:
    return _folder("XDG_CACHE_HOME", ".cache", "user_cache_dir")


def config_dir(env: Mapping[str, str] = os.environ) -> Path:
    return _folder("XDG_CONFIG_HOME", ".config", "user_config_dir", env)


def data_dir() -> Path:
    return _folder("XDG_DATA_HOME", ".local/share", "user_data_dir")


def _folder(
    variable: str, linux_default: str, platformdirs_name: str, env: Mapping[str, str] = os.environ
) -> Path:
    base = env.get(variable, "").strip()
    if base:
        return Path(base) / APP
    if sys.platform.startswith("linux"):
        return Path.home() / linux_default / APP
    import platformdirs

    return Path(getattr(platformdirs, platformdirs_name)(APP))
