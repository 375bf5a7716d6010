"""Across filings: budget units, their review queue, filing versions and the facts of earlier versions."""

from __future__ import annotations

from warehouse.schema.model import FILING_ID, RUN_ID, C, Table, View, columns_of
from warehouse.schema.tables import FACTS_T

UNIT_ID = "Stable id of a budget unit (预算单位): every filing it published, whatever name it printed."

UNITS_T = Table(
    "units_t",
    "One row per budget unit found (warehouse.units); a unit no filing belongs to is dropped.",
    (
        C("unit_id", "VARCHAR", UNIT_ID, "NOT NULL"),
        C("place", "VARCHAR", "Region of the name that founded it (core/regions.py), e.g. 湖南省岳阳市云溪区."),
        C("budget_code", "VARCHAR", "预算编码 of the founding filing, when printed."),
        C("created_at", "TIMESTAMP", "When the unit was first seen (UTC)."),
    ),
)

FILING_UNITS_T = Table(
    "filing_units_t",
    "Which unit each filing belongs to, and how that was decided.",
    (
        C("filing_id", "VARCHAR", FILING_ID, "NOT NULL"),
        C("unit_id", "VARCHAR", UNIT_ID, "NOT NULL"),
        C("printed_name", "VARCHAR", "The unit's name as the filing printed it."),
        C("region", "VARCHAR", "The filing's region (its portal's)."),
        C("place", "VARCHAR", "Region the name starts with (core/regions.py), else the filing's region."),
        C("name_key", "VARCHAR", "The name folded by warehouse/unit_names.toml (人民代表大会常务委员会 → 人大常委会, …)."),
        C("generic", "VARCHAR", "市/县/区 printed without a place name the region could supply."),
        C("budget_code", "VARCHAR", "预算编码 as printed, when printed."),
        C("staffing_note", "VARCHAR", "The narrative's sentence explaining a change of 编制数, if any."),
        C("method", "VARCHAR", "budget_code, name (same place and folded name), fuzzy (rapidfuzz) or new."),
        C("score", "DOUBLE", "Match score of the name (100 for budget_code/name, 0 for new)."),
        C("run_id", "VARCHAR", RUN_ID),
    ),
)

UNIT_REVIEW_T = Table(
    "unit_review_t",
    "Merges that were not certain: the filing got a unit of its own; a curator may merge them.",
    (
        C("filing_id", "VARCHAR", FILING_ID, "NOT NULL"),
        C("unit_id", "VARCHAR", "The unit the filing was given.", "NOT NULL"),
        C("candidate_unit_id", "VARCHAR", "The unit it may be.", "NOT NULL"),
        C("score", "DOUBLE", "Name similarity (rapidfuzz ratio of the folded names, 0-100)."),
        C("reason", "VARCHAR", "Why it was not merged, in Chinese."),
        C("created_at", "TIMESTAMP", "When the pair was queued (UTC)."),
    ),
)

UNIT_MERGES = Table(
    "unit_merges",
    "Unit merges a curator accepted (`jixiao review merge`): a name at a place is another unit's. Not derived "
    "data: rebuilt on every open from the state folder's unit_merges.csv, which rebuild and reprocess never touch.",
    (
        C("place", "VARCHAR", "Place of the merged name (the region rule's, e.g. 湖南省岳阳市云溪区)."),
        C("name_key", "VARCHAR", "The merged name, folded (filing_units_t.name_key).", "NOT NULL"),
        C("into_place", "VARCHAR", "Place of the unit it joins."),
        C("into_key", "VARCHAR", "Folded name of the unit it joins.", "NOT NULL"),
    ),
)

FILING_VERSIONS_T = Table(
    "filing_versions_t",
    "Every version of every filing: a new one when the portal replaced its documents with other bytes.",
    (
        C("filing_id", "VARCHAR", FILING_ID, "NOT NULL"),
        C("version", "INTEGER", "1 for the first documents loaded, +1 for each replacement.", "NOT NULL"),
        C("sha256", "VARCHAR", "Content hash over the version's documents."),
        C("fetched_at", "TIMESTAMP", "When the version was downloaded (UTC)."),
        C("loaded_at", "TIMESTAMP", "When it was first loaded (UTC)."),
        C("superseded_at", "TIMESTAMP", "When a newer version replaced it; NULL for the current version."),
    ),
)

FACTS_HISTORY_T = Table(
    "facts_history_t",
    "Facts of superseded filing versions, kept as they were loaded (facts_t holds the current version).",
    (FACTS_T.columns[0], C("version", "INTEGER", "The filing version the fact was read from.", "NOT NULL"))
    + FACTS_T.columns[1:],
)

