"""Figures stated in the report's sentences (SPEC §3 narrative); the wordings, the shapes a
figure takes and the contexts that disqualify one live in ``narrative_patterns.toml``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from core.records import Fact, Paragraph
from mappings.collect import OCR_SCORE_FACTOR
from mappings.numbers import WAN_FACTORS, parse_number

PATTERNS_FILE = Path(__file__).with_name("narrative_patterns.toml")

_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NUMBER = {"money": _DIGITS, "score": _DIGITS, "people": _DIGITS + r"|[零〇一二两三四五六七八九十百千]+"}
# Sentences end at full stops and semicolons; commas keep a "其中：…" list in one sentence.
_SENTENCE_END = re.compile(r"[。；;！？!?\n]")
_CLAUSE_END = re.compile(r"，|,(?!\d{3}(?!\d))")  # not the comma of 137,400.00
# Length-preserving, so positions in the cleaned text are positions in the printed one.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，：（）", "0123456789.,:()")
# A run of CJK characters with spaces inside (a PDF's justification: `自评 得分90分`, `绩 效自评`).
_SPACED_RUN = re.compile(r"[\u4e00-\u9fff“”‘’\"](?:[ \t\u3000]*[\u4e00-\u9fff“”‘’\"])*")
_GAP = re.compile(r"[ \t\u3000]+")


def _close_gaps(text: str) -> str:
    """The text with the spaces inside each CJK run moved to the run's end (`自评 得分90分` → `自评得分 90分`):
    labels match across them, and the length, so every position outside the runs, is kept."""
    def closed(run: re.Match) -> str:
        word = _GAP.sub("", run[0])
        return word + " " * (len(run[0]) - len(word))
    return _SPACED_RUN.sub(closed, text)


_NEXT_PART = re.compile(r"(?:，|,(?!\d{3}(?!\d))|、)\s*(?:20\d\d\s*年(?:度)?)?")
_UNIT_OF_KIND = {"money": "万元", "people": "人", "score": "分"}
# `2024 年` (117.141.250.58 广西 预算说明 prints a space before 年)
_YEAR = re.compile(r"(20\d\d)\s*年")
# A year the sentence is about: not one it compares with (`比2022年减少…`, `与2022年相比`), nor a
# date (`2024年4月，组织开展自评`: when the 2023 report was written).
_STATED_YEAR = re.compile(r"(?<![比较与同])(20\d\d)\s*年(?!\s*\d{1,2}\s*月)")


@dataclass(frozen=True)
class Pattern:
    item: str
    kind: str
    score: float
    label: str  # the label regex, as written in the patterns file
    regex: re.Pattern  # label, joiner, number, unit
    amount_first: re.Pattern  # number, unit, verb, label
    unit_first: re.Pattern  # label, the unit in brackets, number (`年初预算数（万元）：1500`)
    bare: re.Pattern | None  # label, joiner, a number without unit: money under a declared unit
    context: re.Pattern | None = None  # what the sentence must say before the label (a bare `得分` needs 自评/评价)


@dataclass(frozen=True)
class Topic:
    head: re.Pattern
    items: frozenset[str]
    follow: tuple[tuple[str, re.Pattern], ...]  # (item, bare label → number)
    bare: tuple[re.Pattern, ...]  # the bare labels alone
    follow_score: float


@dataclass(frozen=True)
class Vocabulary:
    patterns: list[Pattern]
    topics: list[Topic]
    units: dict[str, str]  # kind → unit alternation
    kind_of: dict[str, str]  # item → kind
    project: re.Pattern
    project_penalty: float
    heading: re.Pattern
    project_heading: re.Pattern
    department_heading: re.Pattern
    function_line: re.Pattern
    prior_year: re.Pattern
    comparison: re.Pattern
    comparison_score: float
    cost_before: re.Pattern
    category_before: re.Pattern
    indicator_before: re.Pattern
    cost_figure: re.Pattern  # a clause ending in a cost's amount
    post_kind: re.Pattern
    post_kind_figure: re.Pattern  # a kind of post with its number
    scope: re.Pattern
    scope_score: float
    scope_exempt: frozenset[str]
    continued_items: frozenset[str]
    continued_label: re.Pattern  # a label of one of continued_items, at a clause's start
    amount_first_score: float
    list_marker: re.Pattern
    list_regex: re.Pattern
    shared_marker: re.Pattern  # `均为`: one amount for every label of the list
    list_separators: tuple[re.Pattern, ...]  # tried in order
    value_separator: str
    value_regex: dict[str, re.Pattern]  # kind → one number with its optional unit
    amount_regex: dict[str, re.Pattern]  # kind → one number with its unit: what every pattern of the kind holds
    bracketed_unit: dict[str, re.Pattern]  # kind → its unit in brackets: what a unit-first pattern holds
    compared: re.Pattern  # a comparison word alone, before a label
    declared_unit: re.Pattern  # `单位：万元`: the unit of the amounts printed after it in its paragraph
    declared_score: float
    spent_on: re.Pattern  # right after an amount: what it was spent on
    subunit: re.Pattern  # a part of the unit (`下属单位`, `二级单位`) opening a clause as its subject
    per_head: re.Pattern  # right before a label: an average (`人均公用经费1.2万元`)
    budget_before: re.Pattern  # right before a spending item's label: a budget word (`预算安排公用经费…`)
    spent_items: frozenset[str]
    budget_follow: re.Pattern  # a bare spending word opening the clause after a budget figure (`，执行1550万元`)
    budget_follow_after: frozenset[str]
    budget_follow_item: str
    budget_follow_score: float
    parts_total: re.Pattern  # a bare total opening a clause (`，合计1550万元`)
    total_parts: tuple[str, ...]  # the items it sums
    total_item: str
    total_score: float
    budget_word: re.Pattern
    planned: re.Pattern  # before a label in its clause: a plan, forecast or target (`预计全年支出…`)
    bound_after: re.Pattern  # right after an amount: a bound, not a figure (`95分以上`)
    people_group_after: re.Pattern  # right after a headcount: a group of the staff (`12名党员`)
    spent_on_items: frozenset[str]


@dataclass(frozen=True)
class _Hit:
    item: str
    score: float
    paragraph: int
    start: int  # where the label starts in the paragraph
    number_at: int
    value: float
    unit: str
    phrase: str
    raw: str
    shared: bool = False  # one amount stated for several labels (`预算数与决算数均为0万元`)
    number_place: tuple[int, int] | None = None  # (paragraph, offset) of the number, which may be in the next one


def _unit_alternation(units: list[str]) -> str:
    return "|".join(map(re.escape, units))


def _amount(number: str, units: str) -> str:
    """A number and its unit, the unit maybe in brackets (`基本支出1000（万元）`: a table's way)."""
    return f"(?P<number>{number})\\s*(?P<bracket>[（(]\\s*)?(?P<unit>{units})(?(bracket)\\s*[）)])"


@lru_cache(maxsize=1)
def load_vocabulary(path: Path = PATTERNS_FILE) -> Vocabulary:
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    units = {kind: _unit_alternation(names) for kind, names in config["units"].items()}
    joiner, verb, more = config["joiner"], config["amount_first"], config["amount_first_more"]
    spent, spent_items = config["spent_verb"], frozenset(config["spent_items"])
    patterns, kind_of = [], {}
    for item, spec in config["items"].items():
        kind = kind_of[item] = spec["kind"]
        number = _amount(_NUMBER[kind], units[kind])
        # the unit printed once, in brackets after the label; the number then stands alone (not a
        # table row's first of several numbers, nor one with a unit or a percent sign of its own)
        unit_first = (f"[\\s]*[（(]\\s*(?P<unit>{units[kind]})\\s*[）)][\\s:：]*(?:为|是)?[\\s:：]*(?P<number>{_NUMBER[kind]})"
                      f"(?![\\d.,]\\d|\\d|\\s*(?:{units[kind]}|[%％]|\\d))")
        alone = f"(?!\\.\\d|,\\d{{3}}(?!\\d)|\\d|[^\\s，,。；;、:：）)]|\\s*(?:{units[kind]}|[%％]|\\d|[（(]))"
        for entry in spec["patterns"]:
            label = f"(?P<label>{entry['label']})"
            worded = f"(?P<label>(?:{entry['label']})(?:的?(?:{spent}))?)" if item in spent_items else label
            patterns.append(Pattern(
                item, kind, float(entry["score"]), entry["label"],
                re.compile(f"{worded}{joiner}{number}"), re.compile(f"{number}(?:(?P<gloss>\\s*[（(]\\s*)|{verb}){label}(?(gloss)\\s*[）)]|(?!{more}))"),
                re.compile(f"{label}{unit_first}"),
                re.compile(f"{worded}{joiner}(?P<number>{_NUMBER[kind]})(?P<unit>){alone}") if kind == "money" else None,
                re.compile(entry["context"]) if "context" in entry else None))
    topics = []
    for spec in config["topics"].values():
        number = lambda item: _amount(_NUMBER[kind_of[item]], units[kind_of[item]])  # noqa: E731
        # `，较年初预算5万元减少…`: the figure compared with is the topic's too
        follow = tuple((item, re.compile(f"\\s*(?:{config['comparison_word']})?\\s*(?P<label>{label}){joiner}{number(item)}"))
                       for item, label in spec["follow"].items())
        bare = tuple(re.compile(label) for label in spec["follow"].values())
        topics.append(Topic(re.compile(spec["head"]), frozenset(spec["follow"]), follow, bare, float(spec["follow_score"])))
    value_regex = {kind: re.compile(f"(?P<number>{_NUMBER[kind]})\\s*(?:(?P<bracket>[（(]\\s*)?(?P<unit>{units[kind]})(?(bracket)\\s*[）)]))?")
                   for kind in units}
    return Vocabulary(
        patterns=patterns, topics=topics, units=units, kind_of=kind_of,
        project=re.compile(config["project_context"]), project_penalty=float(config["project_after_penalty"]),
        heading=re.compile(config["heading"]), project_heading=re.compile(config["project_heading"]),
        department_heading=re.compile(config["department_heading"]),
        function_line=re.compile(config["function_line"]),
        prior_year=re.compile(config["prior_year"]), comparison=re.compile(config["comparison"]),
        comparison_score=float(config["comparison_score"]),
        cost_before=re.compile(config["cost_before"]),
        category_before=re.compile(config["category_before"]),
        indicator_before=re.compile(config["indicator_before"]),
        cost_figure=re.compile(config["cost_figure"]),
        post_kind=re.compile(config["post_kind"]),
        post_kind_figure=re.compile(f"{config['post_kind']}{joiner}(?:{_NUMBER['people']})\\s*(?:{units['people']})"),
        scope=re.compile(config["scope_context"]), scope_score=float(config["scope_score"]),
        scope_exempt=frozenset(config["scope_exempt"]), amount_first_score=float(config["amount_first_score"]),
        continued_items=frozenset(config["continued_items"]),
        continued_label=re.compile("|".join(f"(?:{p.label})" for p in patterns if p.item in config["continued_items"])),
        list_marker=re.compile(f"{config['list_marker']}|{config['shared_marker']}"),
        list_regex=re.compile(f"(?P<labels>[^，,:：]+?)(?P<marker>{config['list_marker']}|{config['shared_marker']})(?P<values>.+)"),
        shared_marker=re.compile(config["shared_marker"]),
        list_separators=tuple(re.compile(sep) for sep in config["list_separators"]),
        value_separator=config["value_separator"],
        value_regex=value_regex,
        amount_regex={kind: re.compile(_amount(_NUMBER[kind], units[kind])) for kind in units},
        bracketed_unit={kind: re.compile(f"[（(]\\s*(?:{units[kind]})\\s*[）)]") for kind in units},
        compared=re.compile(f"[\\s:：]*(?:{config['comparison_word']})?[\\s:：]*"),
        spent_on=re.compile(config["spent_on"]), spent_on_items=frozenset(config["spent_on_items"]),
        declared_unit=re.compile(config["declared_unit"]), declared_score=float(config["declared_score"]),
        subunit=re.compile(config["subunit_context"]), per_head=re.compile(config["per_head_before"]),
        planned=re.compile(config["planned_context"]), bound_after=re.compile(config["bound_after"]),
        people_group_after=re.compile(config["people_group_after"]),
        budget_before=re.compile(config["budget_before"]), spent_items=frozenset(config["spent_items"]),
        parts_total=re.compile(f"(?:^|(?<=[,;、]))\\s*(?P<label>{config['parts_total']['label']}){config['joiner']}"
                               f"{_amount(_NUMBER['money'], units['money'])}"),
        budget_follow=re.compile(f"\\s*(?P<label>{config['budget_follow']['label']}){config['joiner']}"
                                 f"{_amount(_NUMBER['money'], units['money'])}"),
        budget_follow_after=frozenset(config["budget_follow"]["after"]), budget_follow_item=config["budget_follow"]["item"],
        budget_follow_score=float(config["budget_follow"]["score"]),
        total_parts=tuple(config["parts_total"]["parts"]), total_item=config["parts_total"]["item"],
        total_score=float(config["parts_total"]["score"]), budget_word=re.compile(config["parts_total"]["not_after"]),
    )


def _sentences(text: str):
    start = 0
    for end in _SENTENCE_END.finditer(text):
        yield start, text[start:end.start()]
        start = end.end()
    yield start, text[start:]


def _value(number: str, unit: str | None, kind: str) -> float | None:
    parsed = parse_number(number.replace(",", ""))
    if parsed.value is None:
        return None
    if kind != "money":
        return parsed.value
    factor = WAN_FACTORS.get("万元" if unit == "万" else unit or "万元", Decimal(1))
    return float(Decimal(str(parsed.value)) * factor)


@dataclass(frozen=True)
class _Sentence:
    paragraph: int
    offset: int  # of the sentence in its paragraph
    text: str  # cleaned, same length as printed
    printed: str
    fiscal_year: int | None
    paragraph_text: str = ""  # cleaned, the whole running paragraph
    list_scoped: bool = False  # the paragraph continues a 其中 list whose total is of one kind of funds
    post_kinds: int = 0  # figures for a kind of post in the paragraph, with the lines it runs on over
    inherited_unit: str | None = None  # a unit declared on an earlier line of the paragraph (`（单位：万元）…`)

    def clause_start(self, at: int) -> int:
        starts = [m.end() for m in _CLAUSE_END.finditer(self.text, 0, at)]
        return starts[-1] if starts else 0

    def clause_end(self, at: int) -> int:
        found = _CLAUSE_END.search(self.text, at)
        return found.start() if found else len(self.text)

    def hit(self, item: str, score: float, label_at: int, match: re.Match, end: int, kind: str,
            unit: str | None = None) -> _Hit | None:
        value = _value(match["number"], unit or match["unit"], kind)
        if value is None:
            return None
        return _Hit(
            item=item, score=score, paragraph=self.paragraph, start=self.offset + label_at,
            number_at=self.offset + match.start("number"), value=value, unit=_UNIT_OF_KIND[kind],
            phrase=self.printed[min(label_at, match.start()):end].strip(),
            raw=self.printed[match.start("number"):_amount_end(self.text, match)])


_CLOSING = re.compile(r"\s*[）)]")


def _amount_end(text: str, match: re.Match) -> int:
    """Where the amount ends: after its unit, and the bracket closing it (`1000（万元）`)."""
    end = max(match.end("unit") if match["unit"] else 0, match.end("number"))
    if match.groupdict().get("bracket") and (closing := _CLOSING.match(text, end)):
        end = closing.end()
    return end


def _adjusted_score(vocab: Vocabulary, sentence: _Sentence, hit: _Hit, label_at: int, label_end: int) -> float | None:
    """The hit's score in its context, or None when the context says it is not the department's
    figure for this year."""
    text = sentence.text
    clause_at = sentence.clause_start(label_at)
    # a label opening with 年 (`年度支出`, `年度预算`) takes the year printed before it into the year's check
    # (`2022年度支出1400万元` in a 2023 report is the prior year's)
    year_end = label_at + (2 if text.startswith("年度", label_at) else 1 if text.startswith("年", label_at) else 0)
    # a year inside the label (`“三公”经费2022年度预算数…`) is judged like one before it
    if _other_year(vocab, sentence, text[max(clause_at, label_at - 10):year_end]) or _about_other_year(
            sentence, max(year_end, label_end)):
        return None
    after_amount = hit.number_at - sentence.offset + len(hit.raw)
    if vocab.planned.search(text, clause_at, year_end) or vocab.bound_after.match(text, after_amount) or (
            hit.unit == "人" and vocab.people_group_after.match(text, after_amount)):
        return None
    if vocab.project.search(text, 0, label_at) or vocab.project.search(text, clause_at, sentence.clause_end(label_end)):
        return None
    if vocab.cost_before.search(text, clause_at, label_at):
        return None
    if _of_a_subunit(vocab, sentence, clause_at, label_at):
        return None
    if hit.unit == "分" and vocab.indicator_before.search(text, clause_at, label_at):
        return None
    subject_at = _subject_clause(vocab, sentence, hit, clause_at, label_at)
    if hit.item in vocab.continued_items and (_of_a_category(vocab, text, clause_at, label_at) or (
            subject_at is not None and (found := vocab.continued_label.search(text, subject_at, sentence.clause_end(subject_at)))
            and (_of_a_category(vocab, text, subject_at, found.start())
                 # or a cost's (`公用经费年初预算130万元，实际支出120万元`: the 实际支出 is the 公用经费's)
                 or vocab.cost_before.search(text, subject_at, found.start())))):
        return None
    if vocab.per_head.search(text, clause_at, label_at):
        return None
    if hit.item in vocab.spent_items and vocab.budget_before.search(text, clause_at, label_at):
        return None
    if _after_a_cost(vocab, sentence, hit, clause_at, label_at, label_end):
        return None
    if hit.item in vocab.spent_on_items and vocab.spent_on.match(text, hit.number_at - sentence.offset + len(hit.raw)):
        return None
    if sentence.post_kinds > 1 and (
            vocab.post_kind.search(text, label_at, label_end) or _after_a_post_kind(vocab, sentence, hit, clause_at, label_at)):
        return None
    for topic in vocab.topics:
        # `“三公”经费支出2.05万元，其中：公务接待费…，年初预算为2万元`: a bare 预算 after the topic's
        # head is not the department's 年初预算
        # (`部门决算数` is qualified, not bare)
        # (nor one compared with: `“三公”经费支出3.2万元，较年初预算5万元减少1.8万元`)
        if hit.item not in topic.items and topic.head.search(text, 0, label_at) and vocab.compared.fullmatch(
                text, clause_at, label_at) and any(bare.fullmatch(text, label_at, label_end) for bare in topic.bare):
            return None
    score = hit.score
    if vocab.project.search(text, label_end):
        score -= vocab.project_penalty
    if vocab.comparison.search(text[clause_at:label_at]):
        score = min(score, vocab.comparison_score)
    # before the label, or in a gloss between label and amount (`基本支出（一般公共预算）…`)
    if hit.item not in vocab.scope_exempt and (
            vocab.scope.search(text, clause_at, max(label_at, hit.number_at - sentence.offset))
            or _list_of_scoped_total(vocab, sentence, label_at)
            or (subject_at is not None and vocab.scope.search(text, subject_at, sentence.clause_end(subject_at)))):
        score = min(score, vocab.scope_score)
    return score


_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")


def _of_a_subunit(vocab: Vocabulary, sentence: _Sentence, clause_at: int, label_at: int) -> bool:
    """A part of the unit opening, as its subject, the label's clause (`其中，二级单位实有人员14人`) or, when the
    label opens its clause, the sentence's first clause (`下属单位编制15人，实有人员14人`)."""
    text = sentence.text
    before = text[clause_at:label_at]
    if not before.strip(" :：") and clause_at:
        before = text[:sentence.clause_end(0)]
    return bool(vocab.subunit.match(_BRACKETED.sub("", before)))


def _subject_clause(vocab: Vocabulary, sentence: _Sentence, hit: _Hit, clause_at: int, label_at: int) -> int | None:
    """Where the clause starts whose subject a clause opening with a budget or final word (`，支出决算为
    4733.14 万元`), after clauses that open so too, goes on about; None when the clause has its own."""
    text = sentence.text
    if hit.item not in vocab.continued_items or text[clause_at:label_at].strip(" :："):
        return None
    while clause_at:
        clause_at = sentence.clause_start(clause_at - 1)
        if not vocab.continued_label.match(text, _SPACES.match(text, clause_at).end()):
            return clause_at
    return None


_SPACES = re.compile(r"\s*")


_LIST_HEAD = re.compile(r"其中")
_STATEMENT_END = re.compile(r"[。；;！？!?]")


def _scoped_lead(vocab: Vocabulary, text: str, head_at: int) -> bool:
    """Whether the statement a `其中` at ``head_at`` lists the parts of is a total of one kind of
    funds (`一般公共预算财政拨款支出324970.32万元，…。其中：`), or a part of such a total (seed 004:
    `…财政拨款支出982.21万元。其中：项目支出70.27万元，基本支出911.94万元，其中：人员经费…`)."""
    ends = [m.end() for m in _STATEMENT_END.finditer(text, 0, max(head_at - 1, 0))]
    start = ends[-1] if ends else 0
    if vocab.scope.search(text, start, head_at):
        return True
    outer = [m.start() for m in _LIST_HEAD.finditer(text, start, head_at)]
    if not outer and start and text[start - 1] != "。":  # a 其中 list runs on over `；`
        outer = [m.start() for m in _LIST_HEAD.finditer(text, 0, start)]
        outer = outer if outer and "。" not in text[outer[-1]:head_at] else []
    return bool(outer) and _scoped_lead(vocab, text, outer[-1])


def _list_of_scoped_total(vocab: Vocabulary, sentence: _Sentence, label_at: int) -> bool:
    """A part in a `其中` list after a total of one kind of funds is of that kind too (github
    Beyond-yan/cqjw 重庆市交通委员会 2018 预算: `2018年一般公共预算财政拨款收入…，一般公共预算财政拨款支出
    324970.32万元，…。其中：基本支出61042.17万元，…;项目支出263928.15万元`): the department's 基本支出
    may include other funds. The list runs to the next full stop, or on over the paragraphs that
    follow a paragraph ending in `其中：` (117.141.250.58 2023 预算: `…一般公共预算基本支出 911000.39 元，其中：`
    / `人员经费 809961.19 元，…` / `公用经费 71339.2 元，…`)."""
    text, at = sentence.paragraph_text, sentence.offset + label_at
    heads = [m.start() for m in _LIST_HEAD.finditer(text, 0, at)]
    if heads and "。" not in text[heads[-1]:at]:
        return _scoped_lead(vocab, text, heads[-1])
    return sentence.list_scoped and not heads


def _of_a_category(vocab: Vocabulary, text: str, clause_at: int, label_at: int) -> bool:
    """A budget or final word right after an expenditure category's name (`公安支出年初预算为…`), or one
    that starts that name's 支出 (`公安支出决算为…`)."""
    before = text[clause_at:label_at]
    return bool(vocab.category_before.search(before) or (
        text.startswith("支出", label_at) and vocab.category_before.search(before + "支出")))


def _after_a_cost(vocab: Vocabulary, sentence: _Sentence, hit: _Hit, clause_at: int, label_at: int, label_end: int) -> bool:
    """A bare budget or final word opening the clause right after a cost's amount is that cost's
    (hlx.gov.cn 2018: `公务用车购置支出0万元，年初预算为0万元`); a topic's own follow-on clause is not."""
    text = sentence.text
    if not clause_at or not vocab.compared.fullmatch(text, clause_at, label_at) or any(hit.item in t.items for t in vocab.topics):
        return False
    if not any(bare.fullmatch(text, label_at, label_end) for t in vocab.topics for bare in t.bare):
        return False
    previous_end = clause_at - 1  # the clause's separator
    return bool(vocab.cost_figure.search(text, sentence.clause_start(previous_end), previous_end))


def _after_a_post_kind(vocab: Vocabulary, sentence: _Sentence, hit: _Hit, clause_at: int, label_at: int) -> bool:
    """A headcount opening the clause right after one kind of post's quota counts that kind's staff
    (bjft.gov.cn 宛平环卫所 2020: `行政编制0人，实有人数0人；事业编制82人，实有人数61人`)."""
    text = sentence.text
    if hit.unit != "人" or not clause_at or text[clause_at:label_at].strip(" :："):
        return False
    previous_end = clause_at - 1  # the clause's separator
    found = vocab.post_kind_figure.search(text, sentence.clause_start(previous_end), previous_end)
    # a 其中 list of the quota's kinds before it (`核定编制15名，其中：行政编制10名，事业编制5名，实有人员14名`):
    # the headcount after the list is the unit's
    return bool(found) and not text[found.end():previous_end].strip() and not _LIST_HEAD.search(text, 0, found.start())


def _pattern_hits(vocab: Vocabulary, sentence: _Sentence) -> list[tuple[_Hit, int, int]]:
    found = []
    # Each pattern holds its kind's number and unit: a sentence without one cannot match (most
    # narrative sentences hold no figure at all), so those patterns are not tried.
    kinds = {kind for kind, amount in vocab.amount_regex.items() if amount.search(sentence.text)}
    bracketed = {kind for kind, unit in vocab.bracketed_unit.items() if unit.search(sentence.text)}
    # a unit declared earlier in the paragraph, or in the sentence (`（单位：万元）年初预算数1500`)
    declared = vocab.declared_unit.search(sentence.paragraph_text, 0, sentence.offset + len(sentence.text))
    if declared is None and sentence.inherited_unit:
        declared = vocab.declared_unit.match(f"单位:{sentence.inherited_unit}")
        declared_at = 0
    else:
        declared_at = declared.end() - sentence.offset if declared else 0
    for pattern in vocab.patterns:
        if pattern.context and not pattern.context.search(sentence.text):
            continue
        start = len(found)
        _pattern_shapes(vocab, sentence, pattern, kinds, bracketed, declared, declared_at, found)
        if pattern.context:  # what the sentence must say comes before the label
            found[start:] = [f for f in found[start:] if pattern.context.search(sentence.text, 0, f[1])]
    return found


def _pattern_shapes(vocab: Vocabulary, sentence: _Sentence, pattern: Pattern, kinds: set[str], bracketed: set[str],
                    declared: re.Match | None, declared_at: int, found: list[tuple[_Hit, int, int]]) -> None:
    """The pattern's hits in the sentence, in each shape a figure takes."""
    if pattern.kind in bracketed:
        for m in pattern.unit_first.finditer(sentence.text):
            if hit := sentence.hit(pattern.item, pattern.score, m.start("label"), m, m.end(), pattern.kind):
                found.append((hit, m.start("label"), m.end("label")))
    if declared and pattern.bare:
        for m in pattern.bare.finditer(sentence.text, max(0, declared_at)):
            score = min(pattern.score, vocab.declared_score)
            if hit := sentence.hit(pattern.item, score, m.start("label"), m, m.end(), pattern.kind, declared["unit"]):
                found.append((hit, m.start("label"), m.end("label")))
    if pattern.kind not in kinds:
        return
    for m in pattern.regex.finditer(sentence.text):
        if hit := sentence.hit(pattern.item, pattern.score, m.start("label"), m, m.end(), pattern.kind):
            found.append((hit, m.start("label"), m.end("label")))
    for m in pattern.amount_first.finditer(sentence.text):
        score = min(pattern.score, vocab.amount_first_score)
        if hit := sentence.hit(pattern.item, score, m.start("label"), m, m.end(), pattern.kind):
            # the number comes first: context is judged where the amount is printed
            found.append((replace(hit, start=sentence.offset + m.start()), m.start(), m.end("label")))


def _label_item(vocab: Vocabulary, text: str, whole: bool) -> tuple[str, float] | None:
    """The item whose label ends ``text`` (the longest such label); with ``whole``, the label
    must be all of ``text``."""
    best = None
    for pattern in vocab.patterns:
        for m in re.finditer(f"(?:{pattern.label})$", text):
            if (not whole or m.start() == 0) and (best is None or (m.start(), -pattern.score) < (best[2], -best[1])):
                best = (pattern.item, pattern.score, m.start())
    return (best[0], best[1]) if best else None


def _list_items(vocab: Vocabulary, labels: str, count: int) -> list[tuple[str, float]] | None:
    """The items a list's labels name, in order; `和` splits only when `、及与/` do not suffice
    (`商品和服务支出` is one label)."""
    for separator in vocab.list_separators:
        parts = [p.strip() for p in separator.split(labels)]
        if len(parts) != count:
            continue
        head = next((found for t in vocab.topics if (found := t.head.search(parts[0]))), None)
        items = []
        for i, part in enumerate(parts):
            # the first label may follow the sentence's subject (`2023年度本单位基本支出`); the others are whole
            resolved = _label_item(vocab, part, whole=i > 0)
            if i and head and not head.re.search(part):
                resolved = _label_item(vocab, head[0] + part, whole=True) or resolved
            items.append(resolved)
        if None not in items and len({vocab.kind_of[item] for item, _ in items}) == 1:
            return items
    return None


def _other_year(vocab: Vocabulary, sentence: _Sentence, text: str) -> bool:
    return bool(vocab.prior_year.search(text)) or bool(
        sentence.fiscal_year and any(int(y) != sentence.fiscal_year for y in _YEAR.findall(text)))


def _about_other_year(sentence: _Sentence, label_at: int) -> bool:
    """The last year the sentence states before the label is not the report's
    (`2022年，本单位一般公共预算财政拨款“三公”经费支出…` in a 2023 report)."""
    years = _STATED_YEAR.findall(sentence.text, 0, label_at)
    return bool(sentence.fiscal_year and years and int(years[-1]) != sentence.fiscal_year)


def _list_hits(vocab: Vocabulary, sentence: _Sentence) -> list[tuple[_Hit, int, int]]:
    """`基本支出和项目支出分别为713.46万元、164.03万元`: labels and amounts paired in order, or nothing."""
    found = []
    if not vocab.list_marker.search(sentence.text):  # the lazy scan below is quadratic without one
        return found
    for m in vocab.list_regex.finditer(sentence.text):
        if _other_year(vocab, sentence, m["labels"]):
            continue
        values_text, base = m["values"], m.start("values")
        for kind, value_regex in vocab.value_regex.items():
            values = list(value_regex.finditer(values_text))
            # the amounts run on from the marker, one separator between each, the last with its unit
            run = [values[0]] if values and values[0].start() == 0 else []
            for v in values[1:] if run else []:
                if not re.fullmatch(vocab.value_separator, values_text[run[-1].end():v.start()].strip() or "、"):
                    break
                run.append(v)
            while run and not run[-1]["unit"]:
                run.pop()
            shared = bool(vocab.shared_marker.match(m["marker"]))
            if shared:  # one amount, as many labels as the list names
                run = run[:1]
                items = next((named for n in (2, 3, 4) if run and (named := _list_items(vocab, m["labels"], n))), None)
                run = run * len(items) if items else run
            else:
                items = _list_items(vocab, m["labels"], len(run)) if len(run) > 1 else None
            if not items or vocab.kind_of[items[0][0]] != kind:
                continue
            shared_unit = run[-1]["unit"]
            for (item, score), v in zip(items, run):
                value = _value(v["number"], v["unit"] or shared_unit, kind)
                if value is None:
                    continue
                found.append((_Hit(
                    item=item, score=score, paragraph=sentence.paragraph, start=sentence.offset + m.start("labels"),
                    number_at=sentence.offset + base + v.start("number"), value=value, unit=_UNIT_OF_KIND[kind],
                    phrase=sentence.printed[m.start("labels"):base + run[-1].end()].strip(),
                    raw=sentence.printed[base + v.start():base + v.end()].strip(), shared=shared), m.start("labels"), m.end("labels")))
    return found


def _follow_hits(vocab: Vocabulary, sentence: _Sentence, hits: list[tuple[_Hit, int, int]]) -> list[tuple[_Hit, int, int]]:
    """A clause right after a topic's figure, starting with a bare follow word, is the topic's."""
    found = []
    for topic in vocab.topics:
        for hit, _, _ in hits:
            if hit.item not in topic.items:
                continue
            amount_end = hit.number_at - sentence.offset + len(hit.raw)
            # the next clause, or the next item of a 、 list; a year may open it (`2023年实际支出…`)
            next_clause = _NEXT_PART.search(sentence.text, amount_end)
            if not next_clause or "其中" in sentence.text[amount_end:next_clause.start()]:
                continue
            for item, regex in topic.follow:
                m = regex.match(sentence.text, next_clause.end())
                if m and (new := sentence.hit(item, topic.follow_score, m.start("label"), m, m.end(), vocab.kind_of[item])):
                    found.append((new, m.start("label"), m.end("label")))
    return found


def _budget_follow_hits(vocab: Vocabulary, sentence: _Sentence, hits: list[tuple[_Hit, int, int]]) -> list[tuple[_Hit, int, int]]:
    """`全年预算1600万元，执行1550万元`: a bare spending word opening the clause right after the department's
    budget figure is its final (the clause goes on about the same subject; judged so in _adjusted_score)."""
    found = []
    for hit, _, _ in hits:
        if hit.item not in vocab.budget_follow_after:
            continue
        amount_end = hit.number_at - sentence.offset + len(hit.raw)
        next_clause = _CLAUSE_END.search(sentence.text, amount_end)
        if not next_clause or sentence.text[amount_end:next_clause.start()].strip():
            continue
        m = vocab.budget_follow.match(sentence.text, next_clause.end())
        if m and (new := sentence.hit(vocab.budget_follow_item, vocab.budget_follow_score, m.start("label"), m, m.end(), "money")):
            found.append((new, m.start("label"), m.end("label")))
    return found


def _total_hits(vocab: Vocabulary, sentence: _Sentence, hits: list[tuple[_Hit, int, int]]) -> list[tuple[_Hit, int, int]]:
    """`基本支出1000万元、项目支出550万元，合计1550万元`: a bare total after the year's parts is the final,
    when it is their sum and the sentence speaks of no budget before it."""
    found = []
    for m in vocab.parts_total.finditer(sentence.text):
        parts = {hit.item: hit for hit, _, _ in hits if hit.number_at - sentence.offset < m.start()}
        if not set(vocab.total_parts) <= set(parts) or vocab.budget_word.search(sentence.text, 0, m.start()):
            continue
        new = sentence.hit(vocab.total_item, vocab.total_score, m.start("label"), m, m.end(), "money")
        if new and abs(new.value - sum(parts[item].value for item in vocab.total_parts)) <= 0.011 * len(vocab.total_parts):
            found.append((new, m.start("label"), m.end("label")))
    return found


def _project_paragraphs(vocab: Vocabulary, paragraphs: list[Paragraph]) -> set[int]:
    """Paragraphs under a heading that names a project (`（1）代表履职经费`)."""
    inside, under_project = set(), False
    for i, paragraph in enumerate(paragraphs):
        text = paragraph.text.strip().translate(_FULL_WIDTH)
        if len(text) <= 40 and vocab.heading.search(text) and not re.search(r"\d+(?:\.\d+)?\s*(?:万元|元|人|分)", text):
            under_project = bool(vocab.project_heading.search(text)) and not vocab.department_heading.search(text)
            continue
        if under_project:
            inside.add(i)
    return inside


def _topic_paragraphs(vocab: Vocabulary, paragraphs: list[Paragraph]) -> dict[int, Topic]:
    """Paragraphs under a heading that names a topic and no cost besides (`（三）“三公”经费`, not
    `三、“三公”经费及会议费、培训费情况`): their bare budget and final words are the topic's
    (`年初预算5万元，实际支出3.2万元`), never the department's."""
    inside, topic, source = {}, None, None
    for i, paragraph in enumerate(paragraphs):
        text = paragraph.text.strip().translate(_FULL_WIDTH)
        if paragraph.source != source:
            topic = None
        source = paragraph.source
        if len(text) <= 40 and _is_heading(vocab, text) and not re.search(r"\d+(?:\.\d+)?\s*(?:万元|元|人|分)", text):
            topic = next((t for t in vocab.topics if t.head.search(text) and "费" not in t.head.sub("", text)), None)
            continue
        if topic is not None:
            inside[i] = topic
    return inside


def _as_topic_figure(topic: Topic, sentence: _Sentence, hit: _Hit, label_at: int, label_end: int) -> _Hit:
    """Under a topic's heading, a bare follow word opening its clause (after a year at most) is the topic's
    (`年初预算5万元，实际支出3.2万元` under `（三）“三公”经费`); a qualified label (`本年支出合计`) is left
    as it is."""
    if hit.item in topic.items:
        return hit
    text = sentence.text
    if not _YEAR_ONLY.fullmatch(text, sentence.clause_start(label_at), label_at):
        return hit
    for (item, _), bare in zip(topic.follow, topic.bare):
        if bare.fullmatch(text, label_at, label_end):
            return replace(hit, item=item, score=min(hit.score, topic.follow_score))
    return hit


_YEAR_ONLY = re.compile(r"[\s:]*(?:20\d\d\s*年(?:度)?[\s:,]*)?")


_NEW_STATEMENT = re.compile(r"\s*20\d\d\s*年")
_DECIMAL = re.compile(r"\d+[.．]\d")


def _is_heading(vocab: Vocabulary, text: str) -> bool:
    """A numbered heading, not a PDF line that starts with an amount (`256.79 万元，支出决算为…`)."""
    return bool(vocab.heading.search(text)) and not _DECIMAL.match(text)


def _scoped_lists(vocab: Vocabulary, paragraphs: list[Paragraph]) -> set[int]:
    """Paragraphs that continue a `其中` list left open at the end of a paragraph (no full stop
    after it) whose total is of one kind of funds, up to a heading, a dated statement or another
    source (a PDF's lines are paragraphs: `…基本支出 3365.38 万元。其中：人员` / `经费 2949.02 万元，…` /
    `…；公用经费 416.36 万元，…`)."""
    inside, scoped, source = set(), False, None
    for i, paragraph in enumerate(paragraphs):
        text = paragraph.text.strip().translate(_FULL_WIDTH)
        if paragraph.source != source or _is_heading(vocab, text) or _NEW_STATEMENT.match(text):
            scoped = False
        elif scoped:
            inside.add(i)
        source = paragraph.source
        heads = [m.start() for m in _LIST_HEAD.finditer(text)]
        if heads and "。" not in text[heads[-1]:]:
            scoped = _scoped_lead(vocab, text, heads[-1])
    return inside


def _function_lines(vocab: Vocabulary, paragraphs: list[Paragraph]) -> set[int]:
    """Paragraphs of a 功能科目 line (`1.社会保障和就业支出（类）…（款）`, unnumbered after the first of its
    类: `“社会保障和就业支出（类）就业补助（款）公益性岗位补贴（项）”200.18 万元，…`), up to the next heading or
    dated statement: that line's figures. A paragraph that states an amount before the line's name
    (`一般公共预算财政拨款支出 4733.14 万元，主要用于…：社会保障和就业支出（类）471.44 万元`) is no line."""
    inside, within, source = set(), False, None
    for i, paragraph in enumerate(paragraphs):
        text = paragraph.text.strip().translate(_FULL_WIDTH)
        if paragraph.source != source:
            within = False
        source = paragraph.source
        line = vocab.function_line.search(text, 0, 60)
        if line and not vocab.amount_regex["money"].search(text, 0, line.start()):
            within = True
        elif _is_heading(vocab, text) or _NEW_STATEMENT.match(text):
            within = False
        if within:
            inside.add(i)
    return inside


def _hits(paragraphs: list[Paragraph], fiscal_year: int | None) -> list[_Hit]:
    vocab = load_vocabulary()
    skipped = _project_paragraphs(vocab, paragraphs) | _function_lines(vocab, paragraphs)
    scoped_lists = _scoped_lists(vocab, paragraphs)
    under_topic = _topic_paragraphs(vocab, paragraphs)
    post_kinds, inherited = _line_blocks(vocab, paragraphs)
    hits = []
    for p_index, paragraph in enumerate(paragraphs):
        if p_index in skipped:
            continue
        lead = _leading_text(paragraphs, p_index)
        printed = lead + _running_text(paragraphs, p_index)
        text = _close_gaps(printed.translate(_FULL_WIDTH))
        for offset, cleaned in _sentences(text):
            sentence = _Sentence(p_index, offset, cleaned, printed[offset:offset + len(cleaned)], fiscal_year, text,
                                 p_index in scoped_lists, post_kinds[p_index], inherited[p_index])
            found = _pattern_hits(vocab, sentence) + _list_hits(vocab, sentence)
            found += _follow_hits(vocab, sentence, found)
            found += _total_hits(vocab, sentence, found) + _budget_follow_hits(vocab, sentence, found)
            for hit, label_at, label_end in found:
                if not len(lead) <= offset + label_at < len(lead) + len(paragraph.text):
                    continue  # a label of the previous or the next paragraph: read there
                score = _adjusted_score(vocab, sentence, hit, label_at, label_end)
                if score is not None and p_index in under_topic:
                    hit = _as_topic_figure(under_topic[p_index], sentence, replace(hit, score=score), label_at, label_end)
                    score = hit.score
                if score is not None:
                    number_at = hit.number_at - len(lead)
                    hits.append(replace(hit, score=score, start=hit.start - len(lead), number_at=number_at,
                                        number_place=_place_of(paragraphs, p_index, number_at)))
    return hits


def _line_blocks(vocab: Vocabulary, paragraphs: list[Paragraph]) -> tuple[list[int], list[str | None]]:
    """Per paragraph, over the lines of the paragraph a PDF breaks it into (lines joined while one stops
    mid-sentence): the figures for a kind of post it states (`行政编制66名`: seed 001's sentence over two lines
    still names two kinds), and the unit declared on an earlier line (`（单位：万元）年初预算数：1500；全年预算数` /
    `：1600；…`)."""
    counts, units, block, source = [0] * len(paragraphs), [None] * len(paragraphs), [], None
    def close() -> None:
        found = len(vocab.post_kind_figure.findall(_close_gaps("".join(paragraphs[i].text for i in block).translate(_FULL_WIDTH))))
        unit = None
        for i in block:
            counts[i], units[i] = found, unit
            declared = list(vocab.declared_unit.finditer(paragraphs[i].text.translate(_FULL_WIDTH)))
            unit = declared[-1]["unit"] if declared else unit
    for i, paragraph in enumerate(paragraphs):
        if block and (paragraph.source != source or _SENTENCE_END.search(paragraphs[block[-1]].text.rstrip()[-1:] or "。")):
            close()
            block = []
        block.append(i)
        source = paragraph.source
    if block:
        close()
    return counts, units


_COLON_AND_TEXT = re.compile(r":\s*\S")


def _place_of(paragraphs: list[Paragraph], index: int, at: int) -> tuple[int, int]:
    """(paragraph, offset) of position ``at`` of paragraph ``index``'s running text (which may run on into
    the next paragraph: a sentence broken over lines)."""
    while at >= len(paragraphs[index].text) and index + 1 < len(paragraphs):
        at -= len(paragraphs[index].text)
        index += 1
    return index, at


def _leading_text(paragraphs: list[Paragraph], index: int, depth: int = 0) -> str:
    """The start of the sentence the paragraph continues, when the paragraph before stops mid-sentence
    (a PDF page break: `2022年一般公共` / `预算支出982.21万元`, `代表履职经费项目年初` / `预算数55.8万元`): the
    context its first labels are judged in. A sentence may run over several short lines (`代表履职经` /
    `费项目年初` / `预算数55.8万元，`): a line with no sentence end takes the start from the lines before it."""
    if not index:
        return ""
    vocab, previous = load_vocabulary(), paragraphs[index - 1]
    text = previous.text
    if previous.source != paragraphs[index].source or _SENTENCE_END.search(text.rstrip()[-1:] or "。"):
        return ""
    # a heading is no sentence, nor is one cut at its end (`二、上年结转情况` / `年初结转12万元`); a numbered
    # paragraph that holds sentences is no heading (`（二）部门预算及执行情况。2023年度…，2023年` / `度部门支出…`),
    # nor one going on after a colon (`1.核定编制情况：行政` / `编制7名；…`)
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    cleaned = text.strip().translate(_FULL_WIDTH)
    if _is_heading(vocab, paragraphs[index].text.strip().translate(_FULL_WIDTH)) or (
            not ends and _is_heading(vocab, cleaned) and not _COLON_AND_TEXT.search(cleaned)):
        return ""
    if ends:
        return text[ends[-1]:]
    return (_leading_text(paragraphs, index - 1, depth + 1) if depth < 3 else "") + text


def _running_text(paragraphs: list[Paragraph], index: int) -> str:
    """The paragraph, and when it stops mid-sentence (a PDF line or page break: `其中本年收入` /
    `2126.28万元，…`) the next paragraph's first sentence with it."""
    text = paragraphs[index].text
    if index + 1 >= len(paragraphs) or _SENTENCE_END.search(text.rstrip()[-1:] or "。"):
        return text
    following = paragraphs[index + 1]
    if following.source != paragraphs[index].source:
        return text
    end = _SENTENCE_END.search(following.text)
    return text + following.text[:end.end() if end else len(following.text)]


def extract_narrative(paragraphs: list[Paragraph], fiscal_year: int | None = None) -> list[Fact]:
    """The department's figures for ``fiscal_year`` (when known, figures of other years are not taken)."""
    # A number belongs to the longest label that reaches it: `“三公”经费决算数为0.13万元`
    # is three_public_final, not the department's 决算数.
    # A number printed on the next line is reached from both lines' labels: it is keyed by where it is
    # printed, and the label starting first (the longer) owns it (`“三公”经费预算` / `执行数8.5万元`).
    owner: dict[tuple[tuple[int, int] | None, str | None], _Hit] = {}
    for hit in _hits(paragraphs, fiscal_year):
        key = (hit.number_place, hit.item if hit.shared else None)
        best = owner.get(key)
        if best is None or (hit.paragraph, hit.start, -hit.score) < (best.paragraph, best.start, -best.score):
            owner[key] = hit
    chosen: dict[str, _Hit] = {}
    for hit in sorted(owner.values(), key=lambda h: (-h.score, h.paragraph, h.start)):
        chosen.setdefault(hit.item, hit)
    facts = []
    for hit in sorted(chosen.values(), key=lambda h: (h.paragraph, h.start)):
        # an OCR'd sentence can misread a digit: its figures rank like OCR'd cells (mappings.collect)
        ocr = paragraphs[hit.paragraph].low_confidence
        facts.append(Fact(
            form="narrative", subject=None, item=hit.item, column=None, value=hit.value, unit=hit.unit,
            source_label=hit.phrase, match_score=hit.score * OCR_SCORE_FACTOR if ocr else hit.score,
            match_method="ocr+pattern" if ocr else "pattern",
            location=paragraphs[hit.paragraph].location(), raw_value=hit.raw,
            place=paragraphs[hit.paragraph].place(),
        ))
    return facts
