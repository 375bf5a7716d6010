"""The one-file HTML page of the report, and ``build_report`` that writes it."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from core.clock import DEFAULT_TIMEZONE
from core.paths import Paths
from core.records import Severity
from warehouse.publish import open_readonly
from warehouse.report.charts import _html, _short, execution_chart, flags_time_chart, staffing_chart
from warehouse.report.data import MAX_FILINGS, collect, portal_url
from warehouse.report.formatting import STATUS_LABEL, fmt_num, local_text, relative_href
from warehouse.review_queue import KIND_LABEL, command_for
from warehouse.reviews import DECISION_LABEL
from warehouse.timeline import FIGURES

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# plotly.js's official "basic" bundle (bar, scatter, pie: what the charts draw), 1.2 MB instead of the
# full 4.8 MB; its version must be the one plotly.py writes figures for (a test holds them equal).
PLOTLY_BUNDLE = TEMPLATES / "plotly-basic.min.js"
SEVERITY_LABEL = {s.value: s.label for s in Severity}


def render_report(data: dict, db_name: str, generated_at: datetime | None = None,
                  max_filings: int = MAX_FILINGS, out_dir: Path | None = None) -> str:
    """The HTML page for ``collect``'s data (plotly.js inlined, nothing fetched); at most
    ``max_filings`` filings are listed in each section, the most serious first. Links to
    stored documents are relative to ``out_dir``."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup

    names = {c.filing_id: c.name for c in data["cards"]}
    charts = {}
    for div_id, fig in (
        ("chart-execution", execution_chart(data["execution"], names)),
        ("chart-staffing", staffing_chart(data["staffing"], names)),
        ("chart-flags-time", flags_time_chart(data["cards"], data.get("tz", DEFAULT_TIMEZONE))),
    ):
        if fig is not None:
            charts[div_id] = Markup(_html(fig, div_id))
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["num"] = fmt_num
    env.filters["short"] = _short
    env.filters["href"] = lambda target: relative_href(target, out_dir)
    env.filters["portal"] = portal_url
    generated_at = generated_at or datetime.now(timezone.utc).replace(tzinfo=None)
    # The rule knows the printed decimals; the report marks what it flagged.
    misreported = {(c.filing_id, f.subject) for c in data["cards"] for f in c.flags
                   if f.rule == "execution_rate_misreported"}
    for row in data["execution"]:
        row["misreported"] = (row["filing_id"], row["subject"]) in misreported
    below = [r for r in data["execution"] if r["computed_execution_rate"] < 100 or r["misreported"]]
    return env.get_template("report.html.j2").render(
        **data, charts=charts, names=names, db_name=db_name, generated=local_text(generated_at, data.get("tz", DEFAULT_TIMEZONE)),
        plotly_js=Markup(PLOTLY_BUNDLE.read_text(encoding="utf-8")) if charts else "", severity_label=SEVERITY_LABEL,
        queue_kinds=KIND_LABEL, decision_label=DECISION_LABEL,
        queue_commands=[command_for(e) for e in data["queue"]],
        status_label=STATUS_LABEL, execution_watch=below[:12], execution_watch_total=len(below),
        over_quota=[r for r in data["staffing"] if r["over_quota"]], max_filings=max_filings,
        timeline_figures=FIGURES,
    )


def build_report(db_path: Path | str, out_path: Path | str, year: int | None = None, region: str | None = None,
                 max_filings: int = MAX_FILINGS, tz: str = DEFAULT_TIMEZONE) -> Path:
    """Write the one-file HTML report of the published warehouse at ``db_path`` (times in ``tz``);
    returns ``out_path``."""
    db_path, out_path = Path(db_path), Path(out_path)
    con = open_readonly(db_path)
    try:
        # Absolute, so links into the store are made relative to the report wherever it is written.
        data = collect(con, year, region, raw=Paths(db_path.resolve()).raw, tz=tz)
    finally:
        con.close()
    html = render_report(data, db_path.name, max_filings=max_filings, out_dir=out_path.parent)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out_path)  # a browser refreshing the old report never sees half a page
    return out_path
