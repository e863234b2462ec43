"""The verifier's configuration: ``BADGES_VERIFIER_*`` variables, then ``BADGES_*``, then defaults.

The verifier runs inside the issuer's deployment (it then inherits the
issuer's environment, instance folder and fetch allow-list) or on its own
(``verifier.create_app()``). Development, the default, needs no
configuration; plain HTTP to loopback hosts is allowed only there.

=================================  ==========================================================
``BADGES_VERIFIER_ENV``            ``development`` (default), ``testing`` or ``production``
``BADGES_VERIFIER_INSTANCE_PATH``  where the receipt signing key is kept (default: see below)
``BADGES_VERIFIER_FETCH_ALLOW_HOSTS``  hosts that may resolve to private addresses (comma list)
``BADGES_VERIFIER_REGISTRY``       known issuers: a JSON/YAML file or an ``https://`` URL
``BADGES_VERIFIER_NAME``           the name receipts are issued under
``BADGES_VERIFIER_MAX_UPLOAD_BYTES``   the largest request body accepted (default 12 MiB)
``BADGES_VERIFIER_FETCH_TIMEOUT``  seconds per network read (default 5; 10 for a whole fetch)
``BADGES_VERIFIER_RATE_LIMIT``     verifications a minute per client address (default 120; 0: off)
``BADGES_VERIFIER_LINK_RATE_LIMIT``  links fetched a minute per client address (default 30)
``BADGES_TRUSTED_PROXIES``         proxies in front of the service that set X-Forwarded-For (0)
``BADGES_VERIFIER_REDIS_URL``      keep the rate limits' buckets in this Redis, shared by every
                                   worker and host (default: ``BADGES_REDIS_URL``; without
                                   either, each process counts on its own)
``BADGES_VERIFIER_RATE_LIMIT_PREFIX``  the buckets' Redis key prefix (``badges:ratelimit:``)
=================================  ==========================================================

``ENV``, ``INSTANCE_PATH``, ``FETCH_ALLOW_HOSTS`` and ``REDIS_URL`` fall back to the
issuer's ``BADGES_ENV``, ``BADGES_INSTANCE_PATH``, ``BADGES_FETCH_ALLOW_HOSTS`` and
``BADGES_REDIS_URL``. Without
an instance path, both services use :func:`default_instance_path`, the same
folder whatever the current directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PREFIXES = ("BADGES_VERIFIER_", "BADGES_")
ENVIRONMENTS = ("development", "testing", "production")
DEFAULT_MAX_UPLOAD = 12 * 1024 * 1024
DEFAULT_RATE_LIMIT_PREFIX = "badges:ratelimit:"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def default_instance_path(environ: Mapping[str, str] | None = None) -> Path:
    """The instance folder when none is configured: the per-user data folder.

    ``$XDG_DATA_HOME/badges``, else ``~/.local/share/badges`` (XDG Base
    Directory specification), else ``instance/`` in the current folder when
    there is no home folder (a service account without one).
    """
    env_map = os.environ if environ is None else environ
    data_home = env_map.get("XDG_DATA_HOME", "").strip()
    if data_home and Path(data_home).is_absolute():
        return Path(data_home).resolve() / "badges"
    try:
        return Path.home().resolve() / ".local" / "share" / "badges"
    except RuntimeError:
        return (Path.cwd() / "instance").resolve()


class VerifierConfigError(RuntimeError):
    """The verifier's configuration is missing something or is malformed."""


@dataclass(frozen=True, slots=True)
class VerifierSettings:
    """The verifier's settings, after defaults and checks.

    Attributes:
        env: ``development``, ``testing`` or ``production``.
        instance_path: folder for the receipt signing key.
        allow_hosts: hosts (or ``host:port``) that may resolve to private addresses.
        registry: the known-issuer registry (file path or ``https://`` URL), or None.
        name: the verifier's display name on receipts and pages.
        max_upload_bytes: the largest request body accepted.
        fetch_timeout: seconds per network read.
        rate_limit: verifications a minute per client address (0: no limit).
        link_rate_limit: links fetched for a client a minute (0: no limit).
        trusted_proxies: how many proxies in front of the standalone verifier
            set ``X-Forwarded-For`` (the client address rate limits count by).
        redis_url: the Redis that holds the rate limits' buckets (None: in the process).
        rate_limit_prefix: the buckets' key prefix in that Redis.
    """

    env: str = "development"
    instance_path: Path = Path("instance")
    allow_hosts: frozenset[str] = frozenset()
    registry: str | None = None
    name: str = "Badges verifier"
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD
    fetch_timeout: float = 5.0
    rate_limit: int = 120
    link_rate_limit: int = 30
    trusted_proxies: int = 0
    redis_url: str | None = None
    rate_limit_prefix: str = DEFAULT_RATE_LIMIT_PREFIX

    @property
    def development(self) -> bool:
        """True in development and testing: plain HTTP to loopback hosts is allowed."""
        return self.env in ("development", "testing")

    @property
    def receipt_key_path(self) -> Path:
        """Where the receipt signing key lives (created on first use)."""
        return self.instance_path / "verifier-receipt-key.json"


