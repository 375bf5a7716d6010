"""Alert channels as configured in ``[[alert]]`` tables of ``jixiao.toml``."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from alerts import redact
from core.records import SEVERITIES, Severity
from core.config import ConfigError, expand_env

KINDS = ("inconsistency", "resolved", "run_failed", "portal_down", "test")
TYPES = ("webhook", "dingtalk", "wecom", "slack", "email")
SECURITY = ("starttls", "ssl", "none")

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class AlertConfigError(ValueError):
    """A bad ``[[alert]]`` entry; the message names the entry and the key, never a secret."""


@dataclass(frozen=True)
class Filters:
    min_severity: str = "info"
    regions: tuple[str, ...] = ()  # substring match on filings.region, e.g. "株洲市"
    rules: tuple[str, ...] = ()  # empty: every rule
    kinds: tuple[str, ...] = KINDS

    def accepts(self, severity: str | None, region: str | None, rule: str | None) -> bool:
        if Severity.rank_of(severity) > Severity.rank_of(self.min_severity):
            return False
        if self.regions and not any(r in (region or "") for r in self.regions):
            return False
        return not self.rules or rule in self.rules


@dataclass(frozen=True)
class Retry:
    attempts: int = 4  # per dispatch; a delivery still failing stays pending for the next run
    backoff: float = 2.0  # seconds, doubled each attempt
    max_backoff: float = 30.0


@dataclass(frozen=True)
class Channel:
    name: str
    type: str
    filters: Filters = Filters()
    retry: Retry = Retry()
    timeout: float = 10.0
    template_dir: Path | None = None

    @property
    def format(self) -> str:
        """Which template family renders this channel's messages."""
        return {"dingtalk": "md", "wecom": "md", "webhook": "md", "slack": "slack", "email": "txt"}[self.type]

    @property
    def max_bytes(self) -> int | None:
        # Robot limits: WeCom markdown content 4096 bytes, DingTalk ~20000; Slack text 40000 chars.
        return {"wecom": 4000, "dingtalk": 19000, "slack": 39000}.get(self.type)

    def secrets(self) -> tuple[str, ...]:
        return ()

    def target(self) -> str:
        """Where messages go, safe to print."""
        return self.type


@dataclass(frozen=True)
class HttpChannel(Channel):
    url: str = field(default="", repr=False)
    secret: str | None = field(default=None, repr=False)  # DingTalk signing key
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.url, self.secret, *(v for _, v in self.headers)) if s)

    def target(self) -> str:
        return f"{self.type} {redact.safe_url(self.url)}"


@dataclass(frozen=True)
class EmailChannel(Channel):
    host: str = "localhost"
    port: int = 587
    security: str = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = ""
    to: tuple[str, ...] = ()
    ca_file: str | None = None  # for a relay with a private CA

    def secrets(self) -> tuple[str, ...]:
        return (self.password,) if self.password else ()

    def target(self) -> str:
        return f"email {self.host}:{self.port} ({self.security}) → {', '.join(self.to)}"


_COMMON = {"type", "name", "min_severity", "regions", "rules", "kinds", "timeout", "retries", "retry_backoff",
           "template_dir"}
_KEYS = {
    "webhook": _COMMON | {"url", "headers"},
    "dingtalk": _COMMON | {"url", "secret"},
    "wecom": _COMMON | {"url"},
    "slack": _COMMON | {"url"},
    "email": _COMMON | {"host", "port", "security", "username", "password", "from", "to", "ca_file"},
}


def parse_channels(
    raw: list[dict] | None,
    env: Mapping[str, str] = os.environ,
    *,
    template_dir: str | Path | None = None,
    base_dir: str | Path | None = None,
) -> list[Channel]:
    """Channels from the raw ``[[alert]]`` tables.

    ``template_dir`` is a default for every channel; relative paths resolve against
    ``base_dir`` (the config file's folder). Secrets come from ``<key>_env`` keys or
    ``${VAR}`` references and are registered for redaction.
    """
    channels: list[Channel] = []
    per_type: dict[str, int] = {}
    for index, entry in enumerate(raw or []):
        where = f"[[alert]] #{index + 1}"
        if not isinstance(entry, Mapping):
            raise AlertConfigError(f"{where}: expected a table, got {type(entry).__name__}")
        kind = entry.get("type")
        if kind not in TYPES:
            raise AlertConfigError(f"{where}: type must be one of {', '.join(TYPES)} (got {kind!r})")
        per_type[kind] = per_type.get(kind, 0) + 1
        # The default name must not change when another channel is appended: deliveries are
        # keyed on it, and a new name would re-send everything.
        default_name = kind if per_type[kind] == 1 else f"{kind}-{per_type[kind]}"
        name = str(entry.get("name") or default_name)
        where = f"{where} ({name})"
        values = _resolve_env(entry, env, where)
        unknown = sorted(set(values) - _KEYS[kind])
        if unknown:
            raise AlertConfigError(f"{where}: unknown key(s) {', '.join(unknown)} for type {kind}")
        if not _NAME.match(name):
            raise AlertConfigError(f"{where}: name may use letters, digits, '.', '_' and '-' only")
        if any(c.name == name for c in channels):
            raise AlertConfigError(f"{where}: duplicate channel name {name!r}")
        channel = _build(kind, name, values, where, template_dir, base_dir)
        redact.register(*channel.secrets())
        channels.append(channel)
    redact.install_log_filter()
    return channels


