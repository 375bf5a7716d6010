"""Deciding what each channel has not heard yet, sending it, and recording the outcome."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin

import duckdb

from alerts import store
from alerts.channels import Channel, Retry
from alerts.redact import redact
from alerts.render import render, value_labels
from alerts.store import FALSE_ALARM, INCONSISTENCY, RESOLVED, FlagRow
from alerts.transport import DeliveryFailed, deliver
from core.clock import DEFAULT_TIMEZONE
from core.records import Severity

log = logging.getLogger("jixiao.alerts")

@dataclass
class ChannelResult:
    channel: str
    status: str  # sent | pending (delivery failed, kept for the next run) | nothing new | skipped | failed
    new: int = 0
    resolved: int = 0
    attempts: int = 0
    digest_id: str | None = None
    error: str | None = None  # redacted


@dataclass
class DispatchReport:
    run_id: str
    channels: list[ChannelResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No delivery was left owed or failed."""
        return all(c.status not in ("pending", "failed") for c in self.channels)

    @property
    def sent(self) -> int:
        return sum(c.status == "sent" for c in self.channels)

    def summary(self) -> str:
        lines = []
        for c in self.channels:
            line = f"{c.channel}: {c.status}"
            if c.new or c.resolved:
                line += f" ({c.new} new, {c.resolved} resolved)"
            if c.error:
                line += f" after {c.attempts} attempt(s): {c.error}"
            lines.append(line)
        return "\n".join(lines) or "no alert channels configured"


def dispatch(
    con: duckdb.DuckDBPyConnection, channels: Sequence[Channel], run_id: str, base_url: str | None = None
) -> DispatchReport:
    """Send each channel one digest of the flags it has not received (and of resolved ones).

    Never raises for a delivery failure: those stay pending in ``alert_deliveries`` and are
    retried by the next dispatch. Raises only when the warehouse tables are missing.
    """
    report = DispatchReport(run_id)
    if not channels:
        return report
    store.require_tables(con)
    flags = store.current_flags(con)
    for channel in channels:
        if INCONSISTENCY not in channel.filters.kinds:
            report.channels.append(ChannelResult(channel.name, "skipped"))
            continue
        report.channels.append(_dispatch_channel(con, channel, run_id, base_url, flags))
    return report


def _dispatch_channel(con, channel: Channel, run_id: str, base_url: str | None, flags: list[FlagRow]) -> ChannelResult:
    present = {f.fingerprint for f in flags}
    # A false alarm stays present (it is not "resolved") but is never alerted again.
    wanted = {f.fingerprint: f for f in flags
              if f.decision != FALSE_ALARM and channel.filters.sends(f.flag, f.region)}
    known = store.history(con, channel.name)
    new = [f for fp, f in wanted.items() if fp not in known or not known[fp].alerted]
    # "Resolved" needs a filing that was processed cleanly (a failed or partial re-extraction
    # also makes flags disappear, and that is not a correction) and no longer breaking the
    # rule at all: changed numbers are a new flag, not a fix.
    still_broken = {(f.filing_id, f.flag.rule) for f in flags}
    gone = {fp: h for fp, h in known.items()
            if h.alerted and fp not in present and (h.filing_id, h.rule) not in still_broken}
    info = store.filings(con, sorted({h.filing_id for h in gone.values() if h.filing_id}))
    resolved = {fp: h for fp, h in gone.items() if info.get(h.filing_id, {}).get("status") == "ok"}

    con.begin()
    try:
        store.withdraw(con, channel.name, INCONSISTENCY,
                       [fp for fp, h in known.items() if h.inconsistency_pending and fp not in wanted],
                       "withdrawn: the filing no longer has this flag (or the channel's filters exclude it)")
        store.withdraw(con, channel.name, RESOLVED,
                       [fp for fp, h in known.items() if h.resolved_pending and fp in present],
                       "withdrawn: the flag is present again")
        store.add_pending(con, channel.name, INCONSISTENCY, [
            (f.fingerprint, f.filing_id, f.flag.rule) for f in new
            if not (f.fingerprint in known and known[f.fingerprint].inconsistency_pending)
        ])
        store.add_pending(con, channel.name, RESOLVED, [
            (fp, h.filing_id, h.rule) for fp, h in resolved.items() if not h.resolved_pending
        ])
        con.commit()
    except BaseException:
        con.rollback()
        raise
    if not new and not resolved:
        return ChannelResult(channel.name, "nothing new")

    context = digest_context(run_id, base_url, new, resolved, info, channel.timezone)
    digest_id = f"{run_id}:{uuid.uuid4().hex[:8]}"
    result = ChannelResult(channel.name, "sent", new=len(new), resolved=len(resolved), digest_id=digest_id)
    groups = {INCONSISTENCY: [f.fingerprint for f in new], RESOLVED: list(resolved)}
    try:
        result.attempts = deliver(channel, render(channel, "digest", context))
    except DeliveryFailed as failure:
        result.status, result.attempts, result.error = "pending", failure.attempts, failure.detail
    except Exception as error:  # a broken user template: keep the alert owed, say why
        result.status, result.error = "pending", redact(f"cannot render message: {type(error).__name__}: {error}")
    con.begin()
    try:
        for kind, fps in groups.items():
            store.settle(con, channel.name, kind, fps, status=result.status, attempts=result.attempts,
                         digest_id=digest_id, error=result.error)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    _log(result)
    return result


