"""The walkable part of the inspection demo (see ``zhengwu.inspection.demo``), and the steps the demo takes through
the matters engine: the third round's 第一巡察组 at 芙蓉区荷花园街道 (the seed: entry on 31 May 2024) — the water supply
of 恒达社区聚心苑小区 20 栋 fixed at once (立行立改); a finding on the community's collective assets whose
rectification item is sent back once for missing evidence and then signed off with both approvals (销号); a lead
handed over to 市纪委监委, received and fed back.

The steps set the kind's own columns the inspection services would set (the date fed back, the report's due date,
the immediate notice …) and then act through the engine, which checks the workflow, the grant and what the step
needs, moves the clocks and records the event.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import date
from typing import Any, cast

from sqlalchemy import select

from zhengwu.core.matters import service as matters
from zhengwu.core.matters.registry import Kind
from zhengwu.core.org.model import Principal
from zhengwu.inspection.demo import (
    BIG_ROUND,
    CITY_UNITS,
    DISTRICTS,
    ROUNDS,
    STORY_ROUND,
    TZ,
    Story,
    _d,
    at,
    split,
)
from zhengwu.inspection.kinds import FINDING, ITEM, LEAD
from zhengwu.inspection.model import Evaluation, Specialty, Stage, TeamRole, conflict, lead_due, rectification_due
from zhengwu.inspection.model.workflows import Approver, Disposal, Recipient
from zhengwu.inspection.tables import (
    FindingMatter,
    InspectionCadre,
    InspectionCadreSpecialty,
    InspectionConflict,
    InspectionSecondment,
    InspectionTeam,
    ItemApproval,
    ItemEvidence,
    ItemMatter,
    LeadMatter,
)

# ------------------------------------------------------------------------------------ steps through the engine


SECONDED, PETITIONS = 395, 1234  # round 6's cadres and the petitions its teams handled
OFFICE_CADRES, POOL = 12, 440
SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许彭吕苏蒋蔡丁魏叶余潘谭廖邹熊易龙贺"
GIVEN = (
    "建华", "明", "丽", "伟", "芳", "敏", "静", "强", "磊", "洋",
    "艳", "勇", "军", "杰", "娟", "涛", "超", "秀英", "海燕", "志强",
    "晓东", "文斌", "玉兰", "春梅", "国庆", "红霞", "小平", "卫东", "建军", "丽娟",
    "湘", "岳", "湘平", "振华", "思远", "雨婷", "嘉欣", "子涵", "浩然", "宇航",
)  # fmt: skip
POSTS = ("一级科员", "四级主任科员", "二级主任科员", "副科长", "科长", "四级调研员", "副处长")


def today(story: Story) -> date:
    return story.uow.clock.now().astimezone(TZ).date()


def open_finding(
    story: Story, round_no: int, unit_id: int, category: str, title: str, body: str, paper: str
) -> FindingMatter:
    """A finding recorded by the team (底稿 attached) on a target of round ``round_no``."""
    rnd = story.rounds[round_no]
    fields = dict(
        round_id=rnd.id,
        team_id=rnd.targets[unit_id],
        target_unit_id=unit_id,
        category_id=story.categories[category],
        paper=paper,
    )
    team = story.people["cs_team1"]
    found = matters.open_matter(story.uow, team, FINDING, title=title, owner_unit_id=unit_id, body=body, fields=fields)
    assert isinstance(found, FindingMatter)
    return found


def step(story: Story, who: Principal, kind: Kind, matter_id: int, action: str, note: str = "", **data: Any) -> None:
    matters.act(story.uow, who, kind, matter_id, action, note=note, data=data)


def approve_paper(story: Story, f: FindingMatter) -> None:
    office = story.people["cs_xcb_office"]
    f.paper_approved_by, f.paper_approved_at = office.user_id, story.uow.clock.now()
    step(story, office, FINDING, f.id, "approve_paper")


def order_immediate(story: Story, f: FindingMatter, notice: str) -> None:
    f.immediate_notice, f.immediate_ordered_on = notice, today(story)
    step(story, story.people["cs_team1"], FINDING, f.id, "order_immediate", notice)


def complete_immediate(story: Story, f: FindingMatter, note: str) -> None:
    f.immediate_done_on = today(story)
    step(
        story, story.people["cs_team1"], FINDING, f.id, "complete_immediate", note, attachments=["立行立改完成情况说明"]
    )


def feed_back(story: Story, f: FindingMatter) -> None:
    f.fed_back_on = today(story)
    f.report_due_on = rectification_due(f.fed_back_on)
    step(story, story.people["cs_team1"], FINDING, f.id, "feed_back")


def hand_over(
    story: Story, round_no: int, unit_id: int, finding_id: int | None, recipient: Recipient, title: str, body: str
) -> LeadMatter:
    """A lead handed over by the inspection office to the city commission or the organisation department."""
    receiving = story.unit_id("cs-jw" if recipient is Recipient.DISCIPLINE_COMMISSION else "cs-zzb")
    fields = dict(
        round_id=story.rounds[round_no].id,
        finding_id=finding_id,
        target_unit_id=unit_id,
        recipient=recipient,
        receiving_unit_id=receiving,
        handed_over_on=today(story),
        due_on=lead_due(today(story)),
    )
    office = story.people["cs_xcb_office"]
    lead = matters.open_matter(story.uow, office, LEAD, title=title, owner_unit_id=receiving, body=body, fields=fields)
    assert isinstance(lead, LeadMatter)
    return lead


def lead_feedback(story: Story, who: Principal, lead_id: int, note: str, disposal: Disposal) -> None:
    """The recipient's feedback on a lead: how it was disposed of, and what came of it."""
    lead = story.uow.session.get(LeadMatter, lead_id)
    assert lead is not None
    lead.feedback = note
    step(story, who, LEAD, lead_id, "feed_back", note, disposal=disposal)


