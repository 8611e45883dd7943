"""Keep secrets on the machine: secret files by name, and secrets inside text by content.

Repository text travels to remote providers, so every file's text passes through
`redact_secrets` first, and files that exist to hold secrets (`is_secret_path`) are never
read at all. Redaction keeps the text's shape: only the secret value becomes `[REDACTED]`
(quotes, key names and the rest of the line stay), and a private key block keeps its line
count, so line numbers the model sees still match the file.

What counts as a secret by content:
- private key blocks (PEM, OpenSSH, PGP), replaced whole;
- tokens with a recognisable provider prefix (AWS key ids, GitHub, GitLab, Slack, Stripe,
  Google, OpenAI/Anthropic-style `sk-`, NVIDIA, Hugging Face, npm, PyPI, SendGrid), JWTs;
- the password of a URL with credentials (`scheme://user:password@host`) and `Bearer` tokens;
- the value assigned to a secret-sounding name (`password`, `api_key`, `client_secret`,
  `AUTH_TOKEN`, ...) in code, YAML, JSON, .ini or env style, when the value is a literal that
  looks random: long enough, some entropy, not a placeholder (`<your-key>`, `${VAR}`,
  `changeme`, `xxx`), not an expression (`os.environ[...]`, `get_key()`, `None`), not prose.

Deliberately *not* redacted on their own: hex digests and git SHAs, UUIDs, base64 blobs and
integrity hashes without a secret-sounding name in front. They fill lock files, fixtures and
docs, and hiding them would blind the model while rarely protecting anything; assigned to a
secret-sounding name (`token = "<uuid>"`) they are redacted like any other value.
"""

from __future__ import annotations

import math
import re
from collections import Counter

REDACTED = "[REDACTED]"
REDACTED_KEY = "[REDACTED PRIVATE KEY]"

# --- secret files by name -------------------------------------------------------------------

_SECRET_NAMES = frozenset(
    {
        ".env",
        ".npmrc",
        ".pypirc",
        ".netrc",
        "_netrc",
        ".git-credentials",
        ".pgpass",
        ".htpasswd",
        ".boto",
        ".s3cfg",
        ".dockercfg",
        ".vault-token",
        "credentials",
        "credentials.json",
        "credentials.yml",
        "credentials.yaml",
        "credentials.xml",
        "secrets.yml",
        "secrets.yaml",
        "secrets.json",
        "secrets.toml",
        "secrets.env",
        "kubeconfig",
    }
)
_SECRET_SUFFIXES = (
    ".pem",
    ".key",
    ".p12",
    ".pfx",
    ".p8",
    ".jks",
    ".keystore",
    ".kdbx",
    ".ppk",
    ".crt",
    ".cer",
    ".tfstate",
    ".tfstate.backup",
    ".tfvars",
    ".env",
)
_SECRET_PATH_ENDINGS = ("/.aws/credentials", "/.docker/config.json", "/.kube/config")
_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".tmpl")
_SSH_KEY = re.compile(r"id_(?:rsa|dsa|ecdsa|ed25519)(?:[_.-].*)?(?<!\.pub)")
_NAMED_JSON = re.compile(r".*(?:service[-_]?account|client[-_]secret).*\.json")


def is_secret_path(rel: str) -> bool:
    """Whether a file exists to hold secrets (by its name alone, so it is never read).

    Templates (`.env.example`, `.env.sample`, ...) and public keys (`id_rsa.pub`) are not.
    """
    lowered = rel.replace("\\", "/").lower().rstrip("/")
    folder, _, name = lowered.rpartition("/")
    if not name or name.endswith(_TEMPLATE_SUFFIXES) or name.endswith(".pub"):
        return False
    if name in _SECRET_NAMES or name.startswith(".env.") or name.endswith(_SECRET_SUFFIXES):
        return True
    if name.startswith("id_") and _SSH_KEY.fullmatch(name):
        return True
    if name.endswith(".json") and _NAMED_JSON.fullmatch(name):
        return True
    if ("/" + lowered).endswith(_SECRET_PATH_ENDINGS):
        return True
    return ".ssh" in folder and ".ssh" in folder.split("/")


