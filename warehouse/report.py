"""What analysts read: the HTML report (``jixiao report``) and the query helpers (``jixiao query``).

Everything here opens the published warehouse read-only through ``warehouse.open_readonly``
/ ``warehouse.query``, so it is safe to run while the nightly pipeline writes its own file.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Sequence

import duckdb

from warehouse.publish import open_readonly, query

TEMPLATES = Path(__file__).resolve().parent / "templates"
QUERY_FORMATS = ("table", "csv", "json")

# Finance officers read Beijing time; the warehouse stores naive UTC.
BEIJING = timedelta(hours=8)
FONT_STACK = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'

SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
SEVERITY_LABEL = {"error": "错误", "warning": "警示", "info": "提示"}
SEVERITY_COLOR = {"error": "#c0392b", "warning": "#d68910", "info": "#7f8c8d"}
STATUS_LABEL = {"ok": "正常读取", "partial": "部分读取", "failed": "读取失败"}
MAX_FILINGS = 200  # per section: a province's 10,000 filings would make a page no browser opens

def value_labels() -> dict[str, tuple[str, str, str]]:
    """Rule id -> (what its ``actual``/printed is, what its ``expected`` is, unit), from ``checks.rules``."""
    try:
        from checks.rules import RULES
    except ImportError:  # the report must still render from a bare warehouse file
        return {}
    return {rule_id: (*rule.labels, rule.unit) for rule_id, rule in RULES.items()}


VALUE_LABELS = value_labels()
DEFAULT_VALUE_LABELS = ("填报数", "核对值", "")

# A county-level name ends the region; the short bound keeps 市场监督管理局 out of it.
_REGION = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,10}?(?:省|自治区))?"
    r"(?:[\u4e00-\u9fff]{2,12}?(?:市|自治州|州|盟|地区))?"
    r"(?:[\u4e00-\u9fff]{1,6}?(?:区|县|旗|市))?"
)
_LOCATION_WORDS = (
    (re.compile(r"\btable (\d+)"), r"表\1"),
    (re.compile(r"\bpage (\d+)"), r"第\1页"),
    (re.compile(r"\brow (\d+)"), r"第\1行"),
    (re.compile(r"\bcol (\d+)"), r"第\1列"),
    (re.compile(r"\bcell (\d+)"), r"第\1格"),
    (re.compile(r"\bpara (\d+)"), r"正文第\1段"),
)


def rule_titles() -> dict[str, str]:
    """Rule id -> its plain Chinese meaning (from ``checks.rules``)."""
    try:
        from checks.rules import RULES
    except ImportError:  # the report must still render from a bare warehouse file
        return {}
    return {rule_id: rule.title for rule_id, rule in RULES.items()}


# --- jixiao query ------------------------------------------------------------------------


class QueryError(ValueError):
    """SQL that ``jixiao query`` will not run: it does not parse, or it is not one read."""


class ReadOnlyQueryError(QueryError):
    """A statement that would change the warehouse (or write files beside it)."""


_READ_STATEMENTS = {"SELECT", "EXPLAIN", "PRAGMA", "CALL"}


def run_query(db_path: Path | str, sql: str) -> tuple[list[str], list[tuple]]:
    """One read-only statement against the published warehouse: (columns, rows).

    Raises ``QueryError`` unless it is a single statement, ``ReadOnlyQueryError`` (a
    ``QueryError``) when it would write; the read-only connection of ``warehouse.query`` is
    the final guard. Errors of the query itself are ``duckdb.Error``.
    """
    parser = duckdb.connect(":memory:")
    try:
        statements = parser.extract_statements(sql)
    except duckdb.ParserException as error:
        raise QueryError(f"SQL does not parse: {error}") from error
    finally:
        parser.close()
    if len(statements) != 1:
        raise QueryError(f"give exactly one SQL statement, not {len(statements)}")
    kind = statements[0].type.name
    if kind not in _READ_STATEMENTS:
        raise ReadOnlyQueryError(
            f"jixiao query is read-only: {kind} statements are refused "
            "(the warehouse is written by the pipeline only; use `jixiao export` for files)"
        )
    try:
        return query(db_path, sql)
    except duckdb.InvalidInputException as error:
        if "read-only" in str(error):
            raise ReadOnlyQueryError(f"jixiao query is read-only: {error}") from error
        raise


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN/Infinity
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.hex()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _text_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(_json_value(value), ensure_ascii=False)
    if isinstance(value, (datetime, date)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def _width(text: str) -> int:
    # CJK characters take two terminal cells.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str = "table") -> str:
    """Rows as an aligned text table, CSV (with header) or JSON (a list of objects)."""
    rows = [tuple(r) for r in rows]
    if fmt == "json":
        records = [dict(zip(columns, (_json_value(v) for v in row))) for row in rows]
        return json.dumps(records, ensure_ascii=False, indent=1)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_text_value(v) for v in row] for row in rows)
        return buffer.getvalue()
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(QUERY_FORMATS)}")
    cells = [["NULL" if v is None else _text_value(v).replace("\n", "⏎") for v in row] for row in rows]
    widths = [_width(c) for c in columns]
    for row in cells:
        widths = [max(w, _width(c)) for w, c in zip(widths, row)]

    def line(values: Sequence[str], numeric: Sequence[bool]) -> str:
        padded = []
        for text, width, right in zip(values, widths, numeric):
            pad = " " * (width - _width(text))
            padded.append(pad + text if right else text + pad)
        return " | ".join(padded).rstrip()

    numeric = [
        bool(rows) and all(isinstance(r[i], (int, float, Decimal)) or r[i] is None for r in rows)
        and not all(isinstance(r[i], bool) for r in rows)
        for i in range(len(columns))
    ]
    out = [line(list(columns), [False] * len(columns)), "-+-".join("-" * w for w in widths)]
    out += [line(row, numeric) for row in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def query_text(db_path: Path | str, sql: str, fmt: str = "table") -> str:
    """``jixiao query``: run one read-only statement and format its rows."""
    if fmt not in QUERY_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(QUERY_FORMATS)}")
    columns, rows = run_query(db_path, sql)
    return format_rows(columns, rows, fmt)


# --- the report: data ---------------------------------------------------------------------


def fmt_num(value: float | None, unit: str = "") -> str:
    """``164.03``, ``35``, ``98.49%``: at most two decimals, no trailing zeros."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    if unit == "%":
        return text + "%"
    return f"{text} {unit}" if unit else text


