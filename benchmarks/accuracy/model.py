"""A filing's figures, authored from a seed number so that every form adds up (SPEC §4).

Amounts are integer cents of 万元 (``1917.27`` 万元 = 191727), so a clean filing adds up
exactly; ``plant`` then breaks one rule the way a clerk's slip would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

CITIES = {
    "湘潭市": ["岳塘区", "雨湖区", "湘乡市", "韶山市", "湘潭县"],
    "衡阳市": ["蒸湘区", "石鼓区", "衡南县", "祁东县", "耒阳市"],
    "常德市": ["武陵区", "鼎城区", "汉寿县", "桃源县", "津市市"],
    "郴州市": ["北湖区", "苏仙区", "宜章县", "永兴县", "资兴市"],
    "怀化市": ["鹤城区", "中方县", "沅陵县", "辰溪县", "洪江市"],
    "娄底市": ["娄星区", "双峰县", "新化县", "冷水江市", "涟源市"],
    "邵阳市": ["大祥区", "双清区", "邵东市", "新邵县", "隆回县"],
    "益阳市": ["赫山区", "资阳区", "南县", "桃江县", "安化县"],
}
UNITS = [
    "人民代表大会常务委员会", "财政局", "农业农村局", "教育局", "卫生健康局", "民政局", "司法局", "统计局",
    "档案馆", "机关事务服务中心", "自然资源局", "文化旅游广电体育局", "水利局", "林业局", "市场监督管理局",
    "人力资源和社会保障局", "审计局", "退役军人事务局", "供销合作社联合社", "妇女联合会",
]
SPECIAL_PROJECTS = [
    "人大代表履职经费", "重点课题调研经费", "信息化建设经费", "普法宣传经费", "安全生产专项整治", "乡村振兴帮扶经费",
    "档案数字化建设", "业务培训经费", "专项督查工作经费", "办公楼维修改造", "网格化管理经费", "综合执法装备购置",
    "农村人居环境整治", "高标准农田建设", "防汛抗旱专项", "老干活动经费", "统计调查专项经费", "政务服务平台运维",
]
PUBLIC_EXTRA = ["印刷费、邮电费、劳务费等", "物业管理费", "维修（护）费", "公务用车运行维护费（其他）"]
INDICATORS = {
    ("产出指标", "数量指标"): ["召开工作会议次数", "开展专项检查次数", "完成调研课题数", "培训人次", "办理建议提案件数",
                         "印发文件份数", "完成项目个数"],
    ("产出指标", "质量指标"): ["工作任务完成率", "项目验收合格率", "资料归档准确率", "信息报送准确率"],
    ("产出指标", "时效指标"): ["任务完成及时率", "资金拨付及时率", "建议办复及时率"],
    ("产出指标", "成本指标"): ["整体支出成本控制", "项目成本控制率"],
    ("效益指标", "经济效益指标"): ["节约财政资金", "带动相关投资"],
    ("效益指标", "社会效益指标"): ["提升公共服务水平", "群众知晓率", "社会治理成效"],
    ("效益指标", "生态效益指标"): ["促进生态环境改善", "节能减排成效"],
    ("效益指标", "可持续影响指标"): ["长效机制建设", "制度建设完善程度"],
    ("满意度指标", "服务对象满意度指标"): ["群众满意度", "服务对象满意度", "代表满意度"],
}
GRADES = [(90, "优"), (80, "良"), (60, "中")]

COST_COLUMNS = ("prior_final", "budget", "final")
FUND_COLUMNS = ("initial_budget", "full_year_budget", "executed")
Cols = dict  # column -> cents or None (blank)


@dataclass
class Indicator:
    level1: str
    level2: str
    level3: str
    target: str
    actual: str
    max_score: int  # tenths of a point
    score: int


@dataclass
class ProjectEval:
    name: str
    funds: Cols  # initial_budget, full_year_budget, executed
    appropriation: Cols
    carryover: Cols
    other: Cols
    rate: str  # printed, e.g. "100%"
    max_score: int
    score: int
    indicators: list[Indicator]
    goal: str
    total_printed: int | None = None  # tenths; None = the true sum

    @property
    def total(self) -> int:
        return self.score + sum(i.score for i in self.indicators)


@dataclass
class Model:
    seed: int
    year: int
    city: str
    district: str
    unit: str
    authorized: int
    actual: int
    control_rate: str  # printed
    three_public: dict[str, Cols]  # item -> columns
    project: dict[str, Cols]  # business, operation, special
    special_lines: list[tuple[str, Cols]]
    public_funds: dict[str, Cols]  # total, office, utilities_travel, meetings_training
    public_lines: list[tuple[str, Cols]]
    procurement: Cols
    budget_adjustment: Cols
    funds: Cols  # initial_budget, full_year_budget, executed
    funds_rate: str
    funds_max: int
    funds_score: int
    revenue: dict[str, int]  # general_budget, gov_fund, special_account, other
    expenditure: dict[str, int]  # basic, project
    indicators: list[Indicator]
    goals: list[str]
    projects: list[ProjectEval]
    personnel: int
    revenue_current_year: int
    carryover_opening: int
    total_printed: int | None = None
    header_year_shift: int = 0  # a stale template: the current year's headers print year + shift
    narrative_overrides: dict[str, int] = field(default_factory=dict)  # item -> cents as printed in text

    @property
    def department(self) -> str:
        return f"{self.city}{self.district}{self.unit}"

    @property
    def total_score(self) -> int:
        return self.funds_score + sum(i.score for i in self.indicators)

    @property
    def printed_total(self) -> int:
        return self.total_score if self.total_printed is None else self.total_printed

    @property
    def grade(self) -> str:
        return next(g for floor, g in GRADES if self.printed_total >= floor * 10) if self.printed_total >= 600 else "差"


def _cents(rng: random.Random, low: float, high: float) -> int:
    return rng.randint(int(low * 100), int(high * 100))


def _rate(numerator: int, denominator: int, decimals: int) -> str:
    from decimal import ROUND_HALF_UP, Decimal

    value = Decimal(numerator) * 100 / Decimal(denominator)
    return f"{value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)}%"


def rate_text(numerator: int, denominator: int, decimals: int) -> str:
    return _rate(numerator, denominator, decimals)


def _indicators(rng: random.Random, total_max: int, unit_goal: str) -> list[Indicator]:
    """Indicator rows whose maxima add up to ``total_max`` tenths, with a few points off."""
    keys = list(INDICATORS)
    chosen: list[tuple[str, str, str]] = []
    for key in keys:
        for name in rng.sample(INDICATORS[key], k=min(len(INDICATORS[key]), rng.choice((1, 1, 2)))):
            chosen.append((*key, name))
    weights = [rng.randint(2, 6) for _ in chosen]
    scale = total_max / sum(weights)
    maxima = [max(10, int(w * scale) // 10 * 10) for w in weights]
    maxima[0] += total_max - sum(maxima)
    rows = []
    for (l1, l2, l3), top in zip(chosen, maxima):
        lost = rng.choice((0, 0, 0, 0, 5, 10)) if top > 20 else 0
        if "率" in l3 or "满意" in l3:
            target, actual = rng.choice(("≥95%", "100%", "≥90%")), f"{rng.randint(95, 100)}%"
        elif "次数" in l3 or "数" in l3:
            n = rng.randint(3, 60)
            target, actual = f"≥{n}次", f"{n + rng.randint(0, 5)}次"
        else:
            target, actual = rng.choice((("有效提升", "已提升"), ("达到预期", "达到预期"), ("≤预算", unit_goal)))
        rows.append(Indicator(l1, l2, l3, target, actual, top, top - lost))
    return rows


def author(seed: int) -> Model:
    """The consistent figures of filing ``seed``."""
    rng = random.Random(seed)
    year = rng.choice((2021, 2022, 2023, 2024))
    city = rng.choice(sorted(CITIES))
    district = rng.choice(CITIES[city])
    unit = rng.choice(UNITS)
    authorized = rng.randint(8, 120)
    actual = authorized - rng.randint(0, max(1, authorized // 5))
    decimals = rng.choice((2, 2, 0))
    control_rate = _rate(actual, authorized, decimals)

    def cols(low: float, high: float, blank_prior: bool = False) -> Cols:
        budget = _cents(rng, low, high)
        final = budget - rng.randint(0, budget * 3 // 10) if rng.random() < 0.7 else budget
        prior = None if blank_prior else _cents(rng, low, high)
        return {"prior_final": prior, "budget": budget, "final": final}

    def add(*parts: Cols) -> Cols:
        return {c: sum(p[c] or 0 for p in parts) if any(p[c] is not None for p in parts) else None for c in COST_COLUMNS}

    has_vehicles = rng.random() < 0.6
    purchase = cols(0, 30) if has_vehicles and rng.random() < 0.4 else {c: None for c in COST_COLUMNS}
    operation = cols(2, 25) if has_vehicles else {c: None for c in COST_COLUMNS}
    vehicles = add(purchase, operation) if has_vehicles else {c: None for c in COST_COLUMNS}
    overseas = {c: 0 for c in COST_COLUMNS} if rng.random() < 0.7 else cols(1, 20)
    reception = cols(0.5, 15)
    three_total = add(vehicles, overseas, reception)
    business = cols(10, 300)
    operation_fund = cols(5, 200) if rng.random() < 0.8 else {c: None for c in COST_COLUMNS}
    names = rng.sample(SPECIAL_PROJECTS, k=rng.randint(2, 6))
    special_lines = [(name, cols(3, 150, blank_prior=rng.random() < 0.5)) for name in names]
    special = add(*(line for _, line in special_lines))
    project_total = add(business, operation_fund, special)
    office, utilities, meetings = cols(1, 40), cols(2, 50), cols(1, 30)
    public_lines = [(rng.choice(PUBLIC_EXTRA), cols(5, 200))] if rng.random() < 0.35 else []
    public_parts = add(office, utilities, meetings, *(line for _, line in public_lines))
    public_total = {c: public_parts[c] + _cents(rng, 0, 80) for c in COST_COLUMNS}
    procurement = {"prior_final": None, "budget": _cents(rng, 0, 300), "final": _cents(rng, 0, 200)}
    adjustment = {"prior_final": None, "budget": None, "final": None} if rng.random() < 0.6 else \
        {"prior_final": None, "budget": _cents(rng, 1, 100), "final": _cents(rng, 1, 100)}

    personnel = _cents(rng, 150, 3000)
    basic = personnel + public_total["final"]
    project_exp = project_total["final"]
    full_year = basic + project_exp
    initial = full_year - rng.randint(0, full_year * 3 // 10)
    funds = {"initial_budget": initial, "full_year_budget": full_year, "executed": full_year}
    other = rng.randint(0, full_year // 10) if rng.random() < 0.5 else 0
    revenue = {"general_budget": full_year - other, "gov_fund": 0, "special_account": 0, "other": other}
    carryover = rng.randint(0, full_year // 5)
    goals = [f"目标{n}：{text}" for n, text in zip("一二三四", rng.sample([
        "保障机关正常运转，完成年度重点工作任务。", "加强预算绩效管理，提高财政资金使用效益。",
        "推进重点项目建设，按期完成建设任务。", "提升公共服务水平，群众满意度稳步提高。",
        "加强干部队伍建设，提升依法履职能力。", "落实过紧日子要求，严控“三公”经费支出。"], k=rng.randint(2, 4)))]
    model = Model(
        seed=seed, year=year, city=city, district=district, unit=unit, authorized=authorized, actual=actual,
        control_rate=control_rate,
        three_public={"total": three_total, "vehicles": vehicles, "vehicle_purchase": purchase,
                      "vehicle_operation": operation, "overseas": overseas, "reception": reception},
        project={"total": project_total, "business": business, "operation": operation_fund, "special": special},
        special_lines=special_lines,
        public_funds={"total": public_total, "office": office, "utilities_travel": utilities,
                      "meetings_training": meetings},
        public_lines=public_lines, procurement=procurement, budget_adjustment=adjustment,
        funds=funds, funds_rate="100.00%" if decimals else "100%", funds_max=100, funds_score=100,
        revenue=revenue, expenditure={"basic": basic, "project": project_exp},
        indicators=_indicators(rng, 900, f"{full_year / 100:.2f}万元"), goals=goals, projects=[],
        personnel=personnel, revenue_current_year=full_year - carryover, carryover_opening=carryover,
    )
    model.projects = [_project_eval(rng, model, name, line) for name, line in _eval_projects(rng, model)]
    return model


def _eval_projects(rng: random.Random, model: Model) -> list[tuple[str, Cols]]:
    candidates = [("业务工作经费", model.project["business"])]
    if model.project["operation"]["final"] is not None:
        candidates.append(("运行维护经费", model.project["operation"]))
    candidates += model.special_lines
    return rng.sample(candidates, k=min(len(candidates), rng.randint(1, 3)))


def _project_eval(rng: random.Random, model: Model, name: str, line: Cols) -> ProjectEval:
    full_year = line["final"] or line["budget"] or 100
    executed = full_year if rng.random() < 0.6 else full_year - rng.randint(0, full_year // 50)
    initial = line["budget"] if line["budget"] else full_year
    other = rng.randint(1, max(1, full_year // 5)) if rng.random() < 0.3 else None
    carry = rng.randint(1, max(1, full_year // 5)) if rng.random() < 0.25 else None
    other_full, carry_full = other or 0, carry or 0
    appropriation = {"initial_budget": initial, "full_year_budget": full_year - other_full - carry_full,
                     "executed": executed - other_full - carry_full}
    parts = {
        "appropriation": appropriation,
        "carryover": {"initial_budget": None, "full_year_budget": carry, "executed": carry},
        "other": {"initial_budget": None, "full_year_budget": other, "executed": other},
    }
    decimals = rng.choice((2, 0, 2))
    return ProjectEval(
        name=name, funds={"initial_budget": initial, "full_year_budget": full_year, "executed": executed},
        rate=_rate(executed, full_year, decimals), max_score=100, score=100 if executed == full_year else 90,
        indicators=_indicators(rng, 900, f"{full_year / 100:.2f}万元"),
        goal=f"保障{name}顺利实施，按期完成年度任务。", **parts,
    )