UNIT_TABLES: tuple[Table, ...] = (UNITS_T, FILING_UNITS_T, UNIT_REVIEW_T, UNIT_MERGES, FILING_VERSIONS_T,
                                  FACTS_HISTORY_T)

# The name a unit prints most often (the longest on a tie) is its name.
_NAMES = """
SELECT unit_id, printed_name, count(*) AS n, list(filing_id ORDER BY filing_id) AS filing_ids
FROM filing_units_t GROUP BY unit_id, printed_name
"""

UNITS = View(
    "units",
    "One row per budget unit: its canonical name, region, budget code and every name it printed.",
    (
        ("unit_id", UNIT_ID),
        ("name", "The name its filings print most often."),
        ("region", "Its place, as read from its names (e.g. 湖南省岳阳市云溪区)."),
        ("budget_code", "预算编码, when a filing printed it."),
        ("names_seen", "Every printed name with the filings that printed it: list of {name, filing_ids}."),
        ("filing_count", "Filings of the unit."),
        ("first_year", "Earliest fiscal year filed."),
        ("last_year", "Latest fiscal year filed."),
    ),
    f"""
WITH names AS ({_NAMES}),
years AS (
    SELECT u.unit_id, count(*) AS filing_count, min(f.fiscal_year) AS first_year, max(f.fiscal_year) AS last_year,
           max(u.budget_code) AS budget_code
    FROM filing_units_t u JOIN filings_t f USING (filing_id) GROUP BY u.unit_id
)
SELECT t.unit_id,
       (SELECT arg_max(printed_name, n * 1000 + length(printed_name)) FROM names WHERE names.unit_id = t.unit_id) AS name,
       t.place AS region,
       coalesce(t.budget_code, y.budget_code) AS budget_code,
       (SELECT list({{'name': printed_name, 'filing_ids': filing_ids}} ORDER BY printed_name)
        FROM names WHERE names.unit_id = t.unit_id) AS names_seen,
       y.filing_count, y.first_year, y.last_year
FROM units_t t LEFT JOIN years y USING (unit_id)
""",
    (
        ("Units that printed their name more than one way",
         "SELECT name, region, len(names_seen) AS spellings, names_seen FROM units WHERE len(names_seen) > 1;"),
    ),
)

UNIT_REVIEW = View(
    "unit_review",
    "Candidate merges of budget units that were not certain enough to make: the curator's queue.",
    (
        ("filing_id", FILING_ID),
        ("printed_name", "The name the filing printed."),
        ("unit_id", "The unit it was given."),
        ("candidate_unit_id", "The unit it may be."),
        ("candidate_names", "Names the candidate unit printed."),
        ("score", "Name similarity, 0-100."),
        ("reason", "Why it was not merged."),
        ("created_at", "When it was queued (UTC)."),
    ),
    """
SELECT r.filing_id, u.printed_name, r.unit_id, r.candidate_unit_id,
       (SELECT list(DISTINCT c.printed_name) FROM filing_units_t c WHERE c.unit_id = r.candidate_unit_id)
           AS candidate_names,
       r.score, r.reason, r.created_at
FROM unit_review_t r LEFT JOIN filing_units_t u USING (filing_id)
""",
)

FILING_VERSIONS = View(
    "filing_versions",
    "Every published version of every filing; the SPEC views show the current one (superseded_at NULL).",
    columns_of(FILING_VERSIONS_T, ["filing_id", "version", "sha256", "fetched_at", "superseded_at"])
    + (("is_current", "True for the version the other views show."),),
    """
SELECT filing_id, version, sha256, fetched_at, superseded_at, superseded_at IS NULL AS is_current
FROM filing_versions_t
""",
    (
        ("Filings the portal replaced, with when",
         "SELECT filing_id, version, fetched_at, superseded_at FROM filing_versions\n"
         "WHERE filing_id IN (SELECT filing_id FROM filing_versions WHERE version > 1) ORDER BY ALL;"),
    ),
)

_FACT_COLUMNS = ["form", "subject", "item", "column", "value", "unit", "source_label", "match_score", "location"]

