"""Configuration from ``BADGES_*`` environment variables, checked at start-up.

Development (the default, ``BADGES_ENV=development``) needs no configuration
at all: a SQLite database in the instance folder, a local base URL, and
generated secrets kept in ``dev-secrets.json`` there. Any other environment
refuses to start without ``BADGES_SECRET_KEY`` and ``BADGES_KEY_ENCRYPTION_KEY``,
and production refuses weak ones (:func:`check_secret_key`, :func:`check_kek`).

The instance folder is ``BADGES_INSTANCE_PATH``, else the per-user data folder
(:func:`verifier.config.default_instance_path`), so every command finds the
same instance from any folder. In development the instance remembers the base
URL it was set up with (``instance.json``), so a command run later in another
shell issues badges under the same ``did:web`` as the running service.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verifier.clock import Clock
from verifier.clock import system_clock
from verifier.config import default_instance_path

PREFIX = "BADGES_"
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


class ConfigError(RuntimeError):
    """The configuration is missing something or is malformed."""


@dataclass(frozen=True)
class Settings:
    """The service's settings, after defaults and checks."""

    env: str
    secret_key: str
    key_encryption_key: bytes
    database_url: str
    base_url: str
    instance_path: Path
    fetch_allow_hosts: frozenset[str]
    #: reverse proxies in front of the service that append to X-Forwarded-For (0: none)
    trusted_proxies: int = 0
    max_field_length: int = 10_000
    #: where files are kept: ``local`` (the instance folder) or ``s3://bucket/prefix``
    storage_url: str = "local"
    s3_endpoint_url: str = ""
    s3_region: str = ""
    #: the source of "now" for pages, APIs, jobs and commands (tests pass another)
    clock: Clock = system_clock

    @property
    def development(self) -> bool:
        """True in development and testing, where loopback HTTP is allowed."""
        return self.env in ("development", "testing")


def _env(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(PREFIX + name)
    return value.strip() if value and value.strip() else None


def _dev_secrets(instance: Path) -> dict[str, str]:
    """The development instance's secrets, made on first use.

    Every process on the instance must use the same ones (sessions signed by
    one are read by another; keys wrapped by one are unwrapped by another),
    so the file is written whole under a temporary name and linked into place
    only if absent: processes starting together all read the first one's.
    """
    path = instance / "dev-secrets.json"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        data = {"secret_key": secrets.token_urlsafe(32),
                "key_encryption_key": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}
        draft = instance / f".dev-secrets.{os.getpid()}.{secrets.token_hex(4)}"
        draft.touch(mode=0o600)
        try:
            draft.write_text(json.dumps(data), "utf-8")
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made them first: use theirs
        finally:
            draft.unlink(missing_ok=True)
    found: dict[str, str] = json.loads(path.read_text("utf-8"))
    return found


def decode_kek(value: str) -> bytes:
    """A key-encryption key from base64url (32 bytes, AES-256-GCM).

    Raises:
        ConfigError: when it is not 32 bytes of base64.
    """
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, TypeError):
        raise ConfigError(f"{PREFIX}KEY_ENCRYPTION_KEY is not base64") from None
    if len(raw) != 32:
        raise ConfigError(f"{PREFIX}KEY_ENCRYPTION_KEY must be 32 bytes (base64-encoded)")
    return raw


#: What the start-up errors tell an operator to run for a good secret.
GENERATE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'  # noqa: S105
GENERATE_KEK = ('python -c "import base64, secrets; '
                'print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())"')
#: The shortest session-signing secret production accepts, and the least entropy
#: its characters must show (NIST SP 800-131A: at least 112 bits of security).
MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 112


def _shannon_bits(symbols: str | bytes) -> float:
    """An estimate of the entropy of ``symbols``: their count times the Shannon entropy.

    An upper bound for a human-chosen string (a sentence scores well above its
    real strength), so it catches only the plainly weak: ``x``, ``changeme``,
    one character repeated, a short alphabet.
    """
    counts: dict[object, int] = {}
    for symbol in symbols:
        counts[symbol] = counts.get(symbol, 0) + 1
    total = len(symbols)
    return -sum(c * math.log2(c / total) for c in counts.values()) if total else 0.0


def check_secret_key(value: str) -> None:
    """Refuse a weak ``BADGES_SECRET_KEY`` (it signs the session cookies).

    Raises:
        ConfigError: shorter than :data:`MIN_SECRET_LENGTH` characters, or with
            fewer than :data:`MIN_SECRET_BITS` bits of estimated entropy.
    """
    if len(value) < MIN_SECRET_LENGTH or len(set(value)) < 12 \
            or _shannon_bits(value) < MIN_SECRET_BITS:
        raise ConfigError(
            f"{PREFIX}SECRET_KEY is too weak for production: use at least "
            f"{MIN_SECRET_LENGTH} random characters (about 256 bits), for example the "
            f"output of: {GENERATE_SECRET}")


def check_kek(raw: bytes) -> None:
    """Refuse a key-encryption key that is plainly not random (all zero, a counting pattern).

    32 random bytes almost always hold 25 or more distinct values and no
    regular steps; fewer than 16 distinct bytes, or steps between neighbours
    that take fewer than 8 values, means the key was typed or derived, not drawn.

    Raises:
        ConfigError: naming ``BADGES_KEY_ENCRYPTION_KEY`` and how to make one.
    """
    steps = {(b - a) % 256 for a, b in zip(raw, raw[1:], strict=False)}
    if len(set(raw)) < 16 or len(steps) < 8:
        raise ConfigError(
            f"{PREFIX}KEY_ENCRYPTION_KEY is not a random key (all zero or a pattern): "
            f"generate 32 random bytes, base64-encoded, for example with: {GENERATE_KEK} "
            "(changing it makes the stored signing keys unreadable: re-encrypt them first)")


