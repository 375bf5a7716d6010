"""The ``[[alert]]`` tables of ``jixiao.toml`` as typed models, one per channel type.

Validated when the file is read (so a misspelt key names its line) and again by the alerts
stage, which turns them into channels. Secrets come from ``<key>_env = "VAR"`` or ``${VAR}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field, fields
from typing import Annotated, Literal, Union

from pydantic import BeforeValidator, ConfigDict, Field, Strict, StringConstraints, TypeAdapter, model_validator
from pydantic.dataclasses import dataclass

from core.validators import as_list, http_url
from core.records import SEVERITIES

KINDS = ("inconsistency", "resolved", "run_failed", "portal_down", "test")
TYPES = ("webhook", "dingtalk", "wecom", "slack", "email")
SECURITY = ("starttls", "ssl", "none")

_FORBID = ConfigDict(extra="forbid")


def _addresses(value):
    value = as_list(value)
    if not value or not isinstance(value, list) or not all(isinstance(a, str) and "@" in a for a in value):
        raise ValueError("to must be an e-mail address or a list of them")
    return value


Text = Annotated[str, StringConstraints(min_length=1)]
Texts = Annotated[tuple[Text, ...], BeforeValidator(as_list)]
Url = Annotated[str, BeforeValidator(http_url)]
ChannelName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]


@dataclass(frozen=True, config=_FORBID, kw_only=True)
class AlertCommon:
    """Keys every channel type takes."""

    type: str
    name: ChannelName | None = None
    min_severity: Literal[SEVERITIES] = "info"  # this one and the more serious
    regions: Texts = ()  # substring match on filings.region, e.g. "株洲市"
    rules: Texts = ()  # empty: every rule
    kinds: Annotated[tuple[Literal[KINDS], ...], BeforeValidator(as_list)] = ()  # empty: every kind
    timeout: Annotated[float, Strict(), Field(ge=0.001)] = 10.0
    retries: Annotated[int, Strict(), Field(ge=1)] = 4
    retry_backoff: Annotated[float, Strict(), Field(ge=0)] = 2.0
    template_dir: str | None = None


@dataclass(frozen=True, config=_FORBID, kw_only=True)
class WebhookAlert(AlertCommon):
    type: Literal["webhook"]
    url: Url
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, config=_FORBID, kw_only=True)
class DingtalkAlert(AlertCommon):
    type: Literal["dingtalk"]
    url: Url
    secret: str | None = None  # 加签 signing key


@dataclass(frozen=True, config=_FORBID, kw_only=True)
class WecomAlert(AlertCommon):
    type: Literal["wecom"]
    url: Url


@dataclass(frozen=True, config=_FORBID, kw_only=True)
class SlackAlert(AlertCommon):
    type: Literal["slack"]
    url: Url


@dataclass(frozen=True, config=_FORBID, kw_only=True)
class EmailAlert(AlertCommon):
    type: Literal["email"]
    host: Text
    sender: Text = Field(alias="from")
    to: Annotated[tuple[str, ...], BeforeValidator(_addresses)] = ()
    port: Annotated[int, Strict(), Field(ge=1)] | None = None
    security: Literal["starttls", "ssl", "none"] | None = None  # default: ssl on port 465, else starttls
    username: str | None = None
    password: str | None = None
    ca_file: str | None = None  # for a relay with a private CA

    @model_validator(mode="after")
    def _checked(self) -> EmailAlert:
        _addresses(list(self.to))
        if self.password and not self.username:
            raise ValueError("password given without username")
        return self


ALERT_MODELS = (WebhookAlert, DingtalkAlert, WecomAlert, SlackAlert, EmailAlert)
AlertEntry = Annotated[Union[ALERT_MODELS], Field(discriminator="type")]


def keys_of(kind: object) -> list[str]:
    """The keys an ``[[alert]]`` table of this type may hold (to suggest the one a typo meant)."""
    model = dict(zip(TYPES, ALERT_MODELS)).get(kind)
    return [] if model is None else [{"sender": "from"}.get(f.name, f.name) for f in fields(model)]
ALERT_ENTRY = TypeAdapter(AlertEntry)


class SecretMissing(ValueError):
    """A ``<key>_env`` naming an unset variable, or given beside ``<key>``; ``key`` is the one at fault."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


def resolve_secret_keys(entry: Mapping, env: Mapping[str, str]) -> dict:
    """``url_env = "VAR"`` -> ``url = $VAR``: the entry as its model takes it."""
    values: dict = {}
    for key, value in entry.items():
        target = key.removesuffix("_env")
        if key.endswith("_env"):
            if target in entry:
                raise SecretMissing(key, f"give either {target} or {key}, not both")
            if not isinstance(value, str) or value not in env:
                raise SecretMissing(key, f"{key} names environment variable {value!r}, which is not set")
            values[target] = env[value]
        else:
            values[key] = value
    return values


def default_names(entries: list) -> list[str]:
    """Each entry's channel name: its ``name``, else its type, numbered from the second of a type.

    The default must not change when another channel is appended: deliveries are keyed on it,
    and a new name would re-send everything."""
    names, per_type = [], {}
    for entry in entries:
        kind = entry.get("type") if isinstance(entry, Mapping) else None
        kind = kind if isinstance(kind, str) else "alert"
        per_type[kind] = per_type.get(kind, 0) + 1
        default = f"{kind}" if per_type[kind] == 1 else f"{kind}-{per_type[kind]}"
        names.append(str(entry.get("name") or default) if isinstance(entry, Mapping) else default)
    return names
