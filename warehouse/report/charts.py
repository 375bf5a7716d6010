"""The report's plotly charts: execution rates, staffing, flags over time."""

from __future__ import annotations

import re
from collections import Counter

from core.records import Severity
from core.clock import DEFAULT_TIMEZONE, to_local, zone_label
from warehouse.report.formatting import FONT_STACK, SEVERITY_COLOR, fmt_num


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


def flags_time_chart(cards: list, tz: str = DEFAULT_TIMEZONE):
    """Flags by fiscal year and by the day found (``cards``: the report's FilingCards)."""
    from plotly.subplots import make_subplots

    flags = [(c, f) for c in cards for f in c.flags]
    if not flags:
        return None
    years = sorted({c.fiscal_year for c, _ in flags if c.fiscal_year})
    days = sorted({to_local(f.detected_at, tz).date() for _, f in flags if f.detected_at})
    fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.1,
                        subplot_titles=("按报告年度 by fiscal year", f"按发现日期 by date detected（{zone_label(tz)}）"))
    for severity in Severity:
        by_year = Counter(c.fiscal_year for c, f in flags if f.severity == severity and c.fiscal_year)
        by_day = Counter(to_local(f.detected_at, tz).date() for _, f in flags
                         if f.severity == severity and f.detected_at)
        label = f"{severity.label} {severity.value}"
        fig.add_bar(x=[f"{y}年度" for y in years], y=[by_year.get(y, 0) for y in years], name=label,
                    marker_color=SEVERITY_COLOR[severity], legendgroup=severity, row=1, col=1,
                    hovertemplate="%{x}: %{y} 个" + severity.label + "<extra></extra>")
        fig.add_bar(x=[d.isoformat() for d in days], y=[by_day.get(d, 0) for d in days], name=label,
                    marker_color=SEVERITY_COLOR[severity], legendgroup=severity, showlegend=False, row=1, col=2,
                    hovertemplate="%{x}: %{y} 个" + severity.label + "<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title="问题数 flags", rangemode="tozero", col=1)
    _layout(fig, "问题随时间变化 Flags over time", 380)
    fig.update_layout(legend={"y": 1.16}, margin={"t": 96})
    return fig


def _html(fig, div_id: str) -> str:
    config = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=config)
