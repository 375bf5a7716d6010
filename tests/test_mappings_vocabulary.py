"""The label vocabulary is consistent, and labels map by context, never by luck."""

from __future__ import annotations

import copy
from collections import Counter

import pytest

from extractors.textdump import parse_dump
from core.records import Paragraph
from mappings import map_filing
from mappings.match import match_column, match_item, match_normalized
from mappings.vocabulary import FORMS, VocabularyError, clashes, load_vocabulary, use_user_vocabulary
from tests.conftest import seed_path

SPEC_ITEMS = {
    "basic_data": {
        "staffing.authorized", "staffing.actual", "staffing.control_rate",
        "three_public.total", "three_public.vehicles", "three_public.vehicle_purchase",
        "three_public.vehicle_operation", "three_public.overseas", "three_public.reception",
        "project.total", "project.business", "project.operation", "project.special", "project.line",
        "public_funds.total", "public_funds.office", "public_funds.utilities_travel",
        "public_funds.meetings_training", "public_funds.line", "procurement", "basic_budget_adjustment",
        "buildings.approved_area", "buildings.actual_area", "buildings.area_control_rate",
        "buildings.budget_investment", "buildings.actual_investment", "buildings.investment_control_rate",
    },
    "overall_eval": {
        "funds.total", "revenue.general_budget", "revenue.gov_fund", "revenue.special_account",
        "revenue.other", "expenditure.basic", "expenditure.project", "total_score",
    },
    "project_eval": {"funds.total", "funds.appropriation", "funds.carryover", "funds.other", "total_score"},
    "project_list": {"project.amount", "project.total"},
}
SPEC_COLUMNS = {
    "basic_data": {"prior_final", "budget", "final"},
    "overall_eval": {"initial_budget", "full_year_budget", "executed", "max_score", "execution_rate", "score"},
    "project_eval": {"initial_budget", "full_year_budget", "executed", "max_score", "execution_rate", "score"},
}


def test_every_spec_item_and_column_is_in_the_vocabulary():
    vocabulary = load_vocabulary()
    for form in FORMS:
        assert {i.key for i in vocabulary.items_for(form)} == SPEC_ITEMS[form], form
    for form, columns in SPEC_COLUMNS.items():
        assert {c.key for c in vocabulary.columns_for(form)} == columns, form


@pytest.mark.parametrize("form", FORMS)
def test_no_synonym_claimed_twice_in_a_form(form):
    claimed = Counter(s for item in load_vocabulary().items_for(form) for s in item.normalized)
    assert [s for s, n in claimed.items() if n > 1] == []


@pytest.mark.parametrize("form", FORMS)
def test_no_column_synonym_claimed_twice(form):
    claimed = Counter(s for column in load_vocabulary().columns_for(form) for s in column.normalized)
    assert [s for s, n in claimed.items() if n > 1] == []


def test_synonyms_are_not_empty_and_structure_labels_name_no_item():
    vocabulary = load_vocabulary()
    structural = set().union(*vocabulary.structure.values())
    for item in vocabulary.items:
        assert all(item.normalized), item.key
        assert item.layout in ("over", "cols", "pair", "total", "line"), item.key
        assert (item.layout == "line") == (not item.synonyms), item.key
        assert not structural & set(item.normalized), item.key


def test_every_section_has_one_total_and_one_line():
    vocabulary = load_vocabulary()
    for section in {i.section for i in vocabulary.items if i.section}:
        members = [i for i in vocabulary.items if i.section == section]
        assert sum(i.opens_section for i in members) == 1, section
        assert sum(i.layout == "line" for i in members) == 1, section


@pytest.mark.parametrize(
    ("label", "form", "item"),
    [
        ('"三公"经费', "basic_data", "three_public.total"),
        ("“三公”经费", "basic_data", "three_public.total"),
        ("因公出国（境）费用", "basic_data", "three_public.overseas"),
        ("2、出国经费", "basic_data", "three_public.overseas"),
        ("公务用车购置及运行费", "basic_data", "three_public.vehicles"),
        ("3、市级专项资金（一个专项一行）", "basic_data", "project.special"),
        ("3、本级专项资金（一个专项一行）", "basic_data", "project.special"),
        ("实有人数", "basic_data", "staffing.actual"),
        ("2023年实际在职人数", "basic_data", "staffing.actual"),
        ("⽀出", "overall_eval", None),
        ("基本⽀出", "overall_eval", "expenditure.basic"),  # Kangxi 支
        ("其中：基本⽀出：", "overall_eval", "expenditure.basic"),
        ("其他资金", "overall_eval", "revenue.other"),
        ("其他资金", "project_eval", "funds.other"),
        ("项目支出：", "basic_data", "project.total"),
        ("项目支出：", "overall_eval", "expenditure.project"),
        ("年度资金总额\u3000", "project_eval", "funds.total"),
        ("其中：当年财政拨款\u3000", "project_eval", "funds.appropriation"),
        ("绩效自评综合得分", "overall_eval", "total_score"),
        ("人大监督", "basic_data", None),
        ("代表履职", "basic_data", None),
    ],
)
def test_labels_map_in_their_form(label, form, item):
    found = match_item(label, form)
    assert (found[0].key if found else None) == item