def beijing(stamp: datetime | None) -> str:
    return "" if stamp is None else (stamp + BEIJING).strftime("%Y-%m-%d %H:%M")


def infer_region(*names: str | None) -> str | None:
    """``株洲市芦淞区`` from ``株洲市芦淞区人民代表大会常务委员会``; None when nothing matches."""
    for name in names:
        if not name:
            continue
        match = _REGION.match(name)
        if match and match.group(0):
            return match.group(0)
    return None


def humanize_location(location: str | None, document: str | None = None) -> str:
    """``表1 第13行 第3列`` from ``<file>.docx table 1 row 13 col 3``; parts joined by ``；``."""
    if not location:
        return ""
    parts = []
    for part in location.split("; "):
        if document and part.startswith(document):
            part = part[len(document):].strip()
        for pattern, replacement in _LOCATION_WORDS:
            part = pattern.sub(replacement, part)
        parts.append(part.strip())
    return "；".join(dict.fromkeys(p for p in parts if p))


def source_href(source_url: str | None) -> str | None:
    """A link that opens the source: web URLs as they are, local paths as file:// URIs."""
    if not source_url:
        return None
    if re.match(r"^https?://", source_url, re.IGNORECASE):
        return source_url
    path = Path(source_url)
    if path.is_absolute():
        return path.as_uri()
    return None  # anything else (javascript:, relative names) is shown, never linked


@dataclass
class Flag:
    rule: str
    title: str
    severity: str
    message: str
    expected: float | None
    actual: float | None
    subject: str | None
    location: str
    location_raw: str
    detected_at: datetime | None
    stored_unit: str | None = None
    needs_review: bool = False

    @property
    def labels(self) -> tuple[str, str, str]:
        return VALUE_LABELS.get(self.rule, DEFAULT_VALUE_LABELS)

    @property
    def unit(self) -> str:
        if self.stored_unit is not None:
            return self.stored_unit
        unit = self.labels[2]
        if unit or self.actual is None:
            return unit
        # Rules comparing figures of any kind (narrative vs form) print the unit in the message.
        match = re.search(re.escape(fmt_num(self.actual)) + r"\s*(万元|元|人|分|%)", self.message)
        return match.group(1) if match else ""

    @property
    def actual_text(self) -> str:
        return fmt_num(self.actual, self.unit)

    @property
    def expected_text(self) -> str:
        return fmt_num(self.expected, self.unit)

    @property
    def difference_text(self) -> str:
        if self.actual is None or self.expected is None:
            return "—"
        diff = self.actual - self.expected
        sign = "+" if diff > 0 else ("−" if diff < 0 else "")
        return sign + fmt_num(abs(diff), self.unit)


