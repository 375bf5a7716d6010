"""The ``jixiao.toml`` configuration: portals to crawl, crawler politeness, schedule, alerts.

Secrets never live in the file: any string may hold ``${ENV_VAR}`` (or
``${ENV_VAR:-default}``), expanded from the environment when the file is read.
``[[alert]]`` tables are passed through untouched (after expansion) as ``alerts_raw`` for
the alerts module to validate.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cronsim import CronSim, CronSimError

DEFAULT_CONFIG = Path("jixiao.toml")
PLATFORMS = ("auto", "trs", "numeric", "hanweb")
DEFAULT_CONTACT = "https://github.com/search?q=jixiao"
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_NAME = re.compile(r"^[\w\-.\u4e00-\u9fff]+$")


class ConfigError(ValueError):
    """A config file that cannot be used; the message names the file, section and key."""


@dataclass(frozen=True)
class PortalConfig:
    name: str
    start_urls: tuple[str, ...]
    region: str | None = None
    department: str | None = None
    platform: str = "auto"  # trs | numeric | hanweb | auto
    allowed_hosts: tuple[str, ...] = ()  # host or host:port, "*.example.gov.cn" for subdomains
    max_pages: int = 20  # list pages walked per run
    rate_limit: float = 1.0  # requests per second per host
    concurrency: int = 1  # simultaneous requests per host
    report_column: bool = False  # the list holds only reports: read articles titled just "XX局" too

    def __post_init__(self) -> None:
        if not self.allowed_hosts:
            object.__setattr__(self, "allowed_hosts", hosts_of(self.start_urls))


@dataclass(frozen=True)
class CrawlerSettings:
    contact: str = DEFAULT_CONTACT
    user_agent: str = ""  # built from ``contact`` when empty
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 300.0  # whole download, since a read timeout is per socket read
    max_download_mb: float = 100.0
    retries: int = 3
    backoff: float = 1.0  # first retry wait in seconds, doubled each time
    max_retry_after: float = 120.0  # a longer Retry-After defers the URL to the next run
    robots_txt: bool = True
    recheck_days: float = 7.0  # an article already loaded, listed unchanged, is fetched again after this

    def __post_init__(self) -> None:
        if not self.user_agent:
            agent = f"jixiao/{_version()} (+{self.contact}; performance self-assessment report crawler)"
            object.__setattr__(self, "user_agent", agent)

    @property
    def max_download_bytes(self) -> int:
        return int(self.max_download_mb * 1024 * 1024)


@dataclass(frozen=True)
class Schedule:
    cron: str = "0 2 * * *"
    timezone: str = "Asia/Shanghai"


@dataclass(frozen=True)
class Config:
    portals: tuple[PortalConfig, ...] = ()
    crawler: CrawlerSettings = field(default_factory=CrawlerSettings)
    schedule: Schedule = field(default_factory=Schedule)
    alerts_raw: tuple[dict[str, Any], ...] = ()
    path: Path | None = None
    vocabulary: Path | None = None  # [mapping] vocabulary: wordings merged over the bundled vocabulary

    def portal(self, name: str) -> PortalConfig:
        for portal in self.portals:
            if portal.name == name:
                return portal
        raise KeyError(name)


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
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text: {error}") from None
    return parse_config(data, source=str(path), environ=environ, path=path)


def parse_config(
    data: dict[str, Any], source: str = "config", environ: dict[str, str] | None = None, path: Path | None = None
) -> Config:
    env = os.environ if environ is None else environ
    data = expand_env(data, env, source)
    unknown = set(data) - {"portal", "crawler", "schedule", "alert", "mapping"}
    if unknown:
        raise ConfigError(f"{source}: unknown section(s) {', '.join(sorted(unknown))}")
    portals = data.get("portal", [])
    if not isinstance(portals, list):
        raise ConfigError(f"{source}: portals are written [[portal]] (an array of tables)")
    parsed = tuple(_portal(entry, f"{source}: [[portal]] #{i + 1}") for i, entry in enumerate(portals))
    names = [p.name for p in parsed]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"{source}: [[portal]] names must be unique, repeated: {', '.join(duplicates)}")
    alerts = data.get("alert", [])
    if not isinstance(alerts, list) or not all(isinstance(a, dict) for a in alerts):
        raise ConfigError(f"{source}: alerts are written [[alert]] (an array of tables)")
    return Config(
        portals=parsed,
        crawler=_crawler(data.get("crawler", {}), f"{source}: [crawler]"),
        schedule=_schedule(data.get("schedule", {}), f"{source}: [schedule]"),
        alerts_raw=tuple(alerts),
        path=path,
        vocabulary=_mapping_vocabulary(data.get("mapping", {}), f"{source}: [mapping]", path),
    )


def _mapping_vocabulary(section: Any, where: str, path: Path | None) -> Path | None:
    """``[mapping] vocabulary``: a file of user wordings, relative to the config file."""
    if not isinstance(section, dict):
        raise ConfigError(f"{where}: must be a table")
    unknown = set(section) - {"vocabulary"}
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    named = _opt_str(section, "vocabulary", where)
    if named is None:
        return None
    return (path.parent / named) if path is not None else Path(named)


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


# --- sections ------------------------------------------------------------------------


def _portal(entry: Any, where: str) -> PortalConfig:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: must be a table")
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigError(f"{where}: 'name' is required (letters, digits, '-', '_', '.'), got {name!r}")
    where = f"{where} ({name})"
    _no_unknown(entry, PortalConfig, where, aliases={"start_url"})
    urls = entry.get("start_urls", entry.get("start_url"))
    if isinstance(urls, str):
        urls = [urls]
    if not urls or not isinstance(urls, list):
        raise ConfigError(f"{where}: 'start_urls' must be a non-empty list of list-page URLs")
    for url in urls:
        _check_url(url, f"{where}: start_urls")
    platform = entry.get("platform", "auto")
    if platform not in PLATFORMS:
        raise ConfigError(f"{where}: 'platform' must be one of {', '.join(PLATFORMS)}, got {platform!r}")
    hosts = entry.get("allowed_hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
        raise ConfigError(f"{where}: 'allowed_hosts' must be a list of host names")
    report_column = entry.get("report_column", False)
    if not isinstance(report_column, bool):
        raise ConfigError(f"{where}: 'report_column' must be true or false")
    return PortalConfig(
        name=name,
        start_urls=tuple(urls),
        region=_opt_str(entry, "region", where),
        department=_opt_str(entry, "department", where),
        platform=platform,
        allowed_hosts=tuple(h.lower() for h in hosts),
        max_pages=_number(entry, "max_pages", 20, where, integer=True),
        rate_limit=_number(entry, "rate_limit", 1.0, where),
        concurrency=_number(entry, "concurrency", 1, where, integer=True),
        report_column=report_column,
    )


def _crawler(section: Any, where: str) -> CrawlerSettings:
    if not isinstance(section, dict):
        raise ConfigError(f"{where}: must be a table")
    _no_unknown(section, CrawlerSettings, where)
    defaults = CrawlerSettings(contact=DEFAULT_CONTACT, user_agent="-")
    values: dict[str, Any] = {}
    for key in ("contact", "user_agent"):
        if key in section:
            values[key] = _opt_str(section, key, where) or ""
    if "contact" in section and not re.match(r"^(https?://|mailto:)\S+$", values["contact"]):
        raise ConfigError(f"{where}: 'contact' must be a URL (https://… or mailto:…), got {values['contact']!r}")
    for key in ("connect_timeout", "read_timeout", "total_timeout", "max_download_mb", "backoff", "max_retry_after"):
        values[key] = _number(section, key, getattr(defaults, key), where)
    values["recheck_days"] = _number(section, "recheck_days", defaults.recheck_days, where, minimum=0)
    values["retries"] = _number(section, "retries", defaults.retries, where, integer=True, minimum=0)
    robots = section.get("robots_txt", True)
    if not isinstance(robots, bool):
        raise ConfigError(f"{where}: 'robots_txt' must be true or false")
    return CrawlerSettings(robots_txt=robots, **values)


def _schedule(section: Any, where: str) -> Schedule:
    if not isinstance(section, dict):
        raise ConfigError(f"{where}: must be a table")
    _no_unknown(section, Schedule, where)
    cron = section.get("cron", Schedule.cron)
    if not isinstance(cron, str) or not is_cron(cron):
        raise ConfigError(f"{where}: 'cron' must be a cron expression (minute hour day month weekday), got {cron!r}")
    timezone = section.get("timezone", Schedule.timezone)
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(timezone)
    except Exception:
        raise ConfigError(f"{where}: 'timezone' {timezone!r} is not an IANA time zone (e.g. Asia/Shanghai)") from None
    return Schedule(cron=cron, timezone=timezone)


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


def _no_unknown(section: dict, cls: type, where: str, aliases: set[str] = frozenset()) -> None:
    known = set(cls.__dataclass_fields__) | set(aliases)
    unknown = sorted(set(section) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")


def _opt_str(section: dict, key: str, where: str) -> str | None:
    value = section.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{where}: {key!r} must be a string, got {value!r}")
    return value


def _number(section: dict, key: str, default: Any, where: str, integer: bool = False, minimum: float | None = None):
    value = section.get(key, default)
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ConfigError(f"{where}: {key!r} must be {'an integer' if integer else 'a number'}, got {value!r}")
    low = minimum if minimum is not None else (1 if integer else 0)
    if value < low or (not integer and minimum is None and value == 0):
        wanted = "positive" if not integer and minimum is None else f"≥ {low}"
        raise ConfigError(f"{where}: {key!r} must be {wanted}, got {value!r}")
    return value


def _check_url(url: Any, where: str) -> None:
    parts = urlsplit(url) if isinstance(url, str) else None
    if not parts or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: {url!r} is not an http(s) URL")
