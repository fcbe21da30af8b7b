"""The inspection demo's year in bulk (see ``zhengwu.inspection.demo``): the six rounds' findings, immediate
rectifications and leads, the economic parks' common-problem list with the self-checks of the units it was issued
to, and 长沙市民政局's accountability — the seed's figures, each written as the records that count it (the teams and
their 395 cadres are staffed in ``demo_story``):

* 5,985 findings (not withdrawn) over 184 organisations, 639 of them with an immediate notice (立行立改), 206 leads;
* round 6: 395 cadres seconded to 11 teams inspecting 55 units, whose teams handled 1,234 petitions;
* the list issued to 8 districts, 12 parks and 78 city units, whose self-checks found 1,539 problems, completed
  1,499, solved 102 livelihood matters and made 284 regulations (the seed's "共计": all 98 units together);
* 1 removal, 4 admonishments, 29 criticisms, 223.04万元 returned and 191.62万元 recovered.

Totals are split over units, templates and findings by seeded draws (:func:`split`), so the sums are exact.
A round's findings are imported from the teams' ledger (``core.matters.imports``) when the round feeds back; the
rectification plans and closes that follow, and every lead, are engine steps at their own instants; the
rectification items are imported too (``demo_items``). The common-problem list, its self-checks and
accountability are plain rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import cast

from sqlalchemy import Table, bindparam, select, update

from zhengwu.core.matters.imports.service import import_matters
from zhengwu.core.matters.imports.sheets import Sheet
from zhengwu.core.matters.tables import MatterImportKey
from zhengwu.inspection.demo import (
    CITY_UNITS,
    DISTRICTS,
    PARKS,
    ROUNDS,
    YEAR_END,
    Story,
    _d,
    at,
    split,
    weekday,
)
from zhengwu.inspection.demo_items import rectification
from zhengwu.inspection.demo_story import SURNAMES, hand_over, lead_feedback, step
from zhengwu.inspection.kinds import FINDING, LEAD
from zhengwu.inspection.model import Stage, SubjectKind, rectification_due
from zhengwu.inspection.model.money import Outcome
from zhengwu.inspection.model.workflows import Disposal, Recipient
from zhengwu.inspection.tables import (
    Accountability,
    FindingMatter,
    ProblemList,
    ProblemListUnit,
    ProblemTemplate,
    SelfCheck,
)

FINDINGS = 5985 - 2  # the walkable story records two
IMMEDIATE = 639 - 1
LEADS = {1: 40, 2: 30, 3: 33, 4: 32, 5: 30, 6: 40}  # + the story's lead in round 3: 206
WITHDRAWN = 11
LIST_FOUND, LIST_DONE, LIVELIHOOD, REGULATIONS = 1539, 1499, 102, 284
OUTCOMES = {Outcome.REMOVAL: 1, Outcome.ADMONISHMENT: 4, Outcome.CRITICISM: 29}
RETURNED = [Decimal("1200000.00"), Decimal("786400.00"), Decimal("244000.00")]  # 223.04万元
RECOVERED = [Decimal("1350000.00"), Decimal("566200.00")]  # 191.62万元

FINDING_TEXTS: dict[str, tuple[str, ...]] = {
    "political": ("贯彻落实上级重大决策部署不够有力", "履行职能责任有偏差，服务发展大局不够主动"),
    "ideological": ("理论学习中心组学习流于形式", "意识形态工作责任制落实不到位"),
    "organisational": ("“三会一课”制度落实不严格", "选人用人程序不规范", "党员发展和管理不规范"),
    "conduct": ("形式主义、官僚主义问题仍有发生", "违规发放津补贴", "公务用车管理不规范"),
    "discipline": ("执行中央八项规定精神不严格", "违规兼职取酬问题未及时清理"),
    "integrity": ("“一把手”和领导班子监督不到位", "工程项目管理不规范，存在廉洁风险", "财务管理制度执行不严"),
    "livelihood": ("群众反映强烈的问题解决不及时", "惠民惠农资金发放不规范", "民生项目推进缓慢"),
    "rectification": ("上轮巡察整改不彻底", "审计发现问题整改不到位"),
    "other": ("档案管理不规范", "内部控制制度不健全"),
}
LEAD_TEXTS = (
    "有关人员涉嫌违规收受礼品礼金",
    "有关人员涉嫌在工程项目中谋取利益",
    "有关人员涉嫌违规发放补贴",
    "有关人员涉嫌失职失责",
)
TEMPLATES = (
    "园区党工委履行全面从严治党主体责任不到位",
    "招商引资政策兑现不规范、不及时",
    "国有资产出租出借管理不规范",
    "工程项目招投标和变更管理不严",
    "涉企收费和检查不规范，增加企业负担",
    "政府性债务和融资管理风险防控不到位",
    "土地供应和闲置土地处置不及时",
    "安全生产和生态环境监管责任落实不到位",
    "干部队伍建设和日常监督管理薄弱",
    "违规发放津补贴和福利",
    "财务报销和公务接待管理不规范",
    "上级巡视巡察和审计发现问题整改不彻底",
)


def _before_end(d: date) -> bool:
    return at(d, 18) <= YEAR_END


# --------------------------------------------------------------------------------------------- the findings

HEADER = [
    "key", "title", "body", "owner_unit", "received_at", "status", "resolved_at", "closed_at", "due_at", "round_id",
    "team_id", "target_unit_id", "category_id", "paper", "paper_approved_by", "immediate_notice",
    "immediate_ordered_on", "immediate_done_on", "fed_back_on", "report_due_on",
]  # fmt: skip


@dataclass
class _Finding:
    key: str
    round_no: int
    code: str
    immediate: bool
    withdrawn: bool = False
    id: int = 0
    approved_at: datetime | None = None  # the working paper's approval (a time: the import takes dates only)
    title: str = ""
    started: date | None = None  # its rectification plan (制定整改方案), after feedback
    closed: date | None = None  # closed, every rectification item signed off (``demo_items``)


def _when(d: date, hour: int, minute: int = 0) -> str:
    return f"{d.isoformat()} {hour:02d}:{minute:02d}"


def _row(story: Story, f: _Finding) -> list[str]:
    """The team's ledger row of one finding as it stands when its round feeds back: recorded and its working paper
    approved during entry; an immediate one ordered and done before the team left, the others fed back."""
    rng, plan = story.rng, story.rounds_plan[f.round_no]
    rnd, unit = story.rounds[f.round_no], story.units[f.code]
    entry_start, entry_end = plan.stages[Stage.ENTRY]
    assert entry_end is not None
    found = weekday(rng, entry_start + timedelta(7), entry_end - timedelta(10))
    approved = weekday(rng, found + timedelta(1), found + timedelta(3))
    category = "other" if f.withdrawn else rng.choice(list(FINDING_TEXTS))
    title = "反映问题经核实不属实" if f.withdrawn else rng.choice(FINDING_TEXTS[category])
    office = story.people["cs_xcb_office"].user_id
    f.title = title
    row = [f.key, title, f"{unit.name}{title}。", f.code, _when(found, rng.randint(9, 16), rng.randint(0, 59))]
    empty = ["", ""]
    if f.withdrawn:
        withdrawn = _when(found + timedelta(1), 11)
        row += ["withdrawn", "", withdrawn, ""]
    elif f.immediate:
        ordered = weekday(rng, approved + timedelta(1), approved + timedelta(4))
        done = weekday(rng, ordered + timedelta(3), entry_end)
        row += ["closed", _when(done, 16), _when(done, 16), ""]
        empty = ["", ""]
    else:
        fed_back = plan.stages[Stage.FEEDBACK][0]
        due = rectification_due(fed_back)
        row += ["fed_back", "", "", due.isoformat()]
        empty = [fed_back.isoformat(), due.isoformat()]
    row += [str(rnd.id), str(rnd.targets[unit.id]), str(unit.id), str(story.categories[category])]
    row += [f"底稿：{unit.name}{title}的事实材料。"]
    if not f.withdrawn:
        f.approved_at = at(approved, rng.randint(9, 17))
    row += [str(office) if f.approved_at else ""]
    if f.immediate and not f.withdrawn:
        row += [f"请{unit.name}立即整改：{title}。", ordered.isoformat(), done.isoformat()]
    else:
        row += ["", "", ""]
    return row + empty


def _import(story: Story, number: int, planned: list[_Finding]) -> Callable[[], None]:
    """The round's findings registered from the teams' ledger in bulk through the engine's import when the round
    feeds back (one ``imported`` event each: the steps before feedback are the ledger's columns)."""

    def run() -> None:
        rows = [_row(story, f) for f in planned]
        sheet = Sheet(f"第{number}轮巡察发现问题台账", HEADER, enumerate(rows, 2), len(rows))
        import_matters(story.uow, story.people["cs_team1"], FINDING, sheet)
        keys = {f.key: f for f in planned}
        found = select(MatterImportKey.key, MatterImportKey.matter_id).where(MatterImportKey.kind == FINDING.spec.code)
        for key, matter_id in story.uow.session.execute(found):
            if key in keys:
                keys[key].id = matter_id
        table = cast(Table, FindingMatter.__table__)
        approvals = [{"b_id": f.id, "b_at": f.approved_at} for f in planned if f.approved_at]
        stmt = update(table).where(table.c.id == bindparam("b_id")).values(paper_approved_at=bindparam("b_at"))
        story.uow.session.execute(stmt, approvals)

    return run


def _rectify(story: Story, f: _Finding) -> None:
    """When a fed-back finding's rectification plan is made and, in a round whose rectification stage has ended,
    whether and when it closes (its items and steps: ``demo_items``)."""
    rng, plan = story.rng, story.rounds_plan[f.round_no]
    rect_start, rect_end = plan.stages[Stage.RECTIFICATION]
    f.started = weekday(rng, rect_start, rect_start + timedelta(10))
    if rect_end is not None and rng.random() < 0.9:
        f.closed = weekday(rng, f.started + timedelta(20), rect_end)


def findings(story: Story) -> dict[int, list[_Finding]]:
    """Schedule each round's import and the rectification steps after it; returns the findings by round (the
    leads and accountability pick theirs among them)."""
    rng = story.rng
    targets = [(n, code) for n, codes in story.assigned.items() for code in codes]
    per_target = split(FINDINGS, len(targets), rng, 12, 50)
    slots = [(n, code) for (n, code), count in zip(targets, per_target, strict=True) for _ in range(count)]
    planned = [_Finding(f"F{j:05d}", n, code, False) for j, (n, code) in enumerate(slots, 1)]
    for f in rng.sample(planned, IMMEDIATE):
        f.immediate = True
    planned += [_Finding(f"W{j}", n, code, False, True) for j, (n, code) in enumerate(rng.sample(targets, WITHDRAWN))]
    by_round: dict[int, list[_Finding]] = {}
    for f in planned:
        by_round.setdefault(f.round_no, []).append(f)
    fed_back: list[_Finding] = []
    for plan in ROUNDS:
        these = by_round[plan.number]
        story.at(at(plan.stages[Stage.FEEDBACK][0], 9, 30), _import(story, plan.number, these))
        if Stage.RECTIFICATION in plan.stages:
            for f in these:
                if not f.immediate and not f.withdrawn:
                    _rectify(story, f)
                    fed_back.append(f)
    rectification(story, fed_back)
    return {n: [f for f in fs if not f.withdrawn] for n, fs in by_round.items()}


# ----------------------------------------------------------------------------------------------- the leads


def leads(story: Story, by_round: dict[int, list[_Finding]]) -> None:
    rng = story.rng
    for number, count in LEADS.items():
        rnd = story.rounds_plan[number]
        start, end = rnd.stages[Stage.HANDOVER]
        candidates = [f for f in by_round[number] if not f.immediate]
        for f in rng.sample(candidates, count):
            _lead_events(story, f, weekday(rng, start, end or start + timedelta(4)))


def _lead_events(story: Story, f: _Finding, day: date) -> None:
    rng = story.rng
    to_commission = rng.random() < 0.85
    recipient = Recipient.DISCIPLINE_COMMISSION if to_commission else Recipient.ORGANISATION_DEPARTMENT
    receiver = story.people["cs_jw_leads" if to_commission else "cs_zzb_leads"]
    unit = story.units[f.code]
    text = rng.choice(LEAD_TEXTS)
    made: list[int] = []

    def run() -> None:
        lead = hand_over(
            story, f.round_no, unit.id, f.id, recipient, f"{unit.name}{text}问题线索", f"{unit.name}{text}。"
        )
        made.append(lead.id)

    story.at(at(day, 14), run)
    received = weekday(story.rng, day + timedelta(2), day + timedelta(5))
    story.at(at(received, 10), lambda: step(story, receiver, LEAD, made[0], "receive"))
    fed_back = received + timedelta(rng.randint(60, 150))
    if not _before_end(fed_back):
        return
    disposal = rng.choice(list(Disposal))
    note = "已按规定处置并反馈。"
    story.at(at(fed_back, 15), lambda: lead_feedback(story, receiver, made[0], note, disposal))
    closed = fed_back + timedelta(rng.randint(5, 15))
    if _before_end(closed):
        office = story.people["cs_xcb_office"]
        story.at(at(closed, 10), lambda: step(story, office, LEAD, made[0], "close", "反馈已收悉。"))


# ------------------------------------------------------------------------------------ the common-problem list


def problem_list(story: Story) -> None:
    """The parks' common-problem list, issued to 98 units on 15 July; each unit self-checks by the end of October."""
    rng, s = story.rng, story.uow.session
    groups = (
        [(c, "区县（市）") for c in DISTRICTS] + [(c, "园区") for c in PARKS] + [(c, "市直单位") for c in CITY_UNITS]
    )
    found = split(LIST_FOUND, len(groups), rng, 5, 30)
    livelihood = split(LIVELIHOOD, len(groups), rng, 0, 3)
    regulations = split(REGULATIONS, len(groups), rng, 1, 5)
    cells = [split(n, len(TEMPLATES), rng, 0, 4) for n in found]
    done = [row[:] for row in cells]
    for _ in range(LIST_FOUND - LIST_DONE):  # problems not yet completed, one at a time where one was found
        i, j = rng.choice([(i, j) for i, row in enumerate(done) for j, v in enumerate(row) if v > 0])
        done[i][j] -= 1
    made: dict[str, int] = {}

    def issue() -> None:
        pl = ProblemList(
            committee_unit_id=story.unit_id("cs"),
            title="长沙市经济园区巡察共性问题清单",
            issued_on=_d(7, 15),
            due_on=_d(10, 31),
        )
        s.add(pl)
        s.flush()
        made["list"] = pl.id
        templates = [ProblemTemplate(list_id=pl.id, position=i, text=t) for i, t in enumerate(TEMPLATES, 1)]
        s.add_all(templates)
        s.flush()
        made.update({f"t{i}": t.id for i, t in enumerate(templates)})
        for code, group in groups:
            s.add(ProblemListUnit(list_id=pl.id, unit_id=story.unit_id(code), group=group))
        s.flush()

    story.at(at(_d(7, 15), 10), issue)
    for i, (code, _group) in enumerate(groups):
        story.at(
            at(weekday(rng, _d(8, 1), _d(10, 31)), 16),
            _reporter(story, made, code, cells[i], done[i], livelihood[i], regulations[i]),
        )


def _reporter(
    story: Story, made: dict[str, int], code: str, found: list[int], done: list[int], livelihood: int, regulations: int
) -> Callable[[], None]:
    def run() -> None:
        s = story.uow.session
        unit = s.get(ProblemListUnit, (made["list"], story.unit_id(code)))
        assert unit is not None
        unit.livelihood, unit.regulations, unit.reported_at = livelihood, regulations, story.uow.clock.now()
        for j, (n, d) in enumerate(zip(found, done, strict=True)):
            if n:
                s.add(
                    SelfCheck(
                        list_id=made["list"], unit_id=unit.unit_id, template_id=made[f"t{j}"], found=n, rectified=d
                    )
                )
        s.flush()

    return run


# ------------------------------------------------------------------------------------------- accountability


def accountability(story: Story, by_round: dict[int, list[_Finding]]) -> None:
    """长沙市民政局's accountability after round 1's feedback: 34 people, money returned and recovered."""
    rng, s = story.rng, story.uow.session
    mzj = [f for f in by_round[1] if f.code == "cs-mzj" and not f.immediate]
    unit_id = story.unit_id("cs-mzj")
    rows: list[tuple[SubjectKind, str, Outcome | None, Decimal, Decimal]] = [
        (SubjectKind.PERSON, rng.choice(SURNAMES) + "某某", outcome, Decimal(0), Decimal(0))
        for outcome, count in OUTCOMES.items()
        for _ in range(count)
    ]
    subject = "长沙市民政局某二级机构"
    rows += [(SubjectKind.UNIT, subject, None, amount, Decimal(0)) for amount in RETURNED]
    rows += [(SubjectKind.UNIT, subject, None, Decimal(0), amount) for amount in RECOVERED]
    for kind, name, outcome, returned, recovered in rows:
        day = weekday(rng, _d(7, 1), _d(8, 30))

        def run(kind=kind, name=name, outcome=outcome, returned=returned, recovered=recovered, day=day) -> None:  # type: ignore[no-untyped-def]
            finding = rng.choice(mzj)
            s.add(
                Accountability(
                    round_id=story.rounds[1].id, finding_id=finding.id, unit_id=unit_id, subject_kind=kind,
                    subject_name=name, outcome=outcome, decided_on=day, returned=returned, recovered=recovered,
                    note="巡察反馈问题整改问责。",
                )
            )  # fmt: skip
            s.flush()

        story.at(at(day, 17), run)


def spread(story: Story) -> None:
    by_round = findings(story)
    leads(story, by_round)
    problem_list(story)
    accountability(story, by_round)
