"""One typed settings object and the single precedence that fills it.

Precedence, lowest first: defaults < user config file (TOML in the platform's config dir)
< environment < LSP initializationOptions < workspace/configuration (section `glm`).
Editors differ in which layers they use; the order never changes. Unknown keys and invalid
values are reported as problems and leave the lower layer's value in place.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from glm_lsp import dirs

PROVIDERS = ("hyperstack", "cloudflare", "nvidia", "ourtoken", "evolink", "openai")
REASONING_EFFORTS = ("", "max", "xhigh", "high", "medium", "low", "minimal", "none")

# The environment contract documented in the README.
ENV_FIELDS = {
    "GLM_PROVIDER": "provider",
    "GLM_MODEL": "model",
    "GLM_BASE_URL": "base_url",
    "GLM_REASONING_EFFORT": "reasoning_effort",
    "GLM_ALLOW_PATHS": "allow_paths",
    "CLOUDFLARE_ACCOUNT_ID": "account_id",
}
KEY_ENV = {
    "hyperstack": ("HYPERSTACK_API_KEY",),
    "cloudflare": ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_AUTH_TOKEN"),
    "nvidia": ("NVIDIA_API_KEY",),
    "ourtoken": ("OURTOKEN_API_KEY",),
    "evolink": ("EVOLINK_API_KEY",),
    "openai": (),
}
FALLBACK_KEY_ENV = "GLM_API_KEY"


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything configurable; an empty string means "the provider's documented default"."""

    provider: str = "hyperstack"
    model: str = ""
    base_url: str = ""
    api_key: str = field(default="", repr=False)
    account_id: str = ""
    endpoint: str = "openai"  # Cloudflare only: "native" uses /ai/run/<model>
    auth_header: str = ""  # generic provider: header that carries the key instead of Bearer
    reasoning_effort: str = ""
    temperature: float | None = None
    max_tokens: int = 32768
    stream: bool = True
    connect_timeout: float = 10.0
    first_byte_timeout: float = 180.0
    chunk_timeout: float = 60.0
    request_timeout: float = 900.0  # one provider request in all, retries included
    max_retries: int = 3
    retry_base_delay: float = 1.0
    retry_max_delay: float = 30.0
    max_steps: int = 12
    max_task_tokens: int = 2_000_000  # prompt + completion tokens one edit may spend in all
    max_task_seconds: float = 900.0  # wall clock one edit may take
    context_tokens: int = 32768  # most tokens of repository context one request may send
    context_window: int = 0  # 0: the provider's documented window
    max_file_bytes: int = 1_000_000  # larger files never enter the context
    co_change_commits: int = 300  # git history depth for "changes together" ranking
    git_wait: float = 0.25  # seconds a one-shot command waits for git (a server never waits)
    rules_max_chars: int = 20000  # project rules (AGENTS.md, ...) sent at most, nearest kept
    rules_agents_md: bool = True  # read AGENTS.md from the root down to the file's folder
    rules_claude_md: bool = True  # read CLAUDE.md likewise
    rules_copilot: bool = True  # read .github/copilot-instructions.md
    rules_glm: bool = True  # read .glm/rules/*.md
    # MCP servers as Claude Desktop / VS Code write them: {name: {command, args, env} or
    # {url}}, plus `allow`: tool names that run without asking
    mcp_servers: dict[str, Any] = field(default_factory=dict)
    mcp_timeout: float = 60.0  # seconds an MCP tool call may take (starting: 30 at least)
    allow_paths: str = ""  # comma-separated globs: secret/ignored/binary files allowed as targets
    # inline completion (ghost text): off by default, since each suggestion is a paid request
    completion_enabled: bool = False
    completion_debounce_ms: int = 250  # typing pause before an automatic suggestion is asked
    completion_hourly_cap_usd: float = 1.0  # spend per rolling hour before completion pauses
    completion_max_tokens: int = 128  # output limit of one suggestion

    def describe(self) -> list[tuple[str, str]]:
        """Name/value rows for `doctor`; the key is only ever shown as set or unset."""
        rows = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "api_key":
                rows.append(("api_key", "set" if value else "unset"))
            elif f.name == "mcp_servers":  # their env may hold keys: names only
                rows.append((f.name, ", ".join(value) or "none"))
            else:
                rows.append((f.name, "(provider default)" if value == "" else str(value)))
        return rows