# ------------------------------------------------------------------------------------------ the walkable story

WATER = "恒达社区聚心苑小区20栋48户居民夏季供水困难，街道未推动解决"
WATER_NOTICE = "请荷花园街道立即对接供水企业，解决恒达社区聚心苑小区20栋居民用水难问题，整改情况于7月15日前报巡察组。"
WATER_DONE = "街道与长沙供水有限公司城东分公司对接，更换入户总表和阀门，小区居民用水全部恢复正常。"
ASSETS = "社区集体“三资”管理不规范，街道党工委监督缺位"
ASSETS_BODY = "恒达社区集体资产出租未经民主程序，部分租金未及时入账；街道党工委对社区“三资”管理监督检查流于形式。"
MEASURE = "全面清查社区集体资产、资金、资源，建立“三资”台账，规范出租程序并追缴欠收租金；街道每季度开展一次监督检查。"
SENT_BACK = "佐证材料不全：缺少“三资”清查台账和欠收租金追缴凭证，请补充后重新提交。"
LEAD_TITLE = "荷花园街道某社区干部涉嫌违规处置集体资产问题线索"
LEAD_BODY = "巡察中发现某社区干部在集体资产出租中涉嫌违规操作、收受好处，移交市纪委监委处置。"


def _pdf(title: str) -> bytes:
    """A one-page PDF standing for a scanned document (the demo's evidence)."""
    return b"%PDF-1.4\n% zhengwu demo evidence: " + title.encode() + b"\n%%EOF\n"


def _evidence(story: Story, item: ItemMatter, filename: str, who: Principal) -> int:
    data = _pdf(filename)
    ev = ItemEvidence(
        item_id=item.id,
        cycle=item.cycle,
        filename=filename,
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by=who.user_id,
        uploaded_at=story.uow.clock.now(),
    )
    story.uow.session.add(ev)
    story.uow.flush()
    return ev.id


def _approve(story: Story, item: ItemMatter, who: str, approver: Approver) -> None:
    p = story.people[who]
    story.uow.session.add(
        ItemApproval(
            item_id=item.id, approver=approver, user_id=p.user_id, cycle=item.cycle, approved_at=story.uow.clock.now()
        )
    )
    step(story, p, ITEM, item.id, f"approve_as_{approver.value}")
    if item.status == "closed":
        item.completed_on = today(story)