# --- secrets inside text --------------------------------------------------------------------

_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?P<kind>(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----"
    # The body must look like key material (base64, header lines, string quoting), so code
    # that merely names the BEGIN and END markers (a PEM parser) is left alone.
    r"(?:[A-Za-z0-9+/=\s\\\"',.:-]*?-----END (?P=kind)-----"
    # An unterminated block (a truncated file): the whole base64 lines that follow.
    r"|(?:\r?\n[ \t]*[A-Za-z0-9+/=]{16,}[ \t]*(?=\r?\n|\Z))+)"
)

_WORD_CHARS = "A-Za-z0-9_-"
_E = f"(?![{_WORD_CHARS}])"  # a token ends where the word ends


def _token(prefix: str, width: int, rest: str) -> re.Pattern[str]:
    """A token pattern: a literal `prefix` of `width` characters not glued to a longer word.

    The start check sits after the prefix (looking back over it) because a pattern that
    opens with a literal lets the regex engine skip ahead fast; one opening with a
    lookbehind is tried at every position, ten times slower on large files.
    """
    return re.compile(prefix + f"(?<![{_WORD_CHARS}]" + "." * width + ")" + rest + _E)


_SK_REST = r"(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{20,}"
# Access key ids only; AIDA/AROA/AGPA... name users, roles and groups and are no credential.
_AWS_PREFIXES = ("AKIA", "ASIA", "ABIA", "ACCA")
_GITHUB_PREFIXES = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")

# (substrings one of which must occur, pattern). A token is redacted whole.
_TOKENS: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = (
    (_AWS_PREFIXES, _token(f"(?:{'|'.join(_AWS_PREFIXES)})", 4, "[A-Z0-9]{16}")),
    (_GITHUB_PREFIXES, _token("gh[pousr]_", 4, "[A-Za-z0-9]{36,255}")),
    (("github_pat_",), _token("github_pat_", 11, "[A-Za-z0-9_]{22,255}")),
    (("glpat-",), _token("glpat-", 6, "[A-Za-z0-9_-]{20,}")),
    (("xox",), _token("xox[abprse]-", 5, "[A-Za-z0-9-]{10,}")),
    (("_live_", "_test_"), _token("[sr]k_(?:live|test)_", 8, "[A-Za-z0-9]{16,}")),
    (("AIza",), _token("AIza", 4, "[0-9A-Za-z_-]{35}")),
    (("sk-",), _token("sk-", 3, _SK_REST)),
    (("nvapi-",), _token("nvapi-", 6, "[A-Za-z0-9_-]{20,}")),
    (("hf_",), _token("hf_", 3, "[A-Za-z0-9]{30,}")),
    (("npm_",), _token("npm_", 4, "[A-Za-z0-9]{36}")),
    (("pypi-",), _token("pypi-AgE", 8, "[A-Za-z0-9_-]{50,}")),
    (("SG.",), _token(r"SG\.", 3, r"[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}")),
    (("eyJ",), _token("eyJ", 3, r"[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")),
)