def _unit_text(unit: str | None) -> str:
    """``%`` sticks to its number; other units follow a space."""
    return "" if not unit else (unit if unit == "%" else " " + unit)


def digest_context(run_id: str, base_url: str | None, new: list[FlagRow], resolved: dict, info: dict,
                   tz: str = DEFAULT_TIMEZONE) -> dict:
    """What the digest templates see (documented at the top of ``digest.md.j2``)."""
    filings: dict[str, dict] = {}
    for flag in new:
        entry = filings.setdefault(flag.filing_id, {
            "filing_id": flag.filing_id, "department": flag.department or flag.filing_id,
            "fiscal_year": flag.fiscal_year, "region": flag.region, "portal": flag.portal,
            "source_url": flag.source_url, "link": _link(flag.source_url, base_url), "flags": [],
        })
        one, detected = flag.flag, flag.stored.detected_at
        entry["flags"].append({
            "rule": one.rule, "severity": str(one.severity), "message": one.message, "expected": one.expected,
            "actual": one.actual, "subject": one.subject, "location": one.location_text, "unit": one.unit or "",
            "unit_text": _unit_text(one.unit),
            **value_labels(one.rule),
            "detected_at": detected.isoformat(sep=" ") if detected else None,
        })
    for entry in filings.values():
        entry["flags"].sort(key=lambda x: (Severity.rank_of(x["severity"]), x["rule"]))
    corrected: dict[str, dict] = {}
    for history in resolved.values():
        filing = info.get(history.filing_id, {})
        entry = corrected.setdefault(history.filing_id, {
            "filing_id": history.filing_id, "department": filing.get("department") or history.filing_id,
            "fiscal_year": filing.get("fiscal_year"), "source_url": filing.get("source_url"),
            "link": _link(filing.get("source_url"), base_url), "rules": [],
        })
        if history.rule not in entry["rules"]:
            entry["rules"].append(history.rule)
    severities = [f.flag.severity for f in new]
    return {
        "run_id": run_id,
        "generated_at": store.local_time(tz),
        "base_url": base_url,
        "counts": {
            "new": len(new), "resolved": len(resolved), "filings": len(filings),
            **{s: severities.count(s) for s in ("error", "warning", "info")},
        },
        "filings": list(filings.values()),
        "resolved": list(corrected.values()),
    }


def _link(source_url: str | None, base_url: str | None) -> str | None:
    if not source_url:
        return None
    if source_url.startswith(("http://", "https://")):
        return source_url
    # Locally ingested files have a path, not a URL: link it only when a base is served.
    return urljoin(base_url.rstrip("/") + "/", source_url.lstrip("/")) if base_url else None


def _log(result: ChannelResult) -> None:
    if result.status == "sent":
        log.info("alert digest %s sent to %s (%d new, %d resolved)", result.digest_id, result.channel,
                 result.new, result.resolved)
    else:
        log.warning("alert digest to %s kept pending: %s", result.channel, result.error)


# --- one-off notices --------------------------------------------------------------------


def notify_run_failed(
    con: duckdb.DuckDBPyConnection | None, channels: Sequence[Channel], run_id: str, error: object,
    base_url: str | None = None,
) -> list[ChannelResult]:
    """Tell every channel that run ``run_id`` failed (once per run and channel).

    ``con`` may be None when the warehouse itself is what failed: the notice is then sent
    without being recorded.
    """
    context = {"run_id": run_id, "error": _short(redact(error)), "base_url": base_url}
    return _notify(con, channels, "run_failed", store.event_fingerprint("run_failed", run_id), run_id, context)


def notify_portal_down(
    con: duckdb.DuckDBPyConnection | None, channels: Sequence[Channel], portal: str, consecutive_failures: int,
    error: object | None = None,
) -> list[ChannelResult]:
    """Tell every channel that ``portal`` was unreachable ``consecutive_failures`` nights in a row.

    Deduplicated per (portal, count): call it when the count reaches the threshold for one
    notice per outage, or every night past it for a daily reminder.
    """
    context = {"portal": portal, "consecutive_failures": consecutive_failures,
               "error": _short(redact(error)) if error else None, "base_url": None}
    fp = store.event_fingerprint("portal_down", portal, consecutive_failures)
    return _notify(con, channels, "portal_down", fp, portal, context)