@dataclass
class FilingCard:
    filing_id: str
    name: str
    department: str | None
    region: str | None
    fiscal_year: int | None
    status: str
    error: str | None
    grade: str | None
    total_score: float | None
    errors: int
    warnings: int
    infos: int
    source_url: str | None
    source_href: str | None
    document: str | None
    flags: list[Flag] = field(default_factory=list)

    @property
    def severity(self) -> str:
        return "error" if self.errors else ("warning" if self.warnings else "info")


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?", [name]
    ).fetchall()[0][0])


def collect(con: duckdb.DuckDBPyConnection, year: int | None = None, region: str | None = None) -> dict:
    """Everything the report shows, read from the public views (plus flag locations);
    ``year`` and ``region`` (a part of the region's name) narrow it to some filings."""
    titles = rule_titles()
    summary = _rows(con, """
        SELECT s.*, f.source_url, f.error
        FROM filing_summary s JOIN filings f USING (filing_id)
    """)
    # The filings view has no title; it names a filing whose department was not recognised.
    article_titles = dict(con.execute("SELECT filing_id, title FROM filings_t").fetchall()) \
        if _has_table(con, "filings_t") else {}
    cards: dict[str, FilingCard] = {}
    for row in summary:
        document = Path(row["source_url"]).name if row["source_url"] else None
        title = article_titles.get(row["filing_id"])
        name = row["department"] or title or (Path(document).stem if document else row["filing_id"])
        cards[row["filing_id"]] = FilingCard(
            filing_id=row["filing_id"], name=name, department=row["department"],
            region=row["region"] or infer_region(row["department"], title, document),
            fiscal_year=row["fiscal_year"], status=row["status"], error=row["error"], grade=row["grade"],
            total_score=row["total_score"], errors=row["error_flags"], warnings=row["warning_flags"],
            infos=row["info_flags"], source_url=row["source_url"], source_href=source_href(row["source_url"]),
            document=document,
        )
    region_given = {row["filing_id"]: row["region"] is not None for row in summary}
    if year is not None or region:
        cards = {
            key: card for key, card in cards.items()
            if (year is None or card.fiscal_year == year) and (not region or region in (card.region or ""))
        }

    flags = _rows(con, """
        SELECT i.filing_id, i.rule, i.severity, i.message, i.expected, i.actual, i.detected_at, i.subject,
               i.location, i.unit, i.needs_review
        FROM inconsistencies i
        ORDER BY CASE i.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, i.rule, i.message
    """)
    for row in flags:
        card = cards.get(row["filing_id"])
        if card is None:
            continue
        card.flags.append(Flag(
            rule=row["rule"], title=titles.get(row["rule"], row["rule"]), severity=row["severity"],
            message=row["message"], expected=row["expected"], actual=row["actual"], subject=row["subject"],
            location=humanize_location(row["location"], card.document), location_raw=row["location"] or "",
            detected_at=row["detected_at"], stored_unit=row["unit"], needs_review=bool(row["needs_review"]),
        ))

    flagged = sorted(
        (c for c in cards.values() if c.flags),
        key=lambda c: (-c.errors, -c.warnings, -c.infos, -(c.fiscal_year or 0), c.name),
    )
    all_cards = list(cards.values())
    by_status = Counter(c.status for c in all_cards)
    by_severity = Counter(f.severity for c in all_cards for f in c.flags)

    by_rule: dict[str, dict] = {}
    for card in all_cards:
        for flag in card.flags:
            entry = by_rule.setdefault(flag.rule, {
                "rule": flag.rule, "title": flag.title, "severity": flag.severity, "flags": 0, "filings": set()})
            entry["flags"] += 1
            entry["filings"].add(card.filing_id)
            if SEVERITY_RANK.get(flag.severity, 3) < SEVERITY_RANK.get(entry["severity"], 3):
                entry["severity"] = flag.severity
    rules = sorted(by_rule.values(), key=lambda e: (SEVERITY_RANK.get(e["severity"], 3), -e["flags"], e["rule"]))
    for entry in rules:
        entry["filings"] = len(entry["filings"])

    return {
        "cards": all_cards,
        "flagged": flagged,
        "clean": sorted((c for c in all_cards if not c.flags and c.status != "failed"),
                        key=lambda c: (-(c.fiscal_year or 0), c.name)),
        "unread": sorted((c for c in all_cards if c.status != "ok"),
                         key=lambda c: (c.status != "failed", c.name)),
        "totals": {
            "filings": len(all_cards),
            "ok": by_status.get("ok", 0), "partial": by_status.get("partial", 0),
            "failed": by_status.get("failed", 0),
            "flagged": len(flagged),
            "facts": sum(r["fact_count"] for r in summary if r["filing_id"] in cards),
            "indicators": sum(r["indicator_count"] for r in summary if r["filing_id"] in cards),
            "unmapped": sum(r["unmapped_label_count"] for r in summary if r["filing_id"] in cards),
            "flags": sum(by_severity.values()),
            "error": by_severity.get("error", 0), "warning": by_severity.get("warning", 0),
            "info": by_severity.get("info", 0),
        },
        "by_rule": rules,
        "by_region": _group(all_cards, lambda c: c.region or "（未注明）"),
        "regions_inferred": any(not region_given[c.filing_id] and c.region for c in all_cards),
        "by_year": _group(all_cards, lambda c: f"{c.fiscal_year}年度" if c.fiscal_year else "（年度不明）",
                          key=lambda e: e["key"]),
        "last_run": _last_run(con),
        "staffing": [row for row in _rows(con, """
            SELECT filing_id, department, fiscal_year, authorized, actual, reported_control_rate,
                   computed_control_rate, over_quota
            FROM staffing WHERE computed_control_rate IS NOT NULL
            ORDER BY computed_control_rate DESC, department
        """) if row["filing_id"] in cards],
        "execution": [row for row in _rows(con, """
            SELECT filing_id, department, fiscal_year, form, subject, full_year_budget, executed,
                   reported_execution_rate, computed_execution_rate
            FROM fund_execution
            WHERE item = 'funds.total' AND computed_execution_rate IS NOT NULL
            ORDER BY computed_execution_rate, department, subject
        """) if row["filing_id"] in cards],
        "scope": " · ".join(part for part in (f"{year}年度" if year else "", region or "") if part),
    }