# scheme://user:password@host: the password only.
_URL_PASSWORD = re.compile(r"://(?P<user>[^\s:/@'\"`]*):(?P<value>[^\s/@'\"`]+)@")
_BEARER = re.compile(r"(?:Bearer|bearer|BEARER)[ \t]+(?P<value>[A-Za-z0-9._~+/-]{16,}=*)")
_SLACK_HOOK = re.compile(r"hooks\.slack\.com/services/(?P<value>[A-Za-z0-9/]{20,})")
# npm and yarn registry auth in .npmrc: `//registry.npmjs.org/:_authToken=<uuid>`.
_NPM_AUTH = re.compile(
    r"//(?:[^\s=/]+/)+:_(?:authToken|auth|password)[ \t]*=[ \t]*(?P<value>[^\s\"'${<][^\s\"']*)"
)
# Shell and env-file assignments whose upper-case name holds PASSWORD, SECRET or TOKEN
# (`PGPASSWORD=postgres`, `export GH_TOKEN="..."`): the name says it all, so the value is
# redacted whatever it looks like, unless it is a reference (`$VAR`) or a stand-in.
# Searching for the word alone first (2 ms in a 300 KB source file) skips the line-by-line
# search (9 ms) in almost every file.
_ENV_WORD = re.compile(r"PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_KEY|PRIVATE_KEY")
_ENV_SECRET = re.compile(
    rf"(?m)^[ \t]*(?:export[ \t]+)?(?P<name>[A-Z0-9_]*(?:{_ENV_WORD.pattern})"
    r"(?:_[A-Z0-9_]*)?)=(?P<quote>[\"']?)(?P<value>[^\s\"'#]+)(?P=quote)"
)
# A last word that makes the name describe the secret rather than hold it: `TOKEN_TYPE`.
_ABOUT_A_SECRET = frozenset(
    {"TYPE", "FILE", "PATH", "URL", "NAME", "ID", "LENGTH", "LEN", "TTL", "EXPIRY", "HEADER"}
    | {"ENDPOINT", "DIR", "ENV", "VAR", "HASH", "PREFIX", "SIZE", "LIMIT", "FORMAT", "MODE"}
)
_NOT_A_VALUE = re.compile(r"(?i)(?:true|false|yes|no|on|off|none|null|[\d.]+)")

# A secret-sounding word ending a name, then `=`, `:`, `:=`, `=>` (or a type annotation and
# `=`), then a quoted or bare value. The word comes in three casings rather than under
# re.IGNORECASE, which would make the engine try every position (five times slower); the
# rest of the name is found by looking back from the word.
_SECRET_WORDS = (
    "password passwd passphrase pass pwd secret token key credentials credential".split()
)
_ASSIGNMENT = re.compile(
    r"(?P<word>"
    + "|".join(v for w in _SECRET_WORDS for v in (w, w.capitalize(), w.upper()))
    + r""")
    ["']?[ \t]*
    (?P<sep>:[ \t]*[A-Za-z_][\w\[\]., |]*?[ \t]*=(?!=)|:=|=>|=(?!=)|:(?!:))
    [ \t]*
    (?:(?P<quote>["'`])(?P<quoted>(?:(?!(?P=quote))[^\\\n]|\\.){1,512})(?P=quote)
      |(?P<bare>[^\s'"`,;&()\[\]{}<>]{1,512}))
    """,
    re.VERBOSE,
)
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_KEY_WORDS = frozenset(
    {"password", "passwd", "pwd", "pass", "passphrase", "secret", "token", "credential"}
    | {"credentials", "apikey", "secretkey", "accesskey", "privatekey", "authtoken"}
    | {"accesstoken"}
)
# Tokens that are cursors or idempotency keys, not credentials: `NextToken`, `page_token`.
_NOT_SECRET_TOKENS = frozenset(
    {"next", "page", "continuation", "pagination", "idempotency", "sync", "cancel"}
    | {"cancellation", "resume", "continue", "client", "request", "update", "purchase"}
    | {"change", "action", "input", "output"}
    | {"max", "eos", "bos", "pad", "unk", "sep", "cls", "mask", "start", "end", "special"}
)
_KEY_QUALIFIERS = frozenset(
    {"api", "access", "secret", "private", "signing", "encryption", "master", "auth"}
    | {"account", "subscription", "app", "client", "consumer", "license", "storage"}
)
_PLACEHOLDER_WORDS = (
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "placeholder",
    "example",
    "dummy",
    "redacted",
    "your",
    "xxxx",
    "****",
    "...",
    "<",
    "${",
    "{{",
    "%(",
    "$(",
)
_WORDY = re.compile(r"[A-Za-z]+(?:[-_. :/][A-Za-z]+)*")
_WORD_RUN = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NUMBERISH = re.compile(r"[\d.,:_+-]+")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z_.]*")  # `token`, `None`, `settings.API_KEY`
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")  # `rust_openssl.hpke.X25519Key`
_TYPE_NAME = re.compile(r"[A-Z]\w*")  # `X25519PrivateKey` in `private_key: X25519PrivateKey`
_KEY_MATERIAL = re.compile(r"[A-Za-z0-9+/]{20}")

