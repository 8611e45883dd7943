"""The VS Code extension's settings mirror the server's: same names, defaults and choices."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from glm_lsp.config import PROVIDERS, REASONING_EFFORTS, Settings, load_settings

EXTENSION_ONLY = ("glm.serverCommand", "glm.trace.server")  # read by the extension itself
PACKAGE = Path(__file__).resolve().parents[2] / "editors" / "vscode" / "package.json"


def _properties() -> dict[str, Any]:
    manifest = json.loads(PACKAGE.read_text(encoding="utf-8"))
    properties: dict[str, Any] = manifest["contributes"]["configuration"]["properties"]
    return properties


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower().replace(".", "_")


def test_every_server_setting_has_the_servers_default() -> None:
    defaults = Settings()
    server_keys = {k: v for k, v in _properties().items() if k not in EXTENSION_ONLY}
    assert sorted(server_keys) == [
        "glm.baseUrl",
        "glm.completion.debounceMs",
        "glm.completion.enabled",
        "glm.completion.hourlyCapUsd",
        "glm.completion.maxTokens",
        "glm.model",
        "glm.provider",
        "glm.reasoningEffort",
    ]
    for key, schema in server_keys.items():
        field = _snake(key.removeprefix("glm."))
        assert schema["default"] == getattr(defaults, field), key


def test_choices_match_the_servers() -> None:
    properties = _properties()
    assert tuple(properties["glm.provider"]["enum"]) == PROVIDERS
    assert tuple(properties["glm.reasoningEffort"]["enum"]) == REASONING_EFFORTS
    assert properties["glm.serverCommand"]["default"] == ["glm-lsp", "serve"]


def test_the_server_accepts_the_extensions_names_and_defaults(tmp_path: Path) -> None:
    """What the extension sends under section "glm" is understood without complaint."""
    section = {
        key.removeprefix("glm."): schema["default"]
        for key, schema in _properties().items()
        if key not in EXTENSION_ONLY
    }
    section["apiKey"] = "k"
    settings, problems = load_settings(env={"XDG_CONFIG_HOME": str(tmp_path)}, workspace=[section])
    assert problems == []
    assert settings == Settings(api_key="k")
