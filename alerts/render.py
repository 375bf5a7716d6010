"""Messages from Jinja2 templates that users may override (``template_dir``).

Each message is ``templates/<kind>.<format>.j2`` with format ``md`` (DingTalk, WeCom and
the webhook's text), ``slack``, ``txt`` and ``html`` (e-mail). A template sets its own
``title`` (``{% set title = ... %}``): the e-mail subject and the DingTalk card title.
A user folder only needs the files it changes; the rest fall back to the built-in ones.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from alerts.channels import Channel
from core.records import Severity
from alerts.transport import Message

BUILTIN = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def rule_labels() -> dict[str, str]:
    """Short Chinese names of the rule ids, from the one rule registry."""
    from checks.rules import RULES

    return {rule_id: rule.title for rule_id, rule in RULES.items()}


def value_labels(rule_id: str | None) -> dict[str, str]:
    """What a flag's ``actual`` (printed) and ``expected`` (computed or limit) are, for this rule."""
    from checks.rules import RULES

    rule = RULES.get(rule_id or "")
    printed, expected = rule.labels if rule else ("填报数", "核对值")
    return {"printed_label": printed, "expected_label": expected}


def number(value) -> str:
    """21.0 -> 21, 1284.930 -> 1284.93; blanks stay visible as a dash."""
    if value is None:
        return "—"
    if isinstance(value, (int, float)):
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    return str(value)


def slack_escape(value) -> str:
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def md_escape(value) -> str:
    # Robots would read brackets, stars and backticks in a department name as markup, and
    # their parsers do not honour backslash escapes: use the full-width forms instead.
    return str(value).translate(_MD_SAFE)


_MD_SAFE = str.maketrans({"[": "［", "]": "］", "*": "＊", "`": "｀", "<": "＜", ">": "＞"})


@lru_cache(maxsize=16)
def environment(template_dir: Path | None) -> jinja2.Environment:
    loaders = [jinja2.FileSystemLoader(str(template_dir))] if template_dir else []
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders + [jinja2.FileSystemLoader(str(BUILTIN))]),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=jinja2.StrictUndefined,  # a typo in a user's template fails `alerts test`, loudly
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(num=number, slack=slack_escape, md=md_escape)
    env.globals.update(severity_label=Severity.label_of,
                       rule_label=lambda r: rule_labels().get(r, r or ""))
    return env


def _render(env: jinja2.Environment, name: str, context: dict) -> tuple[str, str | None]:
    module = env.get_template(name).make_module(context)
    title = getattr(module, "title", None)
    return str(module).strip() + "\n", (" ".join(str(title).split()) if title is not None else None)


def render(channel: Channel, kind: str, context: dict) -> Message:
    """The message for ``channel``; digests drop trailing filings to fit the robot's size limit."""
    env = environment(channel.template_dir)
    context = {**context, "channel": channel.name, "channel_type": channel.type}
    filings = context.get("filings")
    shown = len(filings) if filings else 0
    while True:
        if filings is not None:
            context["shown"] = filings[:shown]
            context["omitted"] = sum(len(f["flags"]) for f in filings[shown:])
        text, title = _render(env, f"{kind}.{channel.format}.j2", context)
        size, limit = len(text.encode()), channel.max_bytes
        if limit is None or size <= limit or not shown:
            break
        shown = min(shown - 1, int(shown * limit / size))
    html = None
    if channel.type == "email":
        html, html_title = _render(env, f"{kind}.html.j2", context)
        title = title or html_title
    data = {k: v for k, v in context.items() if k not in ("shown", "channel_type")}
    return Message(kind=kind, title=title or kind, text=text, html=html, data=data)
