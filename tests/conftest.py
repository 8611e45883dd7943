"""Shared fixtures: hermetic environment and fake providers on 127.0.0.1."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))  # provider_server is importable from every test directory
if str(TESTS.parent / "server") not in sys.path:
    sys.path.insert(0, str(TESTS.parent / "server"))  # works without `pip install -e .`

from glm_lsp.config import FALLBACK_KEY_ENV, KEY_ENV  # noqa: E402
from provider_server import ProviderServer  # noqa: E402

# Variables a developer's shell may set that would leak into tests.
_SECRET_VARS = {FALLBACK_KEY_ENV, "CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_AUTH_TOKEN"}
_SECRET_VARS |= {name for names in KEY_ENV.values() for name in names}


@pytest.fixture(autouse=True)
def hermetic_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads the developer's config, cache, keys or proxies."""
    home = tmp_path_factory.mktemp("xdg")
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        path = home / name.lower()
        path.mkdir()
        monkeypatch.setenv(name, str(path))
    for name in list(os.environ):
        if name.startswith("GLM_") or name in _SECRET_VARS:
            monkeypatch.delenv(name)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def provider_server() -> Iterator[Callable[..., ProviderServer]]:
    """Start fake providers: `server = provider_server("nvidia", key=...)`; stopped after."""
    started: list[ProviderServer] = []

    def start(dialect: str = "hyperstack", **options: Any) -> ProviderServer:
        server = ProviderServer(dialect, **options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