MIN_LENGTH = 8  # shorter literals are left: too many false alarms (`"bearer"`, ports)
MIN_ENTROPY = 2.5  # bits per character; "aaaa1111" has 1.0, "Summer2024" 2.9
WORDY_MIN_ENTROPY = 3.5  # letters-only values must look random, not like identifiers


def entropy(value: str) -> float:
    """Shannon entropy of `value`, in bits per character."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def is_secret_key(key: str) -> bool:
    """Whether an assigned name announces a secret: `db_password`, `apiKey`, `AUTH_TOKEN`.

    Only the name's last word counts, so `password_hash`, `token_type`, `max_tokens` and
    `keyboard` do not; a bare `key` (dicts, caches) needs a qualifier (`api_key`).
    """
    words = [w for w in re.split(r"[_.\-]+", _CAMEL.sub("_", key).lower()) if w]
    if not words:
        return False
    if words[-1] == "token" and len(words) > 1 and words[-2] in _NOT_SECRET_TOKENS:
        return False
    if "public" in words:
        return False  # `public_key`, `publicKeyToken`
    if words[-1] in _KEY_WORDS:
        return True
    return words[-1] == "key" and len(words) > 1 and words[-2] in _KEY_QUALIFIERS


def is_placeholder(value: str) -> bool:
    """A stand-in, not a value: `<your-key>`, `${TOKEN}`, `changeme`, `xxxx`, `[REDACTED]`."""
    lowered = value.lower()
    if any(word in lowered for word in _PLACEHOLDER_WORDS) or len(set(lowered)) < 3:
        return True
    return value[0] in "$%[{"


def looks_secret(value: str) -> bool:
    """Whether an assigned literal looks like a real secret rather than a stand-in."""
    if not MIN_LENGTH <= len(value) <= 512 or any(c.isspace() for c in value):
        return False
    if is_placeholder(value) or len(set(value)) < 4:
        return False
    if value[0] in "/~" or value.startswith(("./", "../", "arn:", "urn:")) or "://" in value:
        return False
    if _NUMBERISH.fullmatch(value):
        return False
    if _WORDY.fullmatch(value):
        return not _is_words(value) and entropy(value) >= WORDY_MIN_ENTROPY
    return entropy(value) >= MIN_ENTROPY


def _is_words(value: str) -> bool:
    """Letters that read as words or identifiers (`NextMarker`, `access_token`), not noise:
    words run three letters and more between case changes, random letters rarely do."""
    if any(c in value for c in "-_. :/"):
        return True
    runs = _WORD_RUN.findall(value)
    return not runs or len(value) / len(runs) >= 3


def _redact_keys(text: str) -> tuple[str, int]:
    """Replace private key blocks whole, keeping their line count."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        block = match.group(0)
        if not _KEY_MATERIAL.search(block, len("-----BEGIN ")):
            return block  # prose naming the markers: "between BEGIN ... and END ... lines"
        count += 1
        return REDACTED_KEY + "\n" * block.count("\n")

    return _PRIVATE_KEY.sub(replace, text), count


def _redact_tokens(text: str) -> tuple[str, int]:
    """Replace tokens whose prefix names their provider."""
    total = 0
    for hints, pattern in _TOKENS:
        if any(hint in text for hint in hints):
            text, count = pattern.subn(REDACTED, text)
            total += count
    return text, total


def _splice(match: re.Match[str], group: str) -> str:
    """The matched text with only `group` replaced by the redaction mark."""
    start, end = match.span(group)
    offset = match.start()
    whole = match.group(0)
    return whole[: start - offset] + REDACTED + whole[end - offset :]


def _url_password(match: re.Match[str], counter: list[int]) -> str:
    """A password in a URL is a secret even when short (seven characters is plenty for a
    database); plain words (`user:pass@`, `joe:password@` in docs and tests) and stand-ins
    are kept."""
    value = match.group("value")
    if len(value) < 4 or is_placeholder(value):
        return match.group(0)
    if _WORDY.fullmatch(value) and entropy(value) < WORDY_MIN_ENTROPY:
        return match.group(0)
    counter[0] += 1
    return _splice(match, "value")