def walkable(story: Story) -> None:
    """Round 3's 第一巡察组 at 荷花园街道: an immediate rectification, an item sent back once and signed off, a lead."""
    p, made = story.people, cast(dict[str, Any], {})
    office, team, head = p["cs_xcb_office"], p["cs_team1"], p["cs_fr_head"]

    def water() -> None:
        made["water"] = open_finding(
            story,
            STORY_ROUND,
            story.unit_id("cs-fr-hhy"),
            "livelihood",
            WATER,
            "巡察组进驻不久即接到群众来电反映。" + WATER,
            "底稿：群众来电记录、现场走访记录。",
        )

    def assets() -> None:
        made["assets"] = open_finding(
            story,
            STORY_ROUND,
            story.unit_id("cs-fr-hhy"),
            "integrity",
            ASSETS,
            ASSETS_BODY,
            "底稿：资产出租合同、财务凭证抽查记录、谈话笔录。",
        )

    def add_item() -> None:
        f = made["assets"]
        fields = dict(finding_id=f.id, measure=MEASURE, responsible="荷花园街道党工委书记", due_on=f.report_due_on)
        made["item"] = matters.open_matter(
            story.uow,
            head,
            ITEM,
            title="规范社区“三资”管理",
            owner_unit_id=f.target_unit_id,
            body=MEASURE,
            parent_id=f.id,
            fields=fields,
        )

    def submit(filename: str) -> Callable[[], None]:
        def run() -> None:
            item = made["item"]
            ev = _evidence(story, item, filename, head)
            step(story, head, ITEM, item.id, "submit", "已完成整改，报送佐证材料。", attachments=[ev])

        return run

    def send_back() -> None:
        step(story, office, ITEM, made["item"].id, "send_back", SENT_BACK, reason=SENT_BACK)
        made["item"].cycle += 1

    def lead() -> None:
        made["lead"] = hand_over(
            story,
            STORY_ROUND,
            story.unit_id("cs-fr-hhy"),
            made["assets"].id,
            Recipient.DISCIPLINE_COMMISSION,
            LEAD_TITLE,
            LEAD_BODY,
        )

    jw = p["cs_jw_leads"]
    lead_fb = "经初步核实，该社区干部违规处置集体资产问题属实，已给予党内警告处分，违规所得已收缴。"
    plan: list[tuple[date, int, Callable[[], object]]] = [
        (_d(6, 3), 10, water),
        (_d(6, 4), 15, lambda: approve_paper(story, made["water"])),
        (_d(6, 5), 9, lambda: order_immediate(story, made["water"], WATER_NOTICE)),
        (_d(6, 20), 16, assets),
        (_d(6, 24), 10, lambda: approve_paper(story, made["assets"])),
        (_d(7, 10), 17, lambda: complete_immediate(story, made["water"], WATER_DONE)),
        (_d(8, 12), 10, lambda: feed_back(story, made["assets"])),
        (_d(8, 16), 9, lambda: step(story, head, FINDING, made["assets"].id, "start_rectification", "制定整改方案。")),
        (_d(8, 16), 10, add_item),
        (_d(8, 19), 15, lead),
        (_d(8, 21), 10, lambda: step(story, jw, LEAD, made["lead"].id, "receive")),
        (_d(9, 10), 16, lambda: step(story, head, ITEM, made["item"].id, "progress", "已完成资产清查，正在追缴租金。")),
        (_d(9, 25), 16, submit("三资整改情况报告.pdf")),
        (_d(9, 27), 10, lambda: step(story, office, ITEM, made["item"].id, "verify", "已核实。")),
        (_d(9, 29), 11, lambda: _approve(story, made["item"], "cs_fr_head", Approver.HEAD)),
        (_d(10, 8), 10, send_back),
        (_d(10, 25), 16, submit("三资清查台账及租金追缴凭证.pdf")),
        (_d(10, 28), 10, lambda: step(story, office, ITEM, made["item"].id, "verify", "补充材料齐全，核实整改到位。")),
        (_d(10, 30), 15, lambda: _approve(story, made["item"], "cs_supervisor", Approver.SUPERVISOR)),
        (_d(11, 1), 9, lambda: _approve(story, made["item"], "cs_fr_head", Approver.HEAD)),
        (_d(11, 8), 10, lambda: step(story, team, FINDING, made["assets"].id, "close", "整改事项均已销号。")),
        (_d(11, 20), 15, lambda: lead_feedback(story, jw, made["lead"].id, lead_fb, Disposal.PRELIMINARY)),
        (_d(11, 27), 10, lambda: step(story, office, LEAD, made["lead"].id, "close", "线索处置反馈已收悉。")),
    ]  # fmt: skip
    for day, hour, run in plan:
        story.at(at(day, hour), run)