def consecutive_failures(statuses: Iterable[bool | str | None]) -> int:
    """Trailing failures in per-run statuses, oldest first.

    A status is a success when it is True or one of ``ok``, ``partial``, ``reachable``,
    ``up``, ``not_modified`` (a 304 proves the portal answered).
    """
    count = 0
    for status in statuses:
        good = status is True or (isinstance(status, str) and status.lower() in _UP)
        count = 0 if good else count + 1
    return count


_UP = {"ok", "partial", "reachable", "up", "not_modified"}


def _notify(con, channels: Sequence[Channel], kind: str, fp: str, key: str, context: dict) -> list[ChannelResult]:
    results = []
    for channel in channels:
        if kind not in channel.filters.kinds:
            results.append(ChannelResult(channel.name, "skipped"))
            continue
        if con is not None and store.was_sent(con, channel.name, kind, fp):
            results.append(ChannelResult(channel.name, "skipped", error="already sent"))
            continue
        digest_id = f"{kind}:{key}:{uuid.uuid4().hex[:8]}"
        if con is not None:
            store.add_pending(con, channel.name, kind, [(fp, None, None)])
        result = _send_one(channel, kind, context, digest_id)
        if con is not None:
            # A notice is about one night: if it cannot be delivered now it is recorded as
            # failed rather than replayed stale the next evening.
            store.settle(con, channel.name, kind, [fp], status="sent" if result.status == "sent" else "failed",
                         attempts=result.attempts, digest_id=digest_id, error=result.error)
        results.append(result)
    return results


def _send_one(channel: Channel, kind: str, context: dict, digest_id: str | None) -> ChannelResult:
    result = ChannelResult(channel.name, "sent", digest_id=digest_id)
    context = {"generated_at": store.local_time(channel.timezone), **context}
    try:
        result.attempts = deliver(channel, render(channel, kind, context))
        log.info("%s notice sent to %s", kind, channel.name)
    except DeliveryFailed as failure:
        result.status, result.attempts, result.error = "failed", failure.attempts, failure.detail
    except Exception as error:
        result.status, result.error = "failed", redact(f"cannot render message: {type(error).__name__}: {error}")
    if result.status != "sent":
        log.warning("%s notice to %s failed: %s", kind, channel.name, result.error)
    return result


def _short(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def send_test(
    channels: Sequence[Channel], con: duckdb.DuckDBPyConnection | None = None
) -> list[tuple[str, bool, str]]:
    """Send a test message to every channel (``jixiao alerts test``): (name, ok, detail)."""
    outcome = []
    for channel in channels:
        # Quick feedback at the terminal: one retry, not the nightly backoff.
        quick = replace(channel, retry=Retry(attempts=2, backoff=min(channel.retry.backoff, 1.0)))
        fp = store.event_fingerprint("test", uuid.uuid4().hex)
        digest_id = f"test:{uuid.uuid4().hex[:8]}"
        if con is not None:
            store.add_pending(con, channel.name, "test", [(fp, None, None)])
        result = _send_one(quick, "test", {"channel": channel.name}, digest_id)
        if con is not None:
            store.settle(con, channel.name, "test", [fp], status=result.status, attempts=result.attempts,
                         digest_id=digest_id, error=result.error)
        ok = result.status == "sent"
        detail = f"delivered to {channel.target()}" if ok else f"{channel.target()}: {result.error}"
        outcome.append((channel.name, ok, detail))
    return outcome


def failed_run_hook(
    load_channels: Callable[[], Sequence[Channel]],
    open_db: Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]] | None = None,
) -> Callable[[object, object, object], None]:
    """A flow-run state hook ``hook(flow, flow_run, state)`` that calls :func:`notify_run_failed`.

    Built here without importing Prefect: ``flows/`` passes it as ``@flow(on_failure=[...],
    on_crashed=[...])``. ``open_db`` yields the writer connection; when it cannot be opened
    (often the very reason the run failed) the notice is sent unrecorded.
    """

    def hook(flow, flow_run, state) -> None:
        run_id = str(getattr(flow_run, "name", None) or getattr(flow_run, "id", "unknown run"))
        error = getattr(state, "message", None) or getattr(state, "name", None) or "failed"
        try:
            channels = load_channels()
        except Exception as problem:
            log.error("cannot alert that run %s failed: alert config: %s", run_id, redact(problem))
            return
        with ExitStack() as stack:
            con = None
            if open_db is not None:
                try:
                    con = stack.enter_context(open_db())
                except Exception as problem:
                    log.warning("run %s failure notice sent without recording it: %s", run_id, redact(problem))
            notify_run_failed(con, channels, run_id, error)

    return hook
