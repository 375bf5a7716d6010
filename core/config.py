"""The ``jixiao.toml`` configuration: portals to crawl, crawler politeness, schedule, alerts.

Secrets never live in the file: any string may hold ``${ENV_VAR}`` (or
``${ENV_VAR:-default}``), expanded from the environment when the file is read.
Every table is a typed model that forbids unknown keys; a mistake is one line naming the file,
the line, the table and the key. ``[[alert]]`` tables are checked here too (core.alert_config)
and kept as written in ``alerts_raw`` for the alerts stage to build its channels from.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import field, fields
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError
from pydantic import (
    AfterValidator, BeforeValidator, ConfigDict, Field, Strict, StrictBool, StringConstraints, TypeAdapter,
    ValidationError,
)
from pydantic.dataclasses import dataclass

from core.alert_config import TYPES as ALERT_TYPES, AlertEntry, SecretMissing, default_names, keys_of, resolve_secret_keys
from core.config_errors import describe, key_line
from core.validators import as_list, http_url

DEFAULT_CONFIG = Path("jixiao.toml")
PLATFORMS = ("auto", "trs", "numeric", "hanweb")
DEFAULT_CONTACT = "https://github.com/search?q=jixiao"
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_NAME = re.compile(r"^[\w\-.\u4e00-\u9fff]+$")


class ConfigError(ValueError):
    """A config file that cannot be used; the message names the file, line, table and key."""


_FORBID = ConfigDict(extra="forbid")


def _cron(expression: str) -> str:
    if not is_cron(expression):
        raise ValueError("must be a cron expression (minute hour day month weekday)")
    return expression


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("is not an IANA time zone (e.g. Asia/Shanghai)") from None
    return name


def _contact(value: str) -> str:
    if not re.match(r"^(https?://|mailto:)\S+$", value):
        raise ValueError("must be a URL (https://… or mailto:…)")
    return value


def _name(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError("may hold only letters, digits, '-', '_' and '.'")
    return value


Name = Annotated[str, AfterValidator(_name)]
HttpUrl = Annotated[str, BeforeValidator(http_url)]
Positive = Annotated[float, Strict(), Field(gt=0)]
Count = Annotated[int, Strict(), Field(ge=1)]


@dataclass(frozen=True, config=_FORBID)
class PortalConfig:
    name: Name
    start_urls: Annotated[tuple[HttpUrl, ...], BeforeValidator(as_list), Field(min_length=1)]
    region: str | None = None
    department: str | None = None
    platform: Literal[PLATFORMS] = "auto"
    allowed_hosts: tuple[Annotated[str, StringConstraints(min_length=1)], ...] = ()  # "*.x.gov.cn", "host:8080"
    max_pages: Count = 20  # list pages walked per run
    rate_limit: Positive = 1.0  # requests per second per host
    concurrency: Count = 1  # simultaneous requests per host
    report_column: StrictBool = False  # the list holds only reports: read articles titled just "XX局" too

    def __post_init__(self) -> None:
        hosts = tuple(h.lower() for h in self.allowed_hosts) or hosts_of(self.start_urls)
        object.__setattr__(self, "allowed_hosts", hosts)


@dataclass(frozen=True, config=_FORBID)
class CrawlerSettings:
    contact: Annotated[str, AfterValidator(_contact)] = DEFAULT_CONTACT
    user_agent: str = ""  # built from ``contact`` when empty
    connect_timeout: Positive = 10.0
    read_timeout: Positive = 30.0
    total_timeout: Positive = 300.0  # whole download, since a read timeout is per socket read
    max_download_mb: Positive = 100.0
    retries: Annotated[int, Strict(), Field(ge=0)] = 3
    backoff: Positive = 1.0  # first retry wait in seconds, doubled each time
    max_retry_after: Positive = 120.0  # a longer Retry-After defers the URL to the next run
    robots_txt: StrictBool = True
    recheck_days: Annotated[float, Strict(), Field(ge=0)] = 7.0  # a loaded article, listed unchanged, is
    # fetched again after this

    def __post_init__(self) -> None:
        if not self.user_agent:
            agent = f"jixiao/{_version()} (+{self.contact}; performance self-assessment report crawler)"
            object.__setattr__(self, "user_agent", agent)

    @property
    def max_download_bytes(self) -> int:
        return int(self.max_download_mb * 1024 * 1024)


@dataclass(frozen=True, config=_FORBID)
class Schedule:
    cron: Annotated[str, AfterValidator(_cron)] = "0 2 * * *"
    timezone: Annotated[str, AfterValidator(_time_zone)] = "Asia/Shanghai"


@dataclass(frozen=True, config=_FORBID)
class MappingSettings:
    vocabulary: str | None = None  # a file of user wordings, relative to the config file


@dataclass(frozen=True, config=_FORBID)
class ConfigFile:
    """``jixiao.toml`` as written: every table and key it may hold."""

    portal: list[PortalConfig] = field(default_factory=list)
    crawler: CrawlerSettings = field(default_factory=CrawlerSettings)
    schedule: Schedule = field(default_factory=Schedule)
    alert: list[AlertEntry] = field(default_factory=list)
    mapping: MappingSettings = field(default_factory=MappingSettings)


@dataclass(frozen=True)
class Config:
    portals: tuple[PortalConfig, ...] = ()
    crawler: CrawlerSettings = field(default_factory=CrawlerSettings)
    schedule: Schedule = field(default_factory=Schedule)
    alerts_raw: tuple[dict[str, Any], ...] = ()  # [[alert]] tables, checked; alerts.parse_channels builds them
    path: Path | None = None
    vocabulary: Path | None = None  # [mapping] vocabulary: wordings merged over the bundled vocabulary

    def portal(self, name: str) -> PortalConfig:
        for portal in self.portals:
            if portal.name == name:
                return portal
        raise KeyError(name)


_FILE = TypeAdapter(ConfigFile)
_SECTION_KEYS = {
    "portal": [f.name for f in fields(PortalConfig)],
    "crawler": [f.name for f in fields(CrawlerSettings)],
    "schedule": [f.name for f in fields(Schedule)],
    "mapping": [f.name for f in fields(MappingSettings)],
    "alert": [],  # per type: see _known_keys
    None: [f.name for f in fields(ConfigFile)],
}


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("jixiao")
    except Exception:  # running from a source tree that was never installed
        return "0"


def hosts_of(urls: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Hosts of the start URLs; a non-default port is kept so only that port is allowed."""
    hosts: list[str] = []
    for url in urls:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        default_port = {"http": 80, "https": 443}.get(parts.scheme)
        if parts.port and parts.port != default_port:
            host = f"{host}:{parts.port}"
        if host and host not in hosts:
            hosts.append(host)
    return tuple(hosts)


