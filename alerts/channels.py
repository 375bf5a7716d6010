"""Alert channels as configured in ``[[alert]]`` tables of ``jixiao.toml`` (keys: core.alert_config)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from alerts import redact
from pydantic import ValidationError

from core.alert_config import (
    ALERT_ENTRY, KINDS, AlertCommon, EmailAlert, SecretMissing, default_names, keys_of,
    resolve_secret_keys,
)
from core.config import ConfigError, expand_env
from core.config_errors import describe
from core.clock import DEFAULT_TIMEZONE
from core.records import Flag, Severity



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

    def sends(self, flag: Flag, region: str | None = None) -> bool:
        """Whether this channel alerts ``flag``: never one stored for review, else by the filters."""
        return not flag.needs_review and self.accepts(flag.severity, region, flag.rule)


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
    timezone: str = DEFAULT_TIMEZONE  # the config's [schedule] timezone: message footers' clock

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


def parse_channels(
    raw: list[dict] | None,
    env: Mapping[str, str] = os.environ,
    *,
    template_dir: str | Path | None = None,
    base_dir: str | Path | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> list[Channel]:
    """Channels from the raw ``[[alert]]`` tables, checked by the models of core.alert_config.

    ``template_dir`` is a default for every channel; relative paths resolve against
    ``base_dir`` (the config file's folder). Secrets come from ``<key>_env`` keys or
    ``${VAR}`` references and are registered for redaction.
    """
    entries = list(raw or [])
    channels: list[Channel] = []
    for index, name in enumerate(default_names(entries)):
        entry, where = entries[index], f"[[alert]] #{index + 1}"
        if not isinstance(entry, Mapping):
            raise AlertConfigError(f"{where}: expected a table, got {type(entry).__name__}")
        where = f"{where} ({name})"
        try:
            checked = ALERT_ENTRY.validate_python(expand_env(resolve_secret_keys(entry, env), env, where))
        except (SecretMissing, ConfigError) as error:
            raise AlertConfigError(str(error) if isinstance(error, ConfigError) else f"{where}: {error}") from None
        except ValidationError as error:
            raise AlertConfigError(f"{where}: {describe(error, keys_of(entry.get('type')))[1]}") from None
        if any(c.name == name for c in channels):
            raise AlertConfigError(f"{where}: duplicate channel name {name!r}")
        channel = replace(_build(checked, name, _path(checked.template_dir or template_dir, base_dir, where)),
                          timezone=timezone)
        redact.register(*channel.secrets())
        channels.append(channel)
    redact.install_log_filter()
    return channels


def _build(checked: AlertCommon, name: str, template_dir: Path | None) -> Channel:
    common = dict(
        name=name,
        type=checked.type,
        filters=Filters(checked.min_severity, checked.regions, checked.rules, checked.kinds or KINDS),
        retry=Retry(attempts=checked.retries, backoff=float(checked.retry_backoff)),
        timeout=float(checked.timeout),
        template_dir=template_dir,
    )
    if isinstance(checked, EmailAlert):
        security = checked.security or ("ssl" if checked.port == 465 else "starttls")
        return EmailChannel(
            **common, host=checked.host, port=checked.port or {"ssl": 465, "starttls": 587, "none": 25}[security],
            security=security, username=checked.username or None, password=checked.password or None,
            sender=checked.sender, to=checked.to, ca_file=checked.ca_file,
        )
    headers = getattr(checked, "headers", {})
    return HttpChannel(**common, url=checked.url, secret=getattr(checked, "secret", None) or None,
                       headers=tuple(headers.items()))


def _path(value, base_dir, where: str) -> Path | None:
    if value is None:
        return None
    path = Path(str(value)).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = Path(base_dir) / path
    if not path.is_dir():
        raise AlertConfigError(f"{where}: template_dir {str(path)!r} is not a folder")
    return path