def _group(cards: list[FilingCard], name, key=None) -> list[dict]:
    groups: dict[str, dict] = defaultdict(lambda: {"filings": 0, "flagged": 0, "error": 0, "warning": 0, "info": 0})
    for card in cards:
        entry = groups[name(card)]
        entry["filings"] += 1
        entry["flagged"] += bool(card.flags)
        entry["error"] += card.errors
        entry["warning"] += card.warnings
        entry["info"] += card.infos
    rows = [{"key": k, **v} for k, v in groups.items()]
    return sorted(rows, key=key or (lambda e: (-e["error"], -e["warning"], -e["info"], e["key"])))


def _last_run(con: duckdb.DuckDBPyConnection) -> dict | None:
    runs = _rows(con, """
        SELECT run_id, kind, started_at, finished_at, status, summary, error
        FROM runs ORDER BY started_at DESC LIMIT 1
    """) if _has_table(con, "runs") else []
    if not runs:
        return None
    run = runs[0]
    try:
        run["summary"] = json.loads(run["summary"]) if run["summary"] else {}
    except (TypeError, ValueError):
        run["summary"] = {}
    run["started"] = beijing(run["started_at"])
    run["finished"] = beijing(run["finished_at"])
    return run


# --- the report: charts -------------------------------------------------------------------