def test_kangxi_radicals_map_like_their_normal_form():
    assert match_normalized("⼀级指标", {"l1": ("一级指标",), "l2": ("二级指标",)}) is None  # unnormalised: tie
    assert match_item("⽀出", "overall_eval") is None
    for printed, plain in [("基本⽀出", "基本支出"), ("政府性基⾦拨款", "政府性基金拨款"), ("⼀般公共预算", "一般公共预算")]:
        assert match_item(printed, "overall_eval")[0].key == match_item(plain, "overall_eval")[0].key


def test_fuzzy_needs_a_cutoff_and_a_margin():
    candidates = {"a": ("会议费、培训费",), "b": ("会议费、差旅费",)}
    assert match_normalized("会议费", candidates) is None  # equally close to both: unmapped
    found = match_normalized("公务用车购置及运行维护经费", {i.key: i.normalized for i in load_vocabulary().items_for("basic_data")})
    assert found is not None and found.key == "three_public.vehicles" and found.method == "fuzzy"
    assert 88 <= found.score < 100


@pytest.mark.parametrize(
    ("header", "form", "column"),
    [("年初预算数(万元)", "overall_eval", "initial_budget"), ("全年\n\n执行数", "project_eval", "executed"),
     ("上年决算数", "basic_data", "prior_final"), ("本年预算数", "basic_data", "budget"), ("分值", "overall_eval", "max_score")],
)
def test_column_vocabulary(header, form, column):
    assert match_column(header, form)[0].key == column


def _seed_004():
    path = seed_path(4)
    return parse_dump(path.read_text(encoding="utf-8"), path.name)


def test_unmapped_labels_are_reported_with_location():
    extraction = _seed_004()
    basic = extraction.tables[0]
    basic.rows.insert(21, ["餐费补贴", "1", "2", "3", None, None, None])  # after 政府采购金额: no section
    basic.rows.insert(13, ["……", "", "", "", None, None, None])
    report = map_filing([extraction])
    assert [(u.form, u.label, u.location) for u in report.unmapped] == [
        ("basic_data", "餐费补贴", "004_898f9e65b71aedec.txt table 1 row 23 col 1")
    ]
    assert not [f for f in report.facts if f.source_label == "餐费补贴"]


def test_a_kangxi_label_maps_in_a_real_form():
    extraction = _seed_004()
    overall = extraction.tables[1]
    overall.rows[4][2] = "其中：基本⽀出：911.94"
    overall.rows[11][0] = "⼀级指标"
    report = map_filing([extraction])
    basic = [f for f in report.facts if f.item == "expenditure.basic"]
    assert [(f.value, f.source_label, f.match_method) for f in basic] == [(911.94, "其中：基本⽀出", "synonym")]
    assert len([i for i in report.indicators if i.form == "overall_eval"]) == 15


def test_a_table_in_yuan_is_stored_in_wan():
    extraction = _seed_004()
    yuan = copy.deepcopy(extraction)
    table = yuan.tables[0]
    for row in table.rows[3:21]:
        row[1:4] = [str(round(float(c) * 10000)) if c and c[0].isdigit() else c for c in row[1:4]]
    table.rows[2][0] = "经费控制情况"  # the unit moves from the header to the caption
    yuan.paragraphs.append(Paragraph(text="单位：元", source=yuan.source, order=table.order - 1))
    wan = {(f.item, f.column): f.value for f in map_filing([extraction]).facts if f.form == "basic_data"}
    converted = {(f.item, f.column): f.value for f in map_filing([yuan]).facts if f.form == "basic_data"}
    assert converted[("public_funds.total", "budget")] == pytest.approx(116.80)
    for key, value in wan.items():
        assert converted[key] == pytest.approx(value) if value is not None else converted[key] is None, key


def test_the_bundled_vocabulary_has_no_clash_and_says_where_each_wording_was_seen():
    vocabulary = load_vocabulary()
    assert clashes(vocabulary) == []
    wordings = {s for i in vocabulary.items for s in i.synonyms} | {s for c in vocabulary.columns for s in c.synonyms}
    assert sorted(wordings - set(vocabulary.seen)) == []  # every synonym has its provenance
    assert sorted(set(vocabulary.seen) - wordings) == []  # and no provenance is left over
    assert all(where.strip() for where in vocabulary.seen.values())