FACT_VERSIONS = View(
    "fact_versions",
    "The facts of every version of every filing: the current ones (as in facts) and those of superseded versions.",
    (("filing_id", FILING_ID), ("version", "Filing version the fact was read from (see filing_versions)."))
    + columns_of(FACTS_T, _FACT_COLUMNS),
    """
SELECT x.filing_id, coalesce(v.version, 1) AS version, x.form, x.subject, x.item, x."column", x.value, x.unit,
       x.source_label, x.match_score, x.location
FROM facts_t x
LEFT JOIN filing_versions_t v ON v.filing_id = x.filing_id AND v.superseded_at IS NULL
UNION ALL
SELECT filing_id, version, form, subject, item, "column", value, unit, source_label, match_score, location
FROM facts_history_t
""",
    (
        ("Numbers a re-publication changed",
         "SELECT o.filing_id, o.item, o.\"column\", o.value AS before, n.value AS after\n"
         "FROM fact_versions o JOIN fact_versions n\n"
         "  ON n.filing_id = o.filing_id AND n.version = o.version + 1 AND n.form = o.form\n"
         " AND n.item = o.item AND n.subject IS NOT DISTINCT FROM o.subject AND n.\"column\" IS NOT DISTINCT FROM o.\"column\"\n"
         "WHERE n.value IS DISTINCT FROM o.value;"),
    ),
)

# Headline figures of a filing: (name, form, item, column, comment).
HEADLINES = (
    ("full_year_budget", "overall_eval", "funds.total", "full_year_budget", "全年预算数 of overall_eval (万元)."),
    ("executed", "overall_eval", "funds.total", "executed", "全年执行数 of overall_eval (万元)."),
    ("three_public_final", "basic_data", "three_public.total", "final", "“三公”经费本年决算数 (万元)."),
    ("public_funds_final", "basic_data", "public_funds.total", "final", "公用经费本年决算数 (万元)."),
    ("project_final", "basic_data", "project.total", "final", "项目支出本年决算数 (万元)."),
    ("authorized", "basic_data", "staffing.authorized", None, "编制数 (人)."),
    ("actual", "basic_data", "staffing.actual", None, "实际在职人数 (人)."),
    ("total_score", "overall_eval", "total_score", None, "综合得分 (分)."),
)


def _headline(name: str, form: str, item: str, column: str | None) -> str:
    col = f"\"column\" = '{column}'" if column else "\"column\" IS NULL"
    return f"arg_min(value, ordinal) FILTER (WHERE form = '{form}' AND item = '{item}' AND {col}) AS {name}"


_HEAD = ",\n           ".join(_headline(n, f, i, c) for n, f, i, c, _ in HEADLINES)
_CHANGE = ",\n       ".join(
    f"c.{n}, CASE WHEN c.prior_filed IS NOT NULL THEN round(c.{n} - lag(c.{n}) OVER w, 2) END AS {n}_change"
    for n, *_ in HEADLINES
)

UNIT_YEARS = View(
    "unit_years",
    "One row per budget unit and fiscal year: the headline figures side by side, each with its change on "
    "the unit's previous filed year (NULL when that year is missing). When a unit filed twice for a year "
    "the filing loaded last counts.",
    (("unit_id", UNIT_ID), ("name", "The unit's name (see units)."), ("fiscal_year", "Fiscal year."),
     ("filing_id", FILING_ID), ("previous_year", "The unit's previous filed year, when it is fiscal_year - 1."))
    + tuple(pair for n, _, _, _, comment in HEADLINES
            for pair in ((n, comment), (f"{n}_change", f"{n} minus the previous year's."))),
    f"""
WITH h AS (
    SELECT filing_id,
           {_HEAD}
    FROM facts_t GROUP BY filing_id
), y AS (
    SELECT u.unit_id, f.fiscal_year, f.filing_id
    FROM filing_units_t u JOIN filings_t f USING (filing_id)
    WHERE f.fiscal_year IS NOT NULL AND f.status <> 'failed'
    QUALIFY row_number() OVER (PARTITION BY u.unit_id, f.fiscal_year ORDER BY f.loaded_at DESC, f.filing_id) = 1
), joined AS (
    SELECT y.unit_id, y.fiscal_year, y.filing_id, h.* EXCLUDE (filing_id),
           lag(y.fiscal_year) OVER (PARTITION BY y.unit_id ORDER BY y.fiscal_year) AS prior_filed
    FROM y LEFT JOIN h USING (filing_id)
), consecutive AS (
    -- a gap year breaks the comparison: the change is against year - 1 only
    SELECT * REPLACE (CASE WHEN prior_filed = fiscal_year - 1 THEN prior_filed END AS prior_filed) FROM joined
)
SELECT c.unit_id, un.name, c.fiscal_year, c.filing_id, c.prior_filed AS previous_year,
       {_CHANGE}
FROM consecutive c LEFT JOIN units un USING (unit_id)
WINDOW w AS (PARTITION BY c.unit_id ORDER BY c.fiscal_year)
""",
    (
        ("Year-over-year change of the 三公经费 and the staffing quota",
         "SELECT name, fiscal_year, three_public_final, three_public_final_change, authorized, authorized_change\n"
         "FROM unit_years ORDER BY name, fiscal_year;"),
    ),
)