def _resolve_env(entry: Mapping, env: Mapping[str, str], where: str) -> dict:
    values: dict = {}
    for key, value in entry.items():
        if key.endswith("_env"):
            target = key[: -len("_env")]
            if target in entry:
                raise AlertConfigError(f"{where}: give either {target} or {key}, not both")
            if not isinstance(value, str) or value not in env:
                raise AlertConfigError(f"{where}: {key} names environment variable {value!r}, which is not set")
            values[target] = env[value]
        else:
            try:
                values[key] = expand_env(value, env, f"{where}: {key}")
            except ConfigError as error:
                raise AlertConfigError(str(error)) from None
    return values


def _build(kind: str, name: str, v: dict, where: str, template_dir, base_dir) -> Channel:
    common = dict(
        name=name,
        type=kind,
        filters=_filters(v, where),
        retry=Retry(
            attempts=_number(v, "retries", where, 4, int, minimum=1),
            backoff=_number(v, "retry_backoff", where, 2.0, float, minimum=0),
        ),
        timeout=_number(v, "timeout", where, 10.0, float, minimum=0.001),
        template_dir=_path(v.get("template_dir", template_dir), base_dir, where),
    )
    if kind == "email":
        return _email(v, where, common)
    url = v.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise AlertConfigError(f"{where}: url (or url_env) must be an http(s) URL")
    headers = v.get("headers", {})
    if not isinstance(headers, Mapping) or not all(isinstance(x, str) for x in headers.values()):
        raise AlertConfigError(f"{where}: headers must be a table of strings")
    secret = v.get("secret")
    if secret is not None and not isinstance(secret, str):
        raise AlertConfigError(f"{where}: secret must be a string")
    return HttpChannel(**common, url=url, secret=secret or None, headers=tuple(headers.items()))


def _email(v: dict, where: str, common: dict) -> EmailChannel:
    for key in ("host", "from"):
        if not isinstance(v.get(key), str) or not v[key]:
            raise AlertConfigError(f"{where}: {key} is required for email")
    to = v.get("to")
    to = [to] if isinstance(to, str) else to
    if not to or not isinstance(to, list) or not all(isinstance(a, str) and "@" in a for a in to):
        raise AlertConfigError(f"{where}: to must be an e-mail address or a list of them")
    port = _number(v, "port", where, None, int, minimum=1)
    security = v.get("security") or ("ssl" if port == 465 else "starttls")
    if security not in SECURITY:
        raise AlertConfigError(f"{where}: security must be one of {', '.join(SECURITY)}")
    port = port or {"ssl": 465, "starttls": 587, "none": 25}[security]
    if v.get("password") and not v.get("username"):
        raise AlertConfigError(f"{where}: password given without username")
    return EmailChannel(
        **common, host=v["host"], port=port, security=security, username=v.get("username") or None,
        password=v.get("password") or None, sender=v["from"], to=tuple(to), ca_file=v.get("ca_file"),
    )


def _filters(v: dict, where: str) -> Filters:
    severity = v.get("min_severity", "info")
    if severity not in SEVERITIES:
        raise AlertConfigError(f"{where}: min_severity must be one of {', '.join(reversed(SEVERITIES))}")
    lists = {}
    for key in ("regions", "rules", "kinds"):
        value = v.get(key, [])
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(x, str) and x for x in value):
            raise AlertConfigError(f"{where}: {key} must be a list of strings")
        lists[key] = tuple(value)
    bad = [k for k in lists["kinds"] if k not in KINDS]
    if bad:
        raise AlertConfigError(f"{where}: unknown kind(s) {', '.join(bad)}; known: {', '.join(KINDS)}")
    return Filters(severity, lists["regions"], lists["rules"], lists["kinds"] or KINDS)


def _number(v: dict, key: str, where: str, default, cast, minimum):
    value = v.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (cast is int and value != int(value)):
        raise AlertConfigError(f"{where}: {key} must be a{'n integer' if cast is int else ' number'}")
    if value < minimum:
        raise AlertConfigError(f"{where}: {key} must be at least {minimum}")
    return cast(value)


def _path(value, base_dir, where: str) -> Path | None:
    if value is None:
        return None
    path = Path(str(value)).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = Path(base_dir) / path
    if not path.is_dir():
        raise AlertConfigError(f"{where}: template_dir {str(path)!r} is not a folder")
    return path
