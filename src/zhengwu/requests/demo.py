"""The requests system's part of ``zhengwu demo``: the seed's first story told through the services.

* **S256** — on 2024-06-20 the Fenghuang county commission receives the report about provincial road S256 between
  Wuchaohe and Dama (腊尔山乌巢河至大马段, K12+300–K27+900); the hotline accepts it and dispatches it to the road
  maintenance centre, which signs for it and goes on site the same day; the prefecture commission lists it for
  supervision; a rectification project surveys the 15.6 km section, starts on 06-30 for 20 days and is completed on
  07-15; the request is resolved, the call-back is satisfied and the listing is signed off.
* **The campaign** — the county commission presses the health, education, agriculture and civil-affairs
  departments into a special action: 39 requests tagged to it, resolved with 45 difficulties solved between them.
* **The year** — a few hundred ordinary requests (``demo_spread``) so that the figures pages have content.

Every step goes through the services at the instant it happens: a ``FakeClock`` is moved to each event's time and
the events run in time order, so serial numbers, deadlines and audit entries read as they would have. Everything
is deterministic (a seeded ``random.Random``); every figure the pages show is counted from these records.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from zhengwu.core.calendar.model import WorkingCalendar
from zhengwu.core.calendar.service import load_calendar
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Actor, Database, UnitOfWork
from zhengwu.core.matters import service as matters
from zhengwu.core.matters import supervision
from zhengwu.core.org.auth import load_principal
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit, User
from zhengwu.requests import service as rq
from zhengwu.requests.kinds import KIND
from zhengwu.requests.tables import RequestCategory

TZ = ZoneInfo("Asia/Shanghai")
SEED = 2024
#: Where the demo's clock stops: the end of the year the story happens in.
YEAR_END = datetime(2024, 12, 31, 18, 0, tzinfo=TZ)

S256_DESCRIPTION = (
    "S256下沱公路腊尔山乌巢河至大马段公路存在安全隐患，请求修补：该水泥路面使用时间过长，路面老化，"
    "雨天行车路面湿滑，车辆容易出现打滑、失控等现象，群众出行存在安全隐患。"
)
S256_REQUIREMENTS = "要尽快拿出具体措施和设计方案，及时启动施工，确保群众出行安全。整治期间每 5 个工作日报送一次进展。"
CAMPAIGN_NAME = "聚焦群众急难愁盼问题专项行动"
#: department unit code → (requests surfaced, of which solving two difficulties): 39 requests, 45 difficulties.
CAMPAIGN_PLAN = {"fh-wj": (11, 2), "fh-jy": (9, 1), "fh-ny": (11, 2), "fh-mz": (8, 1)}


def at(d: date, hour: int, minute: int = 0) -> datetime:
    """An instant given in Beijing time, as UTC."""
    return datetime.combine(d, time(hour, minute), TZ).astimezone(UTC)


@dataclass(order=True)
class _Event:
    when: datetime
    seq: int
    run: Callable[[], object] = field(compare=False)


@dataclass
class Story:
    """What the events share: the open unit of work, the people, units, categories and the working calendar."""

    uow: UnitOfWork
    people: dict[str, Principal]
    units: dict[str, int]
    categories: dict[str, int]
    calendar: WorkingCalendar
    rng: random.Random
    events: list[_Event] = field(default_factory=list)
    _seq: int = 0

    def at(self, when: datetime, run: Callable[[], object]) -> None:
        """Schedule ``run`` at ``when`` (events at the same instant keep the order they were scheduled in)."""
        self._seq += 1
        heapq.heappush(self.events, _Event(when, self._seq, run))

    def play(self, clock: FakeClock, until: datetime) -> int:
        """Run the events up to ``until`` in time order, the clock standing at each one's instant (an event may
        schedule later ones); later events are dropped. Returns how many ran."""
        ran = 0
        while self.events and self.events[0].when <= until:
            event = heapq.heappop(self.events)
            clock.set(event.when)
            event.run()
            ran += 1
        self.events.clear()
        return ran

    def workday(self, d: date, n: int) -> date:
        """The n-th working day after ``d``."""
        return self.calendar.add_working_days(d, n)

    def working_days(self, first: date, last: date) -> list[date]:
        """The working days from ``first`` to ``last``, both included."""
        span = range(first.toordinal(), last.toordinal() + 1)
        return [d for d in map(date.fromordinal, span) if self.calendar.is_working_day(d)]


class Ref:
    """The id of a request once its receiving event has run (later events read it)."""

    id: int = 0


def _people(uow: UnitOfWork) -> dict[str, Principal]:
    found: dict[str, Principal] = {}
    for username, user_id in uow.session.execute(select(User.username, User.id)):
        p = load_principal(uow.session, user_id)
        if p is not None:
            found[username] = p
    return found


def build_story(uow: UnitOfWork) -> Story:
    s = uow.session
    return Story(
        uow,
        _people(uow),
        {code: id_ for code, id_ in s.execute(select(Unit.code, Unit.id))},
        {code: id_ for code, id_ in s.execute(select(RequestCategory.code, RequestCategory.id))},
        load_calendar(s),
        random.Random(SEED),
    )


# ------------------------------------------------------------------------------------------------ S256


def s256(story: Story) -> Ref:
    """The seed's request, from receipt on 2024-06-20 to the listing's sign-off on 2024-07-18."""
    uow, p, u = story.uow, story.people, story.units
    ref = Ref()
    day = date(2024, 6, 20)
    listing: dict[str, int] = {}
    project: dict[str, int] = {}

    def receive() -> None:
        ref.id = rq.receive_request(
            uow,
            p["fh_jw"],
            channel="letter",
            type="help",
            category_id=story.categories["traffic.road"],
            title="S256腊尔山乌巢河至大马段路面湿滑存在安全隐患",
            description=S256_DESCRIPTION,
            address="凤凰县腊尔山镇乌巢河至大马段",
            road_code="S256",
            km_from="K12+300",
            km_to="K27+900",
            latitude=28.0712,
            longitude=109.4563,
            reporter_name="龙建华",
            reporter_phone="13907431256",
            area_unit_id=u["fh-les"],
        ).id

    def note(who: str, text: str) -> Callable[[], object]:
        return lambda: rq.progress(uow, p[who], ref.id, note=text)

    def report(text: str) -> Callable[[], object]:
        return lambda: supervision.file_report(uow, p["fh_road"], listing["id"], text)

    def listed() -> None:
        listing["id"] = supervision.list_for_supervision(
            uow,
            p["xx_jw"],
            KIND,
            ref.id,
            supervising_unit_id=u["xx-jw"],
            letter_no="湘西纪督〔2024〕12号",
            level="州级挂牌督办",
            requirements=S256_REQUIREMENTS,
            due_at=date(2024, 7, 31),
            report_every=5,
        ).id

    def extension() -> None:
        ext = matters.request_extension(
            uow, p["fh_road"], KIND, ref.id, "handle", 15, "整治工程计划 6 月 30 日开工、工期 20 天，申请延长办理时限。"
        )
        matters.decide_extension(uow, p["fh_rx"], KIND, ext.id, approve=True, note="同意，按整治工期办理。")

    def create_project() -> None:
        project["id"] = rq.create_project(
            uow,
            p["fh_road"],
            ref.id,
            title="S256线腊尔山镇至山江镇段路面安全隐患整治",
            survey=(
                "组织设计单位对 S256 线凤凰县腊尔山镇至山江镇路段（总长 15.6 公里）踏勘，"
                "查明弯道和磨光路面分布，提出凿毛、标线整治设计方案。"
            ),
            survey_done_on=date(2024, 6, 23),
            starts_on=date(2024, 6, 30),
            duration_days=20,
            measures=[
                rq.MeasureInput("弯道及磨光路面凿毛处理，增加混凝土路面粗糙度和附着力", "15.6", "公里"),
                rq.MeasureInput("在相应位置布设横向减速标线", None, ""),
                rq.MeasureInput("恢复对向车道分界线", "15.6", "公里"),
            ],
            milestones=[
                rq.MilestoneInput("铣刨、刻纹（凿毛）", date(2024, 7, 8)),
                rq.MilestoneInput("坑槽填筑修补", date(2024, 7, 12)),
                rq.MilestoneInput("增设横向减速标线、恢复车道分界线", date(2024, 7, 17)),
                rq.MilestoneInput("交工验收", date(2024, 7, 20)),
            ],
        ).id

    def milestone(position: int, percent: int, done: date | None) -> Callable[[], None]:
        def run() -> None:
            view = rq.project_view(uow.session, p["fh_road"], project["id"])
            rq.record_milestone(
                uow,
                p["fh_road"],
                project["id"],
                view.milestones[position - 1].id,
                version=None,
                percent=percent,
                done_on=done,
            )

        return run

    story.at(at(day, 9, 20), receive)
    story.at(at(day, 9, 50), lambda: rq.accept(uow, p["fh_rx"], ref.id))
    story.at(at(day, 10, 5), lambda: rq.dispatch(uow, p["fh_rx"], ref.id, unit_id=u["fh-gl"]))
    story.at(at(day, 10, 30), lambda: rq.sign(uow, p["fh_road"], ref.id))
    site = "州、县纪委监委与县公路建设养护中心赶赴现场查看：路面老化、磨光，雨天湿滑，弯道处隐患突出。"
    story.at(at(day, 16, 30), note("fh_road", site))
    story.at(at(day, 17, 0), listed)
    story.at(at(date(2024, 6, 24), 11, 0), create_project)
    story.at(
        at(date(2024, 6, 24), 15, 0), report("已组织设计单位完成 15.6 公里路段踏勘和整治设计，定于 6 月 30 日开工。")
    )
    story.at(at(date(2024, 6, 25), 10, 0), extension)
    story.at(at(date(2024, 6, 30), 8, 30), lambda: rq.start_project(uow, p["fh_road"], project["id"], version=None))
    story.at(at(date(2024, 7, 5), 17, 0), milestone(1, 60, None))
    story.at(at(date(2024, 7, 5), 17, 30), report("铣刨、刻纹已完成约六成，施工期间设置警示标志，半幅通行。"))
    story.at(at(date(2024, 7, 8), 17, 0), milestone(1, 100, date(2024, 7, 8)))
    story.at(at(date(2024, 7, 11), 17, 0), milestone(2, 100, date(2024, 7, 11)))
    story.at(at(date(2024, 7, 12), 16, 0), report("凿毛、填筑已完成，开始施划横向减速标线。"))
    story.at(at(date(2024, 7, 14), 17, 0), milestone(3, 100, date(2024, 7, 14)))
    story.at(at(date(2024, 7, 15), 11, 0), milestone(4, 100, date(2024, 7, 15)))

    def complete() -> None:
        rq.complete_project(uow, p["fh_road"], project["id"], version=None, completed_on=date(2024, 7, 15))
        supervision.file_report(uow, p["fh_road"], listing["id"], "工程全面完工，群众反映的路面安全隐患已排除到位。")

    story.at(at(date(2024, 7, 15), 15, 0), complete)
    result = (
        "S256线腊尔山镇至山江镇段 15.6 公里弯道和磨光路面已凿毛处理，布设横向减速标线，恢复对向车道分界线，"
        "路面安全隐患已排除到位。"
    )
    story.at(
        at(date(2024, 7, 15), 16, 0),
        lambda: rq.resolve(uow, p["fh_road"], ref.id, result=result, difficulties_solved=1),
    )
    story.at(
        at(date(2024, 7, 17), 10, 0),
        lambda: rq.call_back(uow, p["fh_rx"], ref.id, solved=True, satisfied=True, note="群众表示满意。"),
    )
    story.at(
        at(date(2024, 7, 18), 10, 0),
        lambda: supervision.sign_off(uow, p["xx_jw"], listing["id"], "经现场核查，整改到位，同意销号。"),
    )
    return ref


# ----------------------------------------------------------------------------------------------- campaign

CAMPAIGN_TEXTS = {
    "fh-wj": (
        "health",
        [
            "{town}卫生院夜间无值班医生，群众看病不便",
            "{town}{village}卫生室缺少常用药品",
            "{town}{village}慢性病患者取药难",
        ],
    ),
    "fh-jy": (
        "education",
        [
            "{town}{village}留守儿童上学路途远、无人接送",
            "{town}中心小学食堂设施陈旧",
            "{town}{village}学生资助未及时发放",
        ],
    ),
    "fh-ny": (
        "agriculture",
        [
            "{town}{village}灌溉水渠垮塌影响农田用水",
            "{town}{village}猕猴桃产业路需要硬化",
            "{town}{village}种粮补贴发放有疑问",
        ],
    ),
    "fh-mz": (
        "civil",
        ["{town}{village}孤寡老人无人照料", "{town}{village}困难家庭申请临时救助", "{town}敬老院冬季取暖设施不足"],
    ),
}
CAMPAIGN_USERS = {"fh-wj": "fh_weijian", "fh-jy": "fh_jiaoyu", "fh-ny": "fh_nongye", "fh-mz": "fh_minzheng"}


def _campaign_request(story: Story, made: dict[str, int], code: str, day: date, difficulties: int) -> None:
    """One request the campaign surfaced in department ``code``: received by the county commission, dispatched
    to the department, resolved within its limit solving ``difficulties`` difficulties, called back satisfied."""
    from zhengwu.requests.demo_spread import TOWNS, VILLAGES, reporter

    uow, p, u, rng = story.uow, story.people, story.units, story.rng
    category, texts = CAMPAIGN_TEXTS[code]
    town, village = rng.choice(TOWNS), rng.choice(VILLAGES)
    text = rng.choice(texts).format(town=town, village=village)
    name, phone = reporter(rng)
    handler = CAMPAIGN_USERS[code]
    ref = Ref()

    def receive() -> None:
        ref.id = rq.receive_request(
            uow,
            p["fh_jw"],
            channel=rng.choice(("walk_in", "walk_in", "phone")),
            type="help",
            category_id=story.categories[category],
            description=f"专项行动走访中群众反映：{text}，请求帮助解决。",
            address=f"凤凰县{town}{village}",
            reporter_name=name,
            reporter_phone=phone,
            campaign_id=made["id"],
        ).id

    done = story.workday(day, rng.randint(1, 4))
    story.at(at(day, rng.randint(9, 15), rng.randint(0, 59)), receive)
    story.at(at(day, 17, 10), lambda: rq.accept(uow, p["fh_rx"], ref.id))
    story.at(at(day, 17, 20), lambda: rq.dispatch(uow, p["fh_rx"], ref.id, unit_id=u[code]))
    story.at(at(story.workday(day, 1), 9, 0), lambda: rq.sign(uow, p[handler], ref.id))
    result = "已协调解决，群众认可。"
    story.at(
        at(done, 16, 0),
        lambda: rq.resolve(uow, p[handler], ref.id, result=result, difficulties_solved=difficulties),
    )
    story.at(
        at(story.workday(done, 1), 10, 0),
        lambda: rq.call_back(uow, p["fh_rx"], ref.id, solved=True, satisfied=True),
    )


def campaign(story: Story) -> dict[str, int]:
    """The special action and its 39 requests; returns {"id": campaign id} once its creating event has run."""
    uow, p, u = story.uow, story.people, story.units
    made: dict[str, int] = {}

    def create() -> None:
        made["id"] = rq.create_campaign(
            uow,
            p["fh_jw"],
            name=CAMPAIGN_NAME,
            commission_unit_id=u["fh-jw"],
            starts_on=date(2024, 3, 1),
            unit_ids=[u[code] for code in CAMPAIGN_PLAN],
        ).id

    story.at(at(date(2024, 3, 1), 9, 0), create)
    days = story.working_days(date(2024, 3, 4), date(2024, 7, 5))
    for code, (count, doubles) in CAMPAIGN_PLAN.items():
        for i in range(count):
            _campaign_request(story, made, code, story.rng.choice(days), 2 if i < doubles else 1)
    return made


def seed_requests(db: Database, clock: FakeClock) -> None:
    """Tell the story into a database that holds the seed's bodies and people (``zhengwu.demo.seed_core``)."""
    from zhengwu.requests.demo_spread import spread

    with db.uow(Actor(None, "演示数据")) as uow:
        story = build_story(uow)
        s256(story)
        campaign(story)
        spread(story)
        story.play(clock, YEAR_END.astimezone(UTC))
        uow.commit()