def variables(environ: Mapping[str, str] | None = None,
              overrides: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The variables every settings loader reads: the environment plus test overrides.

    Overrides are keyed without the prefix (``database_url`` stands for
    ``BADGES_DATABASE_URL``); an override of None means "not set".
    """
    values = dict(os.environ if environ is None else environ)
    for key, value in (overrides or {}).items():
        if key in _OBJECT_OVERRIDES:
            continue
        values[PREFIX + key.upper()] = "" if value is None else str(value)
    return values


#: Overrides that are objects, not variables (only code can pass them).
_OBJECT_OVERRIDES = frozenset({"clock"})
_INSTANCE_FILE = "instance.json"


def remembered_base_url(instance: Path) -> str | None:
    """The base URL this development instance was set up with, if it recorded one."""
    try:
        data = json.loads((instance / _INSTANCE_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("base_url") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value.startswith(("http://", "https://")) \
        else None


def remember_base_url(settings: Settings) -> None:
    """Record the base URL in a development instance (see the module docstring)."""
    if settings.env != "development" or remembered_base_url(settings.instance_path) \
            == settings.base_url:
        return
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    (settings.instance_path / _INSTANCE_FILE).write_text(
        json.dumps({"base_url": settings.base_url}) + "\n", "utf-8")


def existing_instance(environ: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """``(database URL, base URL)`` of an instance that already exists, else None.

    Reads nothing but the environment and the instance folder, and creates
    nothing: for commands that can use an instance when there is one (``badges
    verify`` knows the instance's own issuers) but must not make one.
    """
    env_map = variables(environ)
    given = _env(env_map, "INSTANCE_PATH")
    instance = Path(given).resolve() if given else default_instance_path(env_map)
    database_url = _env(env_map, "DATABASE_URL")
    if database_url is None:
        if not (instance / "badges.db").is_file():
            return None
        database_url = f"sqlite:///{instance / 'badges.db'}"
    base_url = (_env(env_map, "BASE_URL") or remembered_base_url(instance)
                or DEFAULT_BASE_URL).rstrip("/")
    return database_url, base_url


def load_settings(environ: Mapping[str, str] | None = None,
                  overrides: Mapping[str, Any] | None = None) -> Settings:
    """Read settings from the environment (and test overrides), applying defaults.

    Raises:
        ConfigError: outside development when a secret or the key-encryption
            key is missing, or when a value is malformed.
    """
    env_map = variables(environ, overrides)
    env = _env(env_map, "ENV") or "development"
    if env not in ("development", "testing", "production"):
        raise ConfigError(f"{PREFIX}ENV must be development, testing or production")
    given_instance = _env(env_map, "INSTANCE_PATH")
    instance = Path(given_instance).resolve() if given_instance \
        else default_instance_path(env_map)
    secret = _env(env_map, "SECRET_KEY")
    kek = _env(env_map, "KEY_ENCRYPTION_KEY")
    if env == "production":
        missing = [n for n, v in (("SECRET_KEY", secret), ("KEY_ENCRYPTION_KEY", kek)) if not v]
        if missing:
            raise ConfigError("refusing to start outside development without "
                              + " and ".join(PREFIX + m for m in missing)
                              + f"; generate a secret key with: {GENERATE_SECRET}"
                              + f" and a key-encryption key with: {GENERATE_KEK}")
        assert secret is not None and kek is not None
        check_secret_key(secret)
        check_kek(decode_kek(kek))
    if not secret or not kek:
        dev = _dev_secrets(instance)
        secret = secret or dev["secret_key"]
        kek = kek or dev["key_encryption_key"]
    database_url = _env(env_map, "DATABASE_URL") or f"sqlite:///{instance / 'badges.db'}"
    base_url = (_env(env_map, "BASE_URL")
                or (remembered_base_url(instance) if env == "development" else None)
                or DEFAULT_BASE_URL).rstrip("/")
    if env == "production" and not base_url.startswith("https://"):
        raise ConfigError(f"{PREFIX}BASE_URL must be an https:// URL in production")
    allow = _env(env_map, "FETCH_ALLOW_HOSTS") or ""
    proxies = _env(env_map, "TRUSTED_PROXIES") or "0"
    if not proxies.isdigit() or not 0 <= int(proxies) <= 10:
        raise ConfigError(f"{PREFIX}TRUSTED_PROXIES must be a whole number from 0 to 10 (the "
                          "reverse proxies in front of the service that set X-Forwarded-For)")
    storage_url = _env(env_map, "STORAGE_URL") or "local"
    if storage_url != "local" and not re.match(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$",
                                                  storage_url):
        raise ConfigError(f"{PREFIX}STORAGE_URL must be 'local' (the instance folder) or "
                          "s3://<bucket>[/<prefix>] (S3-compatible object storage)")
    clock = (overrides or {}).get("clock") or system_clock
    return Settings(
        env=env, secret_key=secret, key_encryption_key=decode_kek(kek),
        database_url=database_url, base_url=base_url, instance_path=instance,
        fetch_allow_hosts=frozenset(h.strip() for h in allow.split(",") if h.strip()),
        trusted_proxies=int(proxies), clock=clock, storage_url=storage_url,
        s3_endpoint_url=_env(env_map, "S3_ENDPOINT_URL") or "",
        s3_region=_env(env_map, "S3_REGION") or "")