def _always(match: re.Match[str], counter: list[int]) -> str:
    """The value group of a pattern that is a secret whatever it holds (a webhook path)."""
    counter[0] += 1
    return _splice(match, "value")


def _env_secret(match: re.Match[str], counter: list[int]) -> str:
    """The value of an env-style secret assignment, unless it is a reference or a flag."""
    value = match.group("value")
    if match.group("name").rpartition("_")[2] in _ABOUT_A_SECRET:
        return match.group(0)
    if value.lower() in _SECRET_WORDS or value[0] in "$%{<" or is_placeholder(value):
        return match.group(0)
    if _NOT_A_VALUE.fullmatch(value):
        return match.group(0)
    counter[0] += 1
    return _splice(match, "value")


def _bearer(match: re.Match[str], counter: list[int]) -> str:
    """A bearer token that looks random."""
    if not looks_secret(match.group("value")):
        return match.group(0)
    counter[0] += 1
    return _splice(match, "value")


def _name_before(text: str, end: int) -> str:
    """The name (letters, digits, `_ . -`) that ends at `end`."""
    start = end
    while start > 0 and text[start - 1] in _NAME_CHARS:
        start -= 1
    return text[start:end]


def _assignment(match: re.Match[str], counter: list[int]) -> str:
    """The value of a secret-sounding assignment, quoted or bare, when it looks real."""
    name = _name_before(match.string, match.start())
    before = match.string[match.start() - len(name) - 1 : match.start() - len(name)]
    if before == ":" or not is_secret_key(name + match.group("word")):
        return match.group(0)  # after ":" it is inside a value (`arn:aws:...:secret:name`)
    group = "quoted" if match.group("quoted") is not None else "bare"
    value = match.group(group)
    if group == "bare" and _is_expression(match, value):
        return match.group(0)
    if not looks_secret(value):
        return match.group(0)
    counter[0] += 1
    return _splice(match, group)


def _is_expression(match: re.Match[str], value: str) -> bool:
    """An unquoted value that is code (`settings.KEY`, `get()`, `None`, a type annotation
    `private_key: Ed25519PrivateKey`), not a literal."""
    following = match.string[match.end() : match.end() + 1]
    if following in ("(", "[", ".") or value[0] == ":":
        return True
    if _IDENTIFIER.fullmatch(value) or _DOTTED.fullmatch(value):
        return True
    if match.group("sep") == ":" and _TYPE_NAME.fullmatch(value):
        letters = "".join(c for c in value if c.isalpha())
        return len(_WORD_RUN.findall(letters)) >= 2 and _is_words(letters)
    return False


def redact_secrets(text: str) -> tuple[str, int]:
    """`text` with secrets replaced by `[REDACTED]`, and how many were replaced.

    Line count and everything but the secret values stay as they were. Cheap substring
    checks skip each family of patterns that cannot match, so ordinary code is fast.
    """
    total = 0
    if "PRIVATE KEY" in text:
        text, total = _redact_keys(text)
    text, count = _redact_tokens(text)
    total += count
    counter = [0]
    if "://" in text and "@" in text:
        text = _URL_PASSWORD.sub(lambda m: _url_password(m, counter), text)
    if "earer" in text or "EARER" in text:
        text = _BEARER.sub(lambda m: _bearer(m, counter), text)
    if "hooks.slack.com" in text:
        text = _SLACK_HOOK.sub(lambda m: _always(m, counter), text)
    if "/:_" in text:
        text = _NPM_AUTH.sub(lambda m: _always(m, counter), text)
    if "=" in text and _ENV_WORD.search(text):
        text = _ENV_SECRET.sub(lambda m: _env_secret(m, counter), text)
    text = _ASSIGNMENT.sub(lambda m: _assignment(m, counter), text)
    return text, total + counter[0]
