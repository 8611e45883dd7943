"""Secrets stay on the machine: secret files by name, secret values by content.

Every key below is built at test time from obviously fake parts (FAKE, "not a real key"),
so no literal in this file looks like a live credential to a scanner.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest

from glm_lsp.context.secrets import REDACTED, REDACTED_KEY, is_secret_path, redact_secrets

SERVER = Path(__file__).resolve().parents[2] / "server" / "glm_lsp"

# A random-looking but fake value: what a real password or token would look like.
VALUE = "q8Zr" + "T2vX" + "m9Lp" + "4kWn"


def b64url(data: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def pem(kind: str, lines: int = 6) -> str:
    """A PEM block of the given kind whose body is base64 of a fake phrase."""
    body = base64.b64encode(b"not a real key, only a test " * 8).decode()
    rows = [body[i : i + 64] for i in range(0, 64 * lines, 64)]
    return "\n".join([f"-----BEGIN {kind}-----", *rows, f"-----END {kind}-----"])


# --- secret files by name -------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel",
    [
        ".env",
        "config/.env.production",
        ".env.local",
        "deploy/prod.env",
        "certs/server.pem",
        "tls/server.key",
        "client.p12",
        "store.pfx",
        "release.jks",
        "android/app/upload.keystore",
        "id_rsa",
        "home/.ssh/id_ed25519",
        "keys/id_ecdsa_deploy",
        "id_dsa",
        ".npmrc",
        ".pypirc",
        ".netrc",
        "credentials",
        "credentials.json",
        "vault.kdbx",
        ".aws/credentials",
        "config/secrets.yml",
        "secrets.yaml",
        "secrets.json",
        "service-account.json",
        "gcp/service-account-prod.json",
        "my-project-service_account-key.json",
        "client_secret_1234.apps.googleusercontent.com.json",
        ".htpasswd",
        "infra/terraform.tfstate",
        "infra/terraform.tfstate.backup",
        "prod.tfvars",
        ".git-credentials",
        ".docker/config.json",
        ".kube/config",
        ".ssh/config",
        "SERVER.PEM",
    ],
)
def test_secret_files_by_name(rel: str) -> None:
    assert is_secret_path(rel)


@pytest.mark.parametrize(
    "rel",
    [
        ".env.example",
        ".env.sample",
        ".env.template",
        "config/.env.dist",
        "id_rsa.pub",
        ".ssh/id_ed25519.pub",
        "environment.py",
        "src/env.ts",
        "keyboard.py",
        "docs/secrets.md",
        "src/credentials_form.tsx",
        "tokens.py",
        "passwords/README.md",
        "config.json",
        ".aws/config",
        "terraform.tfvars.example",
        "monkey.keynote.txt",
        "",
    ],
)
def test_ordinary_files_are_not_secret(rel: str) -> None:
    assert not is_secret_path(rel)


# --- private keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    ["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"]
    + ["ENCRYPTED PRIVATE KEY", "PGP PRIVATE KEY BLOCK"],
)
def test_private_key_block_replaced_whole_keeping_lines(kind: str) -> None:
    text = "before = 1\n" + pem(kind) + "\nafter = 2\n"
    redacted, count = redact_secrets(text)
    assert count == 1
    assert redacted.count("\n") == text.count("\n")
    lines = redacted.splitlines()
    assert lines[0] == "before = 1"
    assert lines[1] == REDACTED_KEY
    assert lines[2:-1] == [""] * (len(lines) - 3)  # the body's lines are kept, emptied
    assert lines[-1] == "after = 2"


def test_private_key_in_json_with_escaped_newlines() -> None:
    key = pem("PRIVATE KEY").replace("\n", "\\n")
    text = json.dumps({"type": "service_account", "private_key_id": "0"})[:-1]
    text += f', "private_key": "{key}\\n"}}'
    redacted, count = redact_secrets(text)
    assert count == 1
    assert f'"private_key": "{REDACTED_KEY}\\n"' in redacted
    assert "\n" not in redacted


def test_truncated_private_key_block_redacted() -> None:
    text = pem("RSA PRIVATE KEY").rsplit("\n", 2)[0] + "\n"  # no END line, file cut short
    redacted, count = redact_secrets(text)
    assert count == 1
    assert redacted.startswith(REDACTED_KEY)
    assert redacted.count("\n") == text.count("\n")


def test_code_and_prose_naming_the_markers_are_kept() -> None:
    text = (
        'BEGIN = "-----BEGIN RSA PRIVATE KEY-----"\n'
        'END = "-----END RSA PRIVATE KEY-----"\n'
        "Everything between the '-----BEGIN RSA PRIVATE KEY-----' and\n"
        "'-----END RSA PRIVATE KEY-----' markers is parsed.\n"
    )
    assert redact_secrets(text) == (text, 0)


# --- tokens with a provider prefix ----------------------------------------------------------

FAKE_JWT = ".".join(
    [b64url({"alg": "HS256", "typ": "JWT"}), b64url({"sub": "fake-user"}), "fake" + "Sig0" * 6]
)

TOKENS = {
    "aws access key id": "AKIA" + "FAKE" * 4,
    "aws temporary key id": "ASIA" + "FAKE" * 4,
    "github classic": "ghp_" + "Fake0" * 8,
    "github oauth": "gho_" + "Fake0" * 8,
    "github app": "ghs_" + "Fake0" * 8,
    "github fine-grained": "github_pat_" + "Fake0_" * 10,
    "gitlab": "glpat-" + "fake-0" * 4,
    "slack bot": "xoxb-" + "0000-1111-" + "fakefake",
    "slack user": "xoxp-" + "0000-1111-" + "fakefake",
    "stripe live": "sk_" + "live_" + "Fake0" * 5,
    "stripe restricted": "rk_" + "live_" + "Fake0" * 5,
    "google api": "AIza" + "Fake0" * 7,
    "openai": "sk-" + "Fake0Key" * 5,
    "openai project": "sk-" + "proj-" + "Fake0Key_" * 5,
    "anthropic-style": "sk-" + "ant-api03-" + "Fake0Key" * 5,
    "nvidia": "nvapi-" + "fake0" * 8,
    "hugging face": "hf_" + "Fake0" * 7,
    "npm": "npm_" + "Fake0" * 7 + "F",
    "pypi": "pypi-" + "AgE" + "Fake0" * 12,
    "sendgrid": "SG." + ("Fake0" * 5)[:22] + "." + ("Fake0" * 9)[:43],
    "jwt": FAKE_JWT,
}


@pytest.mark.parametrize("token", TOKENS.values(), ids=list(TOKENS))
def test_provider_tokens_redacted_anywhere(token: str) -> None:
    for template in ('value = "{}"', "found {} in the logs", "--header={}"):
        text = template.format(token)
        assert redact_secrets(text) == (template.format(REDACTED), 1), text


@pytest.mark.parametrize(
    "text",
    [
        "task-" + "Fake0Key" * 5,  # "sk-" inside a longer word
        "XAKIA" + "FAKE" * 4,
        "sk-" + "only-words-no-digits-here-at-all",
        "rask_" + "live_" + "Fake0" * 5,
        "ghp_tooShort0",
        "the eyJ prefix alone",
    ],
)
def test_prefixes_inside_words_or_too_short_are_kept(text: str) -> None:
    assert redact_secrets(text) == (text, 0)


def test_slack_webhook_path_redacted() -> None:
    text = 'url = "https://hooks.slack.com/services/' + "T0000/B0000/" + "Fake0" * 5 + '"'
    assert redact_secrets(text) == ('url = "https://hooks.slack.com/services/[REDACTED]"', 1)


# --- URLs and headers ------------------------------------------------------------------------


def test_password_in_url_redacted() -> None:
    text = 'DATABASE_URL = "postgres://app:' + "hunter" + '42@db.internal:5432/app"'
    assert redact_secrets(text) == (
        'DATABASE_URL = "postgres://app:[REDACTED]@db.internal:5432/app"',
        1,
    )


@pytest.mark.parametrize(
    "text",
    [
        "git clone https://github.com/org/repo.git",
        "ssh://git@github.com/org/repo.git",
        'proxy = "http://joe:password@proxy.local:3128"',  # documentation stand-in
        'url = "redis://:${REDIS_PASSWORD}@cache:6379"',
        "see http://localhost:8080/@admin",
    ],
)
def test_urls_without_a_real_password_kept(text: str) -> None:
    assert redact_secrets(text) == (text, 0)


def test_bearer_token_redacted() -> None:
    token = "Fake0" + "AbCdEf" + "9876" + "XyZ"
    text = f'headers = {{"Authorization": "Bearer {token}"}}'
    assert redact_secrets(text) == ('headers = {"Authorization": "Bearer [REDACTED]"}', 1)
    assert redact_secrets('f"Bearer {self.token}"') == ('f"Bearer {self.token}"', 0)


# --- assignments to secret-sounding names ----------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        'password = "{}"',
        "connect(host='db', password='{}')",
        'api_key: str = "{}"',
        "  db_password: {}",
        "secret: '{}'",
        "password = {}",
        "export API_TOKEN={}",
        'DB_PASSWORD="{}"',
        '  "client_secret": "{}",',
        'Token: "{}",',
        'token := "{}"',
        "const apiKey = '{}';",
        "'password' => '{}',",
        "X-Api-Key: {}",
        'secret_key = "{}"',
        'self.access_token = "{}"',
        "aws_secret_access_key = {}",
        "AUTH_TOKEN={}",
        "passphrase={}",
        "<add key='StorageAccountKey' value='x' /> account_key={}",
        'token = "{}"  # rotate monthly',
    ],
)
def test_secret_assignment_value_redacted(template: str) -> None:
    assert redact_secrets(template.format(VALUE)) == (template.format(REDACTED), 1)


def test_uuid_or_hex_assigned_to_a_secret_name_redacted() -> None:
    # A documented choice: identifiers alone are kept, but under a secret name they are the
    # credential (Heroku-style API keys are UUIDs, many tokens are hex).
    uuid = "123e4567-e89b-12d3-a456-426614174000"
    assert redact_secrets(f'api_key = "{uuid}"') == (f'api_key = "{REDACTED}"', 1)
    hex_token = "3f4ca100e2fc675e" * 2
    assert redact_secrets(f"SECRET={hex_token}") == (f"SECRET={REDACTED}", 1)


@pytest.mark.parametrize(
    "text",
    [
        'password = os.environ["DB_PASSWORD"]',
        'password = os.getenv("DB_PASSWORD")',
        "token = None",
        "api_key = get_key()",
        "api_key = settings.API_KEY",
        "client = Client(api_key=api_key, token=self.token)",
        "self.token = token",
        'token = ""',
        "password: str | None = None",
        'api_key = "<your-api-key>"',
        'API_KEY = "your-api-key-here"',
        "password=changeme",
        'secret = "xxxxxxxxxxxx"',
        'password: "********"',
        "SECRET_KEY: ${SECRET_KEY}",
        'password: "{{ vault_db_password }}"',
        'token = "%(token)s"',
        'api_key = "[REDACTED]"',
        "password: Password",
        "confirm_password: Confirm your password",
        'PASSWORD = "password"',
        "max_tokens = 4096",
        'token_type = "bearer"',
        'eos_token = "</s>"',
        'pad_token = "<|endoftext|>"',
        '"NextToken": "eyJOZXh0VG9rZW4iOiBudWxsfQ=="',
        'password_hash = "pbkdf2_sha256$260000$Fake0salt$Fake0hashFake0hash"',
        'cache_key = "user:123:profile"',
        'monkey = "q8ZrT2vXm9Lp4kWn"',
        "PASSWORD_MIN_LENGTH = 12",
        'public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake0 me@host"',
        "private_key: Ed25519PrivateKey,",
        "token: OAuth2Token",
        'private_key_path = "/etc/ssl/private/server.pem"',
        'encryption_key = "arn:aws:kms:us-east-1:123456789012:key/abcd"',
        "token_url = 'https://auth.example.org/oauth/token'",
        'output_token = "InvalidationList.NextMarker"',
        "passwords = load_passwords()",
        "bypass = 'Fake0Fake0Fake0'",
    ],
)
def test_obvious_non_secrets_kept(text: str) -> None:
    assert redact_secrets(text) == (text, 0)


# --- things that look random but are not secrets --------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "commit 3f786850e387550fdab836ed7e6dc881de23001b\nAuthor: A <a@example.org>",
        'resolved "https://registry.yarnpkg.com/x/-/x-1.0.0.tgz#3f786850e387550fdab8"',
        '"integrity": "sha512-' + "Fake0Base64" * 8 + '=="',
        'content-hash = "' + "ab12" * 16 + '"',
        'id = "123e4567-e89b-12d3-a456-426614174000"',
        "sha256:" + "0123456789abcdef" * 4,
        'version = "1.2.3+build.20240101"',
        "data = b'\\x00\\x01\\x02' + base64.b64decode('AAECAwQFBgcICQoLDA0ODw==')",
    ],
)
def test_hashes_ids_and_blobs_kept(text: str) -> None:
    assert redact_secrets(text) == (text, 0)


# --- shape, idempotence, speed ---------------------------------------------------------------


def test_document_keeps_every_line_and_redacts_each_secret_once() -> None:
    text = "\n".join(
        [
            "import os",
            f'OPENAI = "{TOKENS["openai"]}"',
            pem("EC PRIVATE KEY", lines=3),
            f"password = '{VALUE}'",
            "def f(token=None):",
            "    return token",
            f"aws = '{TOKENS['aws access key id']}'",
            "",
        ]
    )
    expected = "\n".join(
        [
            "import os",
            f'OPENAI = "{REDACTED}"',
            REDACTED_KEY + "\n" * 4,  # BEGIN, three rows, END: five lines stay five
            f"password = '{REDACTED}'",
            "def f(token=None):",
            "    return token",
            f"aws = '{REDACTED}'",
            "",
        ]
    )
    assert redact_secrets(text) == (expected, 4)
    assert redact_secrets(expected) == (expected, 0)  # idempotent


def test_the_projects_own_source_has_nothing_to_redact() -> None:
    for path in sorted(SERVER.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert redact_secrets(text) == (text, 0), path


def test_redaction_is_fast_on_ordinary_code() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SERVER.rglob("*.py")))
    text = (source * (2_000_000 // max(len(source), 1) + 1))[:2_000_000]
    start = time.perf_counter()
    redact_secrets(text)
    assert time.perf_counter() - start < 2.0  # about 0.1 s on a laptop; generous for CI


def test_npm_registry_auth_redacted_after_a_long_run_of_slashes() -> None:
    # Each of the run's slashes started a registry path that scanned to the run's end:
    # quadratic, minutes for a minified line. Now each path segment is read once.
    token = "npm-auth-" + "Fake0" * 5
    text = "/" * 100_000 + "\n//registry.npmjs.org/:_authToken=" + token + "\n"
    assert redact_secrets(text) == (text.replace(token, REDACTED), 1)
