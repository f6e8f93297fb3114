"""The typed environment schema: every setting PACTESUR reads from the environment."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}

# The proxies whose X-Forwarded-* headers count: by default one on this machine (pactesur.web.proxy).
DEFAULT_TRUSTED_PROXIES = "127.0.0.1,::1"

ProxyNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class ConfigError(ValueError):
    """An environment variable holds a value PACTESUR cannot use; the message names it."""


def _default_data_dir() -> Path:
    # The working directory's var/ keeps a checkout self-contained; production sets PACTESUR_DATA_DIR.
    return Path.cwd() / "var"


@dataclass(frozen=True)
class Config:
    """Configuration read once at start-up from environment variables."""

    data_dir: Path
    database_url: str
    secret_key: str
    debug: bool
    allowed_hosts: tuple[str, ...]
    production: bool
    email_url: str
    trusted_proxies: tuple[ProxyNetwork, ...]
    job_lost_after_s: float = 60.0
    session_idle_minutes: float = 30.0
    reauth_minutes: float = 10.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Config:
        env = dict(os.environ if env is None else env)
        data_dir = Path(env.get("PACTESUR_DATA_DIR") or _default_data_dir()).resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'pactesur.sqlite3'}"
        production = env.get("PACTESUR_PRODUCTION", "").lower() in _TRUE
        if production and not env.get("PACTESUR_SECRET_KEY", "").strip():
            # A key generated into the data directory would differ between web machines and be
            # lost with it: in production it must be set, and kept, by whoever runs the service.
            raise ConfigError(
                "PACTESUR_SECRET_KEY must be set in production (PACTESUR_PRODUCTION=1): a long random "
                "value kept secret, for instance the output of "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
            )
        secret_key = env.get("PACTESUR_SECRET_KEY") or _stored_secret_key(data_dir)
        debug = env.get("PACTESUR_DEBUG", "" if production else "1").lower() in _TRUE
        hosts = tuple(
            h.strip()
            for h in env.get("PACTESUR_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
            if h.strip()
        )
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            secret_key=secret_key,
            debug=debug,
            allowed_hosts=hosts,
            production=production,
            email_url=env.get("PACTESUR_EMAIL", "console"),
            trusted_proxies=parse_trusted_proxies(
                env.get("PACTESUR_TRUSTED_PROXIES", DEFAULT_TRUSTED_PROXIES)
            ),
            job_lost_after_s=_positive_number(env, "PACTESUR_JOB_LOST_AFTER_S", 60.0),
            session_idle_minutes=_positive_number(env, "PACTESUR_SESSION_IDLE_MINUTES", 30.0),
            reauth_minutes=_positive_number(env, "PACTESUR_REAUTH_MINUTES", 10.0),
        )


def parse_trusted_proxies(value: str) -> tuple[ProxyNetwork, ...]:
    """Read PACTESUR_TRUSTED_PROXIES: comma-separated addresses or CIDR networks; empty trusts none."""
    networks = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            # strict: 10.0.0.5/24 is refused, as it is surely a typo for an address or for 10.0.0.0/24.
            networks.append(ipaddress.ip_network(item, strict=True))
        except ValueError as exc:
            raise ConfigError(
                f"PACTESUR_TRUSTED_PROXIES: {item!r} is not an IP address or a network "
                f"like 10.0.0.5, 10.0.0.0/24 or fd00::/8 ({exc})"
            ) from exc
    return tuple(networks)


def _positive_number(env: dict[str, str], name: str, default: float) -> float:
    """A positive number below a day's seconds (also used for minutes: a day is ample either way)."""
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (0.0 < value < 86400.0):
        raise ConfigError(f"{name}: {text!r} is not a positive number below 86400")
    return value


def _stored_secret_key(data_dir: Path) -> str:
    """Return the secret key kept in the data directory, creating it on first use."""
    path = data_dir / "secret_key"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_urlsafe(50))
        tmp.chmod(0o600)
        os.replace(tmp, path)
    return path.read_text().strip()