def _layout(fig, title: str, height: int) -> None:
    fig.update_layout(
        template="plotly_white", height=height, title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        font={"family": FONT_STACK, "size": 13}, margin={"l": 20, "r": 20, "t": 64, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        hoverlabel={"font": {"family": FONT_STACK}},
    )


def _short(name: str | None, limit: int = 16) -> str:
    name = (name or "（未识别单位）").replace("人民代表大会常务委员会", "人大常委会")
    # An article title stands in for an unrecognised department: keep the part before its year.
    name = re.sub(r"\d{4}年度?.*$", "", name) or name
    return name if len(name) <= limit else name[: limit - 1] + "…"


EXECUTION_BUCKETS = (
    ("低于80%", lambda r: r < 80),
    ("80–90%", lambda r: 80 <= r < 90),
    ("90–95%", lambda r: 90 <= r < 95),
    ("95–99%", lambda r: 95 <= r < 99),
    ("99–100%", lambda r: 99 <= r < 100),
    ("100%", lambda r: r == 100),
    ("超过100%", lambda r: r > 100),
)


def execution_bucket(rate: float) -> str:
    return next(label for label, test in EXECUTION_BUCKETS if test(rate))


def execution_chart(rows: list[dict], names: dict[str, str]):
    import plotly.graph_objects as go

    if not rows:
        return None
    # Fixed buckets read better than numeric bins here: exactly 100% is the common case and
    # must not share a bin with 99.5%, and the scale stays the same from one year to the next.
    labels = [label for label, _ in EXECUTION_BUCKETS]
    fig = go.Figure()
    for form, name, color in (("overall_eval", "部门整体 overall", "#1f618d"), ("project_eval", "项目 projects", "#7fb3d5")):
        members: dict[str, list[str]] = {label: [] for label in labels}
        for r in rows:
            if r["form"] == form:
                who = _short(names.get(r["filing_id"], r["department"]), 12)
                members[execution_bucket(r["computed_execution_rate"])].append(
                    f"{who} {r['subject'] or ''} {fmt_num(r['computed_execution_rate'], '%')}".replace("  ", " "))
        if not any(members.values()):
            continue
        fig.add_bar(
            x=labels, y=[len(members[label]) for label in labels], name=name, marker_color=color,
            customdata=["<br>".join(m[:8] + (["…"] if len(m) > 8 else [])) for m in members.values()],
            hovertemplate="执行率 %{x}：%{y} 条<br>%{customdata}<extra>" + name + "</extra>",
        )
    fig.update_layout(barmode="stack", bargap=0.25)
    fig.add_vrect(x0=5.5, x1=6.5, fillcolor="#c0392b", opacity=0.08, line_width=0, layer="below",
                  annotation={"text": "超预算<br>over budget", "font": {"color": "#c0392b"}},
                  annotation_position="top")
    fig.add_vline(x=5.5, line={"color": "#c0392b", "dash": "dash", "width": 2},
                  annotation={"text": "100%", "font": {"color": "#c0392b"}}, annotation_position="top left")
    fig.update_xaxes(title="执行率（全年执行数 ÷ 全年预算数，按数计算）", type="category",
                     categoryorder="array", categoryarray=labels)
    fig.update_yaxes(title="资金行数 count", rangemode="tozero", dtick=1 if len(rows) <= 20 else None)
    _layout(fig, "预算执行率分布 Distribution of execution rates", 380)
    return fig


def staffing_chart(rows: list[dict], names: dict[str, str], limit: int = 40):
    import plotly.graph_objects as go

    if not rows:
        return None
    shown = rows[:limit]
    labels = [f"{_short(names.get(r['filing_id'], r['department']))} {r['fiscal_year'] or ''}" for r in shown]
    colors = ["#c0392b" if r["over_quota"] else "#5d8aa8" for r in shown]
    fig = go.Figure()
    fig.add_bar(
        y=labels, x=[r["computed_control_rate"] for r in shown], orientation="h", marker_color=colors,
        name="按人数计算 computed", text=[
            f"{fmt_num(r['computed_control_rate'], '%')}  （{fmt_num(r['actual'])}/{fmt_num(r['authorized'])} 人）"
            for r in shown],
        textposition="auto", insidetextanchor="end", cliponaxis=False,
        hovertemplate="%{y}<br>实际/编制 %{text}<extra></extra>",
    )
    reported = [r for r in shown if r["reported_control_rate"] is not None]
    if reported:
        fig.add_scatter(
            y=[labels[shown.index(r)] for r in reported], x=[r["reported_control_rate"] for r in reported],
            mode="markers", name="报告填报 reported", marker={"symbol": "diamond", "size": 13, "color": "#1b2631",
                                                          "line": {"color": "white", "width": 1.5}},
            hovertemplate="%{y}<br>填报控制率 %{x}%<extra></extra>",
        )
    fig.add_vline(x=100, line={"color": "#c0392b", "dash": "dash", "width": 2},
                  annotation={"text": "100% 编制上限", "font": {"color": "#c0392b"}}, annotation_position="top")
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(title="人员控制率 % （实际在职人数 ÷ 编制数）", ticksuffix="%", rangemode="tozero")
    title = "人员控制率 Staffing control rate（红色 = 超编 over quota）"
    if len(rows) > limit:
        title += f"，前 {limit} / {len(rows)}"
    _layout(fig, title, 150 + 44 * len(shown))
    return fig


def flags_time_chart(cards: list[FilingCard]):
    from plotly.subplots import make_subplots

    flags = [(c, f) for c in cards for f in c.flags]
    if not flags:
        return None
    years = sorted({c.fiscal_year for c, _ in flags if c.fiscal_year})
    days = sorted({(f.detected_at + BEIJING).date() for _, f in flags if f.detected_at})
    fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.1,
                        subplot_titles=("按报告年度 by fiscal year", "按发现日期 by date detected（北京时间）"))
    for severity in ("error", "warning", "info"):
        by_year = Counter(c.fiscal_year for c, f in flags if f.severity == severity and c.fiscal_year)
        by_day = Counter((f.detected_at + BEIJING).date() for _, f in flags if f.severity == severity and f.detected_at)
        label = f"{SEVERITY_LABEL[severity]} {severity}"
        fig.add_bar(x=[f"{y}年度" for y in years], y=[by_year.get(y, 0) for y in years], name=label,
                    marker_color=SEVERITY_COLOR[severity], legendgroup=severity, row=1, col=1,
                    hovertemplate="%{x}: %{y} 个" + SEVERITY_LABEL[severity] + "<extra></extra>")
        fig.add_bar(x=[d.isoformat() for d in days], y=[by_day.get(d, 0) for d in days], name=label,
                    marker_color=SEVERITY_COLOR[severity], legendgroup=severity, showlegend=False, row=1, col=2,
                    hovertemplate="%{x}: %{y} 个" + SEVERITY_LABEL[severity] + "<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title="问题数 flags", rangemode="tozero", col=1)
    _layout(fig, "问题随时间变化 Flags over time", 380)
    fig.update_layout(legend={"y": 1.16}, margin={"t": 96})
    return fig


def _html(fig, div_id: str) -> str:
    config = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=config)


