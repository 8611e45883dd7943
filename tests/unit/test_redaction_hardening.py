"""Redaction of the common credential formats, and of fragments of the API key."""

from __future__ import annotations

import pytest

from glm_lsp.context.secrets import redact_secrets
from glm_lsp.logs import scrub
from glm_lsp.providers.failures import redact

REDACTED = [
    (
        "//registry.npmjs.org/:_authToken=5f2c9a7e-1111-2222-3333-444455556666\n",
        "//registry.npmjs.org/:_authToken=[REDACTED]\n",
    ),
    (
        "//npm.pkg.github.com/:_password=cGFzc3dvcmQxMjM0\n",
        "//npm.pkg.github.com/:_password=[REDACTED]\n",
    ),
    ("PGPASSWORD=postgres psql -h db\n", "PGPASSWORD=[REDACTED] psql -h db\n"),
    ("export PGPASSWORD=hunter2hunter2\n", "export PGPASSWORD=[REDACTED]\n"),
    ('GH_TOKEN="abc"\n', 'GH_TOKEN="[REDACTED]"\n'),
    ("APP_SECRET=opensesame\n", "APP_SECRET=[REDACTED]\n"),
    (
        "index-url = https://__token__:pypi-abc123def456@pypi.example/simple\n",
        "index-url = https://__token__:[REDACTED]@pypi.example/simple\n",
    ),
    (
        "AZURE_STORAGE_KEY=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZ==\n",
        "AZURE_STORAGE_KEY=[REDACTED]\n",
    ),
    ("AKIAIOSFODNN7ABCDEFG\n", "[REDACTED]\n"),
    (
        "jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3'\n",
        "jwt = '[REDACTED]'\n",
    ),
]
KEPT = [
    "MAX_TOKENS=100\n",
    'GH_TOKEN="$GITHUB_TOKEN"\n',
    "TOKEN_TYPE=bearer\n",
    "DB_PASSWORD_FILE=/run/secrets/db\n",
    "PASSWORD=password\n",
    "SECRET_ENABLED=true\n",
]


@pytest.mark.parametrize(("text", "expected"), REDACTED)
def test_common_credential_formats_are_redacted(text: str, expected: str) -> None:
    assert redact_secrets(text)[0] == expected


@pytest.mark.parametrize("text", KEPT)
def test_names_and_references_are_kept(text: str) -> None:
    assert redact_secrets(text) == (text, 0)


KEY = "test-key-5f2c9a7e-abcdef0123456789"


def test_an_echoed_fragment_of_the_key_is_redacted() -> None:
    echoed = "Invalid key 'test-key-5f2c9a7e-abc...' (ends in 0123456789)."
    assert redact(echoed, KEY) == "Invalid key '***...' (ends in ***)."


def test_short_overlaps_with_the_key_are_kept() -> None:
    assert redact("test-ke and 0123456 stay", KEY) == "test-ke and 0123456 stay"
    assert scrub("no key here", "", "***") == "no key here"