def load_config(path: Path | str | None = None, environ: dict[str, str] | None = None) -> Config:
    """Read ``path`` (default ``./jixiao.toml``) into a :class:`Config`."""
    path = Path(path) if path else DEFAULT_CONFIG
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found (pass --config FILE or --portal NAME=URL)")
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text: {error}") from None
    return parse_config(data, source=str(path), environ=environ, path=path, text=text)


def parse_config(
    data: dict[str, Any], source: str = "config", environ: dict[str, str] | None = None, path: Path | None = None,
    text: str | None = None,
) -> Config:
    """``data`` (a parsed ``jixiao.toml``) checked against :class:`ConfigFile`; ``text`` gives line numbers."""
    env = os.environ if environ is None else environ
    data = expand_env(data, env, source)
    alerts = data.get("alert", [])
    checked = dict(data)
    if isinstance(alerts, list):
        names = default_names(alerts)
        entries = []
        for index, entry in enumerate(alerts):
            try:
                entries.append(resolve_secret_keys(entry, env) if isinstance(entry, Mapping) else entry)
            except SecretMissing as error:
                raise _error(source, text, ("alert", index, error.key), str(error), names) from None
        checked["alert"] = entries
    try:
        parsed = _FILE.validate_python(checked)
    except ValidationError as error:
        loc, what = describe(error, _known_keys(error, checked))
        raise _error(source, text, loc, what, _labels(checked, loc)) from None
    names = [p.name for p in parsed.portal]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise _error(source, text, ("portal", index, "name"), f"names must be unique, {name!r} is repeated",
                         names)
    vocabulary = parsed.mapping.vocabulary
    return Config(
        portals=tuple(parsed.portal),
        crawler=parsed.crawler,
        schedule=parsed.schedule,
        alerts_raw=tuple(alerts),
        path=path,
        vocabulary=None if vocabulary is None else (path.parent / vocabulary if path is not None else Path(vocabulary)),
    )