# --- the report: page ---------------------------------------------------------------------


def render_report(data: dict, db_name: str, generated_at: datetime | None = None,
                  max_filings: int = MAX_FILINGS) -> str:
    """The HTML page for ``collect``'s data (plotly.js inlined, nothing fetched); at most
    ``max_filings`` filings are listed in each section, the most serious first."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup
    from plotly.offline import get_plotlyjs

    names = {c.filing_id: c.name for c in data["cards"]}
    charts = {}
    for div_id, fig in (
        ("chart-execution", execution_chart(data["execution"], names)),
        ("chart-staffing", staffing_chart(data["staffing"], names)),
        ("chart-flags-time", flags_time_chart(data["cards"])),
    ):
        if fig is not None:
            charts[div_id] = Markup(_html(fig, div_id))
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["num"] = fmt_num
    env.filters["short"] = _short
    generated_at = generated_at or datetime.now(timezone.utc).replace(tzinfo=None)
    # The rule knows the printed decimals; the report marks what it flagged.
    misreported = {(c.filing_id, f.subject) for c in data["cards"] for f in c.flags
                   if f.rule == "execution_rate_misreported"}
    for row in data["execution"]:
        row["misreported"] = (row["filing_id"], row["subject"]) in misreported
    below = [r for r in data["execution"] if r["computed_execution_rate"] < 100 or r["misreported"]]
    return env.get_template("report.html.j2").render(
        **data, charts=charts, names=names, db_name=db_name, generated=beijing(generated_at),
        plotly_js=Markup(get_plotlyjs()) if charts else "", severity_label=SEVERITY_LABEL,
        status_label=STATUS_LABEL, execution_watch=below[:12], execution_watch_total=len(below),
        over_quota=[r for r in data["staffing"] if r["over_quota"]], max_filings=max_filings,
    )


def build_report(db_path: Path | str, out_path: Path | str, year: int | None = None, region: str | None = None,
                 max_filings: int = MAX_FILINGS) -> Path:
    """Write the one-file HTML report of the published warehouse at ``db_path``; returns ``out_path``."""
    db_path, out_path = Path(db_path), Path(out_path)
    con = open_readonly(db_path)
    try:
        data = collect(con, year, region)
    finally:
        con.close()
    html = render_report(data, db_path.name, max_filings=max_filings)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out_path)  # a browser refreshing the old report never sees half a page
    return out_path
