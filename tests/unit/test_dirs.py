"""Where glm-lsp keeps its files: XDG variables win, Linux defaults match platformdirs."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import platformdirs
import pytest

from glm_lsp import dirs


@pytest.mark.parametrize(
    ("variable", "function"),
    [
        ("XDG_CACHE_HOME", dirs.cache_dir),
        ("XDG_CONFIG_HOME", dirs.config_dir),
        ("XDG_DATA_HOME", dirs.data_dir),
    ],
)
def test_a_set_xdg_variable_wins(
    variable: str, function: Callable[[], Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(variable, str(tmp_path))
    assert function() == tmp_path / "glm-lsp"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG defaults are Linux's")
def test_without_variables_the_folders_are_what_platformdirs_says(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    for variable in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(variable, "  ")  # blank counts as unset, as in platformdirs
    assert dirs.cache_dir() == Path(platformdirs.user_cache_dir("glm-lsp"))
    assert dirs.config_dir() == Path(platformdirs.user_config_dir("glm-lsp"))
    assert dirs.data_dir() == Path(platformdirs.user_data_dir("glm-lsp"))
    assert dirs.cache_dir() == tmp_path / ".cache" / "glm-lsp"
