"""Settings: one precedence, tolerant of editors' shapes, strict about values."""

from __future__ import annotations

from pathlib import Path

import pytest

from glm_lsp.config import Settings, load_settings, user_config_path


def write_config(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return {"GLM_CONFIG_FILE": str(path)}


def test_defaults() -> None:
    settings, problems = load_settings(env={})
    assert settings == Settings()
    assert (settings.provider, settings.api_key, problems) == ("hyperstack", "", [])


def test_each_layer_overrides_the_one_before(tmp_path: Path) -> None:
    env = write_config(
        tmp_path,
        '[glm]\nprovider = "nvidia"\nmodel = "from-file"\nmax_tokens = 100\n'
        "temperature = 0.5\nmax_steps = 3\n",
    )
    env |= {"GLM_MODEL": "from-env", "GLM_REASONING_EFFORT": "low"}
    init = {"maxTokens": 200, "reasoningEffort": "high", "temperature": 0.7}
    workspace = [{"temperature": 0.2}]  # VS Code answers a list, one item per folder
    settings, problems = load_settings(env=env, init_options=init, workspace=workspace)
    assert problems == []
    assert settings.provider == "nvidia"  # file only
    assert settings.max_steps == 3  # file only
    assert settings.model == "from-env"  # env over file
    assert settings.max_tokens == 200  # init options over file
    assert settings.reasoning_effort == "high"  # init options over env
    assert settings.temperature == 0.2  # workspace configuration over everything


def test_empty_values_from_an_editor_leave_lower_layers_alone() -> None:
    env = {"GLM_PROVIDER": "nvidia", "GLM_BASE_URL": "http://127.0.0.1:9/v1"}
    workspace = {"glm": {"provider": "", "baseUrl": "", "model": None, "maxSteps": 4}}
    settings, problems = load_settings(env=env, workspace=workspace)
    assert (settings.provider, settings.base_url) == ("nvidia", "http://127.0.0.1:9/v1")
    assert (settings.model, settings.max_steps, problems) == ("", 4, [])


def test_keys_come_from_the_chosen_providers_variable_else_the_fallback() -> None:
    env = {"GLM_PROVIDER": "evolink", "EVOLINK_API_KEY": "ev-key", "NVIDIA_API_KEY": "nv-key"}
    assert load_settings(env=env)[0].api_key == "ev-key"
    env = {"GLM_PROVIDER": "ourtoken", "GLM_API_KEY": "fallback"}
    assert load_settings(env=env)[0].api_key == "fallback"
    # The provider chosen by the editor decides which variable's key is used.
    env = {"GLM_PROVIDER": "evolink", "EVOLINK_API_KEY": "ev-key", "NVIDIA_API_KEY": "nv-key"}
    assert load_settings(env=env, init_options={"provider": "nvidia"})[0].api_key == "nv-key"
    # A key the editor hands over (from its secret storage) wins over the environment.
    assert load_settings(env=env, init_options={"apiKey": "editor"})[0].api_key == "editor"
    cloudflare = {
        "GLM_PROVIDER": "cloudflare",
        "CLOUDFLARE_AUTH_TOKEN": "cf",
        "CLOUDFLARE_ACCOUNT_ID": "a1",
    }
    settings = load_settings(env=cloudflare)[0]
    assert (settings.api_key, settings.account_id) == ("cf", "a1")


def test_unknown_keys_and_bad_values_are_reported_and_ignored(tmp_path: Path) -> None:
    env = write_config(tmp_path, "max_tokens = 100\n")
    init = {"glm": {"maxTokens": "lots", "colour": "blue", "provider": "acme", "apiKey": 5}}
    settings, problems = load_settings(env=env, init_options=init)
    assert settings.max_tokens == 100 and settings.provider == "hyperstack"
    assert problems == [
        "initializationOptions: setting 'maxTokens' = 'lots' is invalid (invalid literal for "
        "int() with base 10: 'lots'); kept the previous value.",
        "initializationOptions: unknown setting 'colour' was ignored.",
        "initializationOptions: setting 'provider' = 'acme' is invalid (expected one of "
        "hyperstack, cloudflare, nvidia, ourtoken, evolink, openai); kept the previous value.",
        "initializationOptions: setting 'apiKey' = (hidden) is invalid (expected a string); "
        "kept the previous value.",
    ]


def test_a_broken_config_file_is_one_problem(tmp_path: Path) -> None:
    env = write_config(tmp_path, "provider = \n")
    settings, problems = load_settings(env=env)
    assert settings == Settings()
    assert len(problems) == 1 and "the config file could not be read" in problems[0]


def test_config_file_location(tmp_path: Path) -> None:
    assert user_config_path({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "glm-lsp/config.toml"
    assert user_config_path({"GLM_CONFIG_FILE": "/x/y.toml"}) == Path("/x/y.toml")


def test_describe_never_shows_the_key() -> None:
    rows = dict(Settings(api_key="secret-value-123").describe())
    assert rows["api_key"] == "set"
    assert "secret-value-123" not in repr(Settings(api_key="secret-value-123"))


@pytest.mark.parametrize("value", ["true", "1", True])
def test_booleans_from_strings(value: object) -> None:
    assert load_settings(env={}, init_options={"stream": value})[0].stream is True


def test_completion_settings_are_off_by_default_and_read_in_every_shape() -> None:
    assert load_settings(env={})[0].completion_enabled is False
    nested = {"completion": {"enabled": True, "debounceMs": 100, "hourly_cap_usd": 0.5}}
    dotted = [{"completion.enabled": True, "completion.maxTokens": 64}]  # VS Code's keys
    settings, problems = load_settings(env={}, init_options=nested, workspace=dotted)
    assert problems == []
    assert (settings.completion_enabled, settings.completion_debounce_ms) == (True, 100)
    assert (settings.completion_hourly_cap_usd, settings.completion_max_tokens) == (0.5, 64)
    _, problems = load_settings(env={}, init_options={"completion": {"enabeld": True}})
    assert problems == ["initializationOptions: unknown setting 'completion_enabeld' was ignored."]