def _snake(key: str) -> str:
    """`maxTokens`, `max-tokens` and `completion.enabled` as field names."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower().replace("-", "_").replace(".", "_")


# Settings editors group in a table (`completion = {enabled = true}`, VS Code's
# `glm.completion.enabled`): their keys are flattened to `completion_enabled`.
GROUPS = ("completion",)


def _flattened(layer: Mapping[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in layer.items():
        if _snake(str(key)) in GROUPS and isinstance(value, Mapping):
            flat.update({f"{key}_{_snake(str(k))}": v for k, v in value.items()})
        else:
            flat[key] = value
    return flat


_FIELDS = {f.name: f for f in fields(Settings)}


def _coerce(name: str, value: Any) -> Any:
    """Convert one raw value to the field's type or raise ValueError."""
    kind = _FIELDS[name].type
    if kind == "dict[str, Any]":
        if not isinstance(value, Mapping) or any(
            not isinstance(v, Mapping) for v in value.values()
        ):
            raise ValueError("expected a table of named servers")
        return {str(k): dict(v) for k, v in value.items()}
    if kind == "str":
        if not isinstance(value, str):
            raise ValueError("expected a string")
        value = value.strip()
        if name == "provider" and value not in PROVIDERS:
            raise ValueError(f"expected one of {', '.join(PROVIDERS)}")
        if name == "reasoning_effort" and value.lower() not in REASONING_EFFORTS:
            raise ValueError(f"expected one of {', '.join(REASONING_EFFORTS[1:])}")
        if name == "endpoint" and value not in ("openai", "native"):
            raise ValueError("expected openai or native")
        return value.lower() if name in ("provider", "reasoning_effort") else value
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in (
            "1",
            "true",
            "yes",
            "on",
            "0",
            "false",
            "no",
            "off",
        ):
            return value.lower() in ("1", "true", "yes", "on")
        raise ValueError("expected true or false")
    if kind == "int":
        if isinstance(value, bool):
            raise ValueError("expected a whole number")
        number = int(value)
        if number < 0:
            raise ValueError("expected a whole number of at least 0")
        return number
    if value is None and kind == "float | None":
        return None
    if isinstance(value, bool):
        raise ValueError("expected a number")
    number_f = float(value)
    if number_f < 0:
        raise ValueError("expected a number of at least 0")
    return number_f


def merge(settings: Settings, layer: Mapping[str, Any], source: str) -> tuple[Settings, list[str]]:
    """Apply one layer of raw keys (snake_case or camelCase) over `settings`. An empty
    value is no setting: editors send their defaults ("") for keys the user never set,
    and those must not hide the environment's or the config file's values."""
    changes: dict[str, Any] = {}
    problems: list[str] = []
    for raw_key, raw_value in _flattened(layer).items():
        name = _snake(str(raw_key))
        if raw_value is None or (isinstance(raw_value, str) and not raw_value.strip()):
            continue
        if name not in _FIELDS:
            problems.append(f"{source}: unknown setting '{raw_key}' was ignored.")
            continue
        try:
            changes[name] = _coerce(name, raw_value)
        except (TypeError, ValueError) as exc:
            shown = "(hidden)" if name in ("api_key", "mcp_servers") else repr(raw_value)
            problems.append(
                f"{source}: setting '{raw_key}' = {shown} is invalid ({exc}); "
                "kept the previous value."
            )
    return replace(settings, **changes), problems


def user_config_path(env: Mapping[str, str]) -> Path:
    """`GLM_CONFIG_FILE` if set, else config.toml in the platform's config dir."""
    if env.get("GLM_CONFIG_FILE"):
        return Path(env["GLM_CONFIG_FILE"])
    return dirs.config_dir(env) / "config.toml"


def _read_config_file(path: Path) -> tuple[dict[str, Any], list[str]]:
    if not path.is_file():
        return {}, []
    import tomllib  # here: most runs have no config file, and the import costs ~4 ms

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, [f"{path}: the config file could not be read ({exc}); it was ignored."]
    table = data.get("glm", data)
    return (table if isinstance(table, dict) else {}), []


def section(raw: Any) -> dict[str, Any]:
    """Accept `{glm: {...}}`, `{...}`, or VS Code's one-item list per folder."""
    if isinstance(raw, list | tuple):
        raw = raw[0] if raw else {}
    if not isinstance(raw, dict):
        return {}
    inner = raw.get("glm", raw)
    return dict(inner) if isinstance(inner, dict) else {}


def env_key(provider: str, env: Mapping[str, str]) -> str:
    """The key from the environment: the provider's own variable, else GLM_API_KEY."""
    for name in (*KEY_ENV.get(provider, ()), FALLBACK_KEY_ENV):
        if env.get(name):
            return env[name].strip()
    return ""


def load_settings(
    *,
    env: Mapping[str, str] | None = None,
    init_options: Any = None,
    workspace: Any = None,
) -> tuple[Settings, list[str]]:
    """Build the effective settings from every layer, in the documented order."""
    env = os.environ if env is None else env
    file_layer, problems = _read_config_file(user_config_path(env))
    env_layer = {name: env[var] for var, name in ENV_FIELDS.items() if env.get(var)}
    layers = [
        (file_layer, "config file"),
        (env_layer, "environment"),
        (section(init_options), "initializationOptions"),
        (section(workspace), "workspace configuration"),
    ]
    settings = Settings()
    key_layer = -1
    for index, (layer, source) in enumerate(layers):
        settings, found = merge(settings, layer, source)
        problems += found
        if any(_snake(str(k)) == "api_key" and v for k, v in layer.items()):
            key_layer = index
    # The environment's key belongs to the provider finally chosen, so resolve it last.
    from_env = env_key(settings.provider, env)
    if from_env and key_layer < 1:
        settings = dataclasses.replace(settings, api_key=from_env)
    return settings, problems