@pytest.fixture
def user_vocabulary(tmp_path):
    """A user's wordings file, merged for the test only."""
    path = tmp_path / "my-labels.toml"
    yield path
    use_user_vocabulary(None)


def test_a_user_vocabulary_file_merges_over_the_bundled_one(user_vocabulary):
    assert match_item("商品和服务支出", "basic_data") is None
    user_vocabulary.write_text(
        '[items.basic_data."public_funds.total"]\nsynonyms = ["商品和服务支出"]\n\n'
        '[columns.final]\nsynonyms = ["实际支出数"]\n\n[seen]\n"商品和服务支出" = "某县2023年基础数据表"\n',
        encoding="utf-8",
    )
    merged = use_user_vocabulary(user_vocabulary)
    assert match_item("商品和服务支出", "basic_data")[0].key == "public_funds.total"
    assert match_column("实际支出数", "basic_data")[0].key == "final"
    assert match_item("公用经费", "basic_data")[0].key == "public_funds.total"  # the bundled wordings stay
    assert merged.seen["商品和服务支出"] == "某县2023年基础数据表"
    use_user_vocabulary(None)
    assert match_item("商品和服务支出", "basic_data") is None


def test_the_user_vocabulary_is_named_in_jixiao_toml(user_vocabulary, tmp_path):
    from pipeline.settings import settings

    user_vocabulary.write_text('[items.basic_data.procurement]\nsynonyms = ["政采执行额"]\n', encoding="utf-8")
    config = tmp_path / "jixiao.toml"
    config.write_text('[mapping]\nvocabulary = "my-labels.toml"\n', encoding="utf-8")
    assert settings(str(config)).vocabulary == user_vocabulary
    assert match_item("政采执行额", "basic_data")[0].key == "procurement"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[items.basic_data."public_funds.office"]\nsynonyms = ["公用经费"]\n', "names both basic_data.public_funds"),
        ('[items.basic_data."no.such"]\nsynonyms = ["x"]\n', "no item basic_data.no.such"),
        ('[items.basic_data.procurement]\nlayout = "over"\n', "only synonyms"),
        ("[template]\nbasic_data = []\n", "can be extended"),
        ("not toml = = 1", "not a valid TOML"),
    ],
)
def test_a_bad_user_vocabulary_is_refused_with_the_file_named(user_vocabulary, text, message):
    user_vocabulary.write_text(text, encoding="utf-8")
    with pytest.raises(VocabularyError, match=message) as refused:
        use_user_vocabulary(user_vocabulary)
    assert str(user_vocabulary) in str(refused.value)


@pytest.mark.parametrize(
    ("label", "form", "item"),
    [("核定编制人数", "basic_data", "staffing.authorized"), ("年末实有人数", "basic_data", "staffing.actual"),
     ("人员编制控制率", "basic_data", "staffing.control_rate"), ("基本支出合计", "overall_eval", "expenditure.basic"),
     ("当年财政拨款资金", "project_eval", "funds.appropriation"), ("其他资金来源", "project_eval", "funds.other")],
)
def test_a_qualified_synonym_is_a_certain_synonym_match(label, form, item):
    from checks.rules import is_certain

    found = match_item(label, form)
    assert found is not None and found[0].key == item
    assert found[1].method == "synonym" and found[1].score < 100 and is_certain(found[1].method, found[1].score)


def test_a_qualifier_never_makes_a_word_that_changes_the_meaning_certain():
    from checks.rules import is_certain

    found = match_item("非财政拨款", "project_eval")  # the opposite of 财政拨款: at best a fuzzy guess
    assert found is None or not is_certain(found[1].method, found[1].score)
    vocabulary = load_vocabulary()
    assert not {"非", "其他", "以外", "除"} & set(vocabulary.qualifier_prefixes + vocabulary.qualifier_suffixes)


@pytest.mark.parametrize("printed", ["其中：公务用车购置", "其中，公务用车购置", "其中 公务用车购置", "其中、公务用车购置"])
def test_every_lead_in_of_a_sub_item_is_stripped(printed):
    assert match_item(printed, "basic_data")[1] == match_item("公务用车购置", "basic_data")[1]


@pytest.mark.parametrize(("printed", "written"), [("办公费用", "办公费"), ("会议费和培训费", "会议费、培训费")])
def test_an_equivalent_wording_reads_as_the_synonym_it_stands_for(printed, written):
    from checks.rules import is_certain

    found, synonym = match_item(printed, "basic_data"), match_item(written, "basic_data")
    assert found[0].key == synonym[0].key and is_certain(found[1].method, found[1].score)