def _labels(data: dict, loc: tuple) -> list[str | None]:
    entries = data.get(loc[0]) if loc and isinstance(loc[0], str) else None
    if not isinstance(entries, list):
        return []
    if loc[0] == "alert":
        return default_names(entries)
    return [e.get("name") if isinstance(e, Mapping) and isinstance(e.get("name"), str) else None for e in entries]


def _known_keys(error: ValidationError, data: dict) -> list[str]:
    """The keys the table at fault may hold, to suggest the one a misspelt key meant."""
    loc = error.errors()[0]["loc"]
    section = loc[0] if len(loc) > 1 else None
    if section == "alert" and isinstance(loc[1], int):
        entry = data["alert"][loc[1]]
        return keys_of(entry.get("type") if isinstance(entry, Mapping) else None)
    return _SECTION_KEYS.get(section, [])


def _error(source: str, text: str | None, loc: tuple, what: str, labels: list[str | None]) -> ConfigError:
    """``labels``: the names of the entries of the array the mistake is in (``[[portal]] #2 (name)``)."""
    section = loc[0] if loc and isinstance(loc[0], str) else None
    index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    key = next((part for part in loc[1:] if isinstance(part, str) and part not in ALERT_TYPES), None)
    if section is not None and section not in _SECTION_KEYS:  # a table no jixiao.toml has, e.g. [portals]
        key, what = None, f"unknown section [{section}]"
        table = ""
    else:
        table = {"portal": "[[portal]]", "alert": "[[alert]]"}.get(section, f"[{section}]" if section else "")
    if len(loc) == 1 and section in ("portal", "alert"):
        what = f"write [[{section}]] tables (an array of tables)"
    elif len(loc) == 1 and section in _SECTION_KEYS:
        what = "must be a table"
    if index is not None:
        label = labels[index] if index < len(labels) else None
        table += f" #{index + 1}" + (f" ({label})" if label else "")
    line = key_line(text, section, index, key) if text else None
    where = source if line is None else f"{source}:{line}"
    return ConfigError(f"{where}: {table}: {what}" if table else f"{where}: {what}")


def portal_from_arg(arg: str) -> PortalConfig:
    """``NAME=URL`` (or a bare URL, named after its host) from ``jixiao run --portal``."""
    name, sep, url = arg.partition("=")
    if not sep or "://" in name:
        name, url = "", arg
    url = url.strip()
    _check_url(url, f"--portal {arg!r}")
    name = name.strip() or (urlsplit(url).hostname or "portal")
    if not _NAME.match(name):
        raise ConfigError(f"--portal {arg!r}: name {name!r} may hold only letters, digits, '-', '_' and '.'")
    return PortalConfig(name=name, start_urls=(url,))


# --- helpers ---------------------------------------------------------------------------


def is_cron(expression: str) -> bool:
    """A five-field cron expression that cronsim can schedule (counting fields let "99 * * * *" by)."""
    if len(expression.split()) != 5:  # cronsim also takes a sixth (seconds) field; Prefect does not
        return False
    try:
        CronSim(expression, datetime(2000, 1, 1))
    except CronSimError:
        return False
    return True


def expand_env(value: Any, env: Mapping[str, str], where: str) -> Any:
    """``${VAR}`` and ``${VAR:-default}`` in every string of ``value`` (nested lists and tables too)."""
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in env:
                return env[name]
            if default is not None:
                return default
            raise ConfigError(f"{where} refers to ${{{name}}}, which is not set")

        return _ENV_REF.sub(replace, value)
    if isinstance(value, Mapping):
        return {k: expand_env(v, env, f"{where}: {k}") for k, v in value.items()}
    if isinstance(value, list):
        return [expand_env(v, env, where) for v in value]
    return value


def _check_url(url: Any, where: str) -> None:
    try:
        http_url(url)
    except ValueError:
        raise ConfigError(f"{where}: {url!r} is not an http(s) URL") from None