def _lookup(name: str, environ: Mapping[str, str]) -> str | None:
    for prefix in PREFIXES:
        value = environ.get(prefix + name)
        if value is not None and value.strip():
            return value.strip()
    return None


def _given(value: Any, default: int) -> Any:
    """``value`` unless it is unset (None or empty): 0 is a value, not "unset"."""
    return default if value is None or (isinstance(value, str) and not value.strip()) \
        else value


def load_settings(environ: Mapping[str, str] | None = None,
                  overrides: Mapping[str, Any] | None = None,
                  defaults: Mapping[str, Any] | None = None) -> VerifierSettings:
    """Read the settings.

    Precedence: ``overrides`` (tests, ``create_app(config)``), then
    ``BADGES_VERIFIER_*``, then ``defaults`` (the issuer's settings when the
    verifier is mounted in the issuer service), then ``BADGES_*``, then the
    built-in defaults.

    Raises:
        VerifierConfigError: for a malformed value.
    """
    env_map = dict(os.environ if environ is None else environ)
    given = {k.lower(): v for k, v in (overrides or {}).items()}
    inherited = {k.lower(): v for k, v in (defaults or {}).items()}

    def get(name: str, *, plain: bool = True) -> Any:
        if name in given:
            return given[name]
        own = env_map.get(PREFIXES[0] + name.upper())
        if own is not None and own.strip():
            return own.strip()
        if name in inherited:
            return inherited[name]
        return _lookup(name.upper(), {PREFIXES[1] + name.upper(): env_map.get(
            PREFIXES[1] + name.upper(), "")}) if plain else None

    env = str(get("env") or "development")
    if env not in ENVIRONMENTS:
        raise VerifierConfigError("BADGES_VERIFIER_ENV must be development, testing or "
                                  "production")
    given_instance = get("instance_path")
    instance = Path(str(given_instance)).resolve() if given_instance \
        else default_instance_path(env_map)
    hosts = get("fetch_allow_hosts") or ""
    items = hosts.split(",") if isinstance(hosts, str) else list(hosts)
    registry = get("registry", plain=False)
    name = str(get("name", plain=False) or "Badges verifier").strip()
    try:
        max_upload = int(get("max_upload_bytes", plain=False) or DEFAULT_MAX_UPLOAD)
        timeout = float(get("fetch_timeout", plain=False) or 5.0)
        limits = [int(str(value)) for value in (
            _given(get("rate_limit", plain=False), 120),
            _given(get("link_rate_limit", plain=False), 30),
            _given(get("trusted_proxies"), 0))]
    except (TypeError, ValueError):
        raise VerifierConfigError("BADGES_VERIFIER_MAX_UPLOAD_BYTES, _FETCH_TIMEOUT, "
                                  "_RATE_LIMIT, _LINK_RATE_LIMIT and BADGES_TRUSTED_PROXIES "
                                  "must be numbers") from None
    if max_upload < 1024 or not 0 < timeout <= 60:
        raise VerifierConfigError("the upload limit must be at least 1 KiB and the fetch "
                                  "timeout between 0 and 60 seconds")
    if any(value < 0 for value in limits) or limits[2] > 10:
        raise VerifierConfigError("rate limits must be 0 (off) or more, and "
                                  "BADGES_TRUSTED_PROXIES from 0 to 10")
    redis_url = str(get("redis_url") or "").strip() or None
    if redis_url is not None and not redis_url.startswith(REDIS_SCHEMES):
        raise VerifierConfigError("BADGES_VERIFIER_REDIS_URL (or BADGES_REDIS_URL) must be a "
                                  "redis://, rediss:// or unix:// URL")
    prefix = str(get("rate_limit_prefix", plain=False) or DEFAULT_RATE_LIMIT_PREFIX).strip()
    if not 0 < len(prefix) <= 100 or any(c.isspace() for c in prefix):
        raise VerifierConfigError("BADGES_VERIFIER_RATE_LIMIT_PREFIX must be 1 to 100 "
                                  "characters without spaces")
    return VerifierSettings(
        env=env, instance_path=instance,
        allow_hosts=frozenset(str(h).strip() for h in items if str(h).strip()),
        registry=str(registry) if registry else None, name=name[:200],
        max_upload_bytes=max_upload, fetch_timeout=timeout, rate_limit=limits[0],
        link_rate_limit=limits[1], trusted_proxies=limits[2], redis_url=redis_url,
        rate_limit_prefix=prefix)