# ---------------------------------------------------------------------------------------------- the cadres


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def cadres(story: Story) -> None:
    """The talent pool (office cadres of 市委巡察办 and cadres of city units and district inspection offices),
    recorded before the first round; each round's teams are staffed the day after it is recorded."""
    rng, s = story.rng, story.uow.session
    pool: list[InspectionCadre] = []
    sources = [story.unit_id(c) for c in CITY_UNITS] * 2 + [story.unit_id(f"{d}-xcb") for d in DISTRICTS] * 12

    def record() -> None:
        for i in range(OFFICE_CADRES + POOL):
            unit_id = story.unit_id("cs-xcb") if i < OFFICE_CADRES else rng.choice(sources)
            post = "巡察专员" if i < OFFICE_CADRES else rng.choice(POSTS)
            cadre = InspectionCadre(name=_name(rng), unit_id=unit_id, post=post)
            pool.append(cadre)
        s.add_all(pool)
        s.flush()
        for cadre in pool:
            for sp in rng.sample(list(Specialty)[:-1], rng.randint(1, 2)):
                s.add(InspectionCadreSpecialty(cadre_id=cadre.id, specialty=sp))
        for cadre in rng.sample(pool[OFFICE_CADRES:], 10):
            unit_id = story.unit_id(rng.choice(CITY_UNITS))
            if unit_id != cadre.unit_id:
                s.add(
                    InspectionConflict(
                        cadre_id=cadre.id, unit_id=unit_id, reason="配偶在该单位任职", declared_on=_d(1, 5)
                    )
                )
        s.flush()

    story.at(at(_d(1, 5), 10), record)
    for plan in ROUNDS:
        story.at(at(plan.stages[Stage.PREPARATION][0], 15), _staffer(story, plan.number, pool))


def _staffer(story: Story, number: int, pool: list[InspectionCadre]) -> Callable[[], None]:
    def run() -> None:
        rng, s = story.rng, story.uow.session
        rnd = story.rounds[number]
        paths = {u.id: u.path for u in story.units.values()}
        declared: dict[int, set[int]] = {}
        for c in s.scalars(select(InspectionConflict)):
            declared.setdefault(c.cadre_id, set()).add(c.unit_id)
        by_team: dict[int, list[int]] = {t: [] for t in rnd.teams}
        for unit_id, team_id in rnd.targets.items():
            by_team[team_id].append(unit_id)

        def free(cadre: InspectionCadre, team_id: int) -> bool:
            return all(
                conflict(paths[cadre.unit_id], declared.get(cadre.id, ()), t, paths[t]) is None
                for t in by_team[team_id]
            )

        big = number == BIG_ROUND
        sizes = split(SECONDED, len(rnd.teams), rng, 10, 10) if big else [6] * len(rnd.teams)
        others = pool[OFFICE_CADRES:]
        rng.shuffle(others)
        for k, team_id in enumerate(rnd.teams):
            leader = pool[(k + number) % OFFICE_CADRES]
            s.add(InspectionSecondment(cadre_id=leader.id, team_id=team_id, role=TeamRole.LEADER))
            chosen = [c for c in others if free(c, team_id)][: sizes[k] - 1]
            taken = {c.id for c in chosen}
            others = [c for c in others if c.id not in taken]
            for j, cadre in enumerate(chosen):
                role = TeamRole.DEPUTY if j < 2 else TeamRole.MEMBER
                s.add(InspectionSecondment(cadre_id=cadre.id, team_id=team_id, role=role))
        s.flush()
        feedback = rnd.stage(Stage.FEEDBACK)[0]
        story.at(at(rnd.stage(Stage.ENTRY)[1] or feedback, 17), _petitions(story, number))
        story.at(at(feedback, 16), _evaluations(story, number))

    return run


def _petitions(story: Story, number: int) -> Callable[[], None]:
    """The petitions (信访件) each team handled during entry, recorded when entry ends."""

    def run() -> None:
        rnd = story.rounds[number]
        counts = split(PETITIONS, len(rnd.teams), story.rng, 6, 12) if number == BIG_ROUND else None
        for k, team_id in enumerate(rnd.teams):
            team = story.uow.session.get(InspectionTeam, team_id)
            assert team is not None
            team.petitions = counts[k] if counts else story.rng.randint(30, 160)
        story.uow.flush()

    return run


def _evaluations(story: Story, number: int) -> Callable[[], None]:
    """Each seconded cadre evaluated when the round feeds back; the excellent commended, a few promoted later."""

    def run() -> None:
        rng, s = story.rng, story.uow.session
        team_ids = story.rounds[number].teams
        for sec in s.scalars(select(InspectionSecondment).where(InspectionSecondment.team_id.in_(team_ids))):
            sec.evaluation = Evaluation.EXCELLENT if rng.random() < 0.2 else Evaluation.COMPETENT
            sec.commended = sec.evaluation is Evaluation.EXCELLENT and rng.random() < 0.5
            if sec.commended and number <= 2 and rng.random() < 0.3:
                sec.promoted_on = _d(12, 10)
        story.uow.flush()

    return run
