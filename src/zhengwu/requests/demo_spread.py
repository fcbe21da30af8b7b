"""The demo's ordinary year of requests (see ``zhengwu.requests.demo``): a few hundred requests received by the
Fenghuang county hotline through 2024, over the seed categories and every channel, taken through the hotline's
steps at plausible times — most on time and satisfied, some signed for or resolved late, some declined, sent back
once, called back unsatisfied or reopened, a few still open at the year's end — plus a cluster of reports of
slippery surface on S256 near Laershan in the spring (a hot spot, before the seed's own report in June).

The draws come from the story's seeded ``random.Random``, so every run builds the same records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from zhengwu.core.org.model import Principal
from zhengwu.requests import model
from zhengwu.requests import service as rq
from zhengwu.requests.demo import TZ, Ref, Story, at

#: How many ordinary requests the year holds (besides the hot spot, the seed's request and the campaign's).
ORDINARY = 220
HOT_SPOT = 8

TOWNS = ("沱江镇", "阿拉营镇", "廖家桥镇", "茶田镇", "禾库镇", "腊尔山镇", "山江镇", "吉信镇", "千工坪镇", "新场镇")
VILLAGES = ("早岗村", "夯卡村", "东就村", "黄合村", "拉毫村", "舒家塘村", "竹山村", "老家寨村", "凉灯村", "千潭村")
SURNAMES = "龙吴麻杨田石张王李刘彭向滕欧"
GIVEN = (
    "建华",
    "明军",
    "秀英",
    "海燕",
    "志强",
    "玉兰",
    "金花",
    "长春",
    "光辉",
    "小红",
    "德文",
    "春梅",
    "云",
    "芳",
    "勇",
)
PHONE_PREFIXES = ("139", "138", "137", "135", "158", "187", "182", "151")
CHANNELS = (("phone", 50), ("web", 22), ("open311", 10), ("walk_in", 10), ("letter", 8))
#: road code, kilometre span (metres), a point near it (latitude, longitude)
ROADS = (("S256", 60000, (28.06, 109.45)), ("S308", 40000, (27.93, 109.62)), ("X041", 25000, (27.98, 109.55)))
#: unit code → the demo user who signs for and handles its requests
HANDLERS = {
    "fh-gl": "fh_road",
    "fh-wj": "fh_weijian",
    "fh-jy": "fh_jiaoyu",
    "fh-ny": "fh_nongye",
    "fh-mz": "fh_minzheng",
    "fh-les": "fh_les",
    "fh-sj": "fh_sj",
}
TOWN_UNITS = {"腊尔山镇": "fh-les", "山江镇": "fh-sj"}


@dataclass(frozen=True)
class Topic:
    category: str
    weight: int
    texts: tuple[tuple[str, str], ...]  # (request type, text with {town} {village} {road} {km})
    unit: str | None  # the handling unit; None: the town's own (腊尔山镇 or 山江镇)
    road: bool = False


TOPICS = (
    Topic(
        "traffic.road",
        22,
        (
            ("help", "{road}线{town}段{km}附近路面出现坑槽，车辆通行颠簸，请尽快修补。"),
            ("complaint", "{road}线{town}段排水沟堵塞，下雨时路面积水严重，多次反映未处理。"),
            ("help", "{road}线{town}段路边护栏损坏，请尽快恢复。"),
            ("suggestion", "建议在{road}线{town}段{km}急弯处增设警示标志和减速带。"),
            ("consult", "咨询{road}线{town}段路面改造什么时候开工、施工期间如何绕行。"),
        ),
        "fh-gl",
        road=True,
    ),
    Topic(
        "traffic.safety",
        3,
        (
            ("help", "{road}线{town}段{km}处山体落石，占用半幅路面，请紧急处置。"),
            ("report", "{road}线{town}段{km}处路基塌陷，车辆通行危险，请紧急处置。"),
        ),
        "fh-gl",
        road=True,
    ),
    Topic(
        "construction",
        12,
        (
            ("help", "{town}{village}自来水管网老化，经常停水，请求维修。"),
            ("complaint", "{town}{village}路灯损坏多日未修，夜间出行不安全。"),
            ("complaint", "{town}集镇农贸市场旁建筑垃圾长期堆放无人清运。"),
            ("consult", "咨询{town}农村危房改造补助的申请条件。"),
        ),
        None,
    ),
    Topic(
        "environment",
        8,
        (
            ("report", "{town}{village}河道有人倾倒生活垃圾，影响水质。"),
            ("complaint", "{town}{village}附近养殖场污水直排，气味难闻。"),
            ("suggestion", "建议{town}{village}增设垃圾分类收集点。"),
        ),
        None,
    ),
    Topic(
        "education",
        12,
        (
            ("suggestion", "{town}{village}学生上学路途远，建议开通校车。"),
            ("consult", "咨询子女到{town}中心小学插班入学的手续。"),
            ("complaint", "反映{town}某幼儿园收费不规范。"),
            ("complaint", "{town}中学食堂卫生条件差，请相关部门检查。"),
        ),
        "fh-jy",
    ),
    Topic(
        "health",
        14,
        (
            ("complaint", "{town}卫生院夜间无值班医生，群众看病不便。"),
            ("consult", "咨询城乡居民医保缴费标准和住院报销比例。"),
            ("report", "反映{town}{village}有诊所无证行医。"),
            ("suggestion", "建议{town}{village}卫生室增加常用药品。"),
        ),
        "fh-wj",
    ),
    Topic(
        "agriculture",
        10,
        (
            ("help", "{town}{village}灌溉水渠损坏，影响农田灌溉。"),
            ("consult", "咨询猕猴桃种植补贴的申报流程。"),
            ("report", "反映{town}农资店销售假化肥。"),
            ("help", "{town}{village}产业路需要硬化，请求支持。"),
        ),
        "fh-ny",
    ),
    Topic(
        "civil",
        10,
        (
            ("consult", "咨询{town}农村低保的申请条件和流程。"),
            ("help", "{town}{village}孤寡老人无人照料，请求帮助。"),
            ("complaint", "反映{town}敬老院服务不到位。"),
            ("consult", "咨询残疾人两项补贴的申领办法。"),
        ),
        "fh-mz",
    ),
)


def reporter(rng: random.Random) -> tuple[str, str]:
    """A made-up reporter: a name and a mobile number."""
    return rng.choice(SURNAMES) + rng.choice(GIVEN), rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _minutes(when: datetime, lo: int, hi: int, rng: random.Random) -> datetime:
    return when + timedelta(minutes=rng.randint(lo, hi))


def _local(when: datetime) -> date:
    return when.astimezone(TZ).date()


def _compose(story: Story, topic: Topic, km: int | None, town: str | None) -> tuple[str, str, str, dict[str, object]]:
    """What the citizen reports: (type, description, handling unit code, the other intake fields)."""
    rng, u = story.rng, story.units
    type_, template = rng.choice(topic.texts)
    town = town or rng.choice(tuple(TOWN_UNITS) if topic.unit is None else TOWNS)
    village = rng.choice(VILLAGES)
    fields: dict[str, object] = {"address": f"凤凰县{town}{village}", "area_unit_id": u[TOWN_UNITS.get(town, "fh")]}
    road_text = km_text = ""
    if topic.road:
        code, span, (lat, lon) = ROADS[0] if km is not None else rng.choice(ROADS)
        start = km if km is not None else rng.randrange(0, span, 100)
        road_text, km_text = code, model.format_km(start)
        fields |= {
            "road_code": code,
            "km_from": start,
            "km_to": start + rng.choice((0, 100, 300, 500, 1200)),
            "latitude": round(lat + rng.uniform(-0.03, 0.03), 5),
            "longitude": round(lon + rng.uniform(-0.03, 0.03), 5),
        }
    if rng.random() < 0.08:
        fields["anonymous"] = True
    else:
        fields["reporter_name"], fields["reporter_phone"] = reporter(rng)
    text = template.format(town=town, village=village, road=road_text, km=km_text)
    return type_, text, topic.unit or TOWN_UNITS[town], fields


def _intake(story: Story, ref: Ref, t: datetime, unit: str, *, urgent: bool) -> datetime | None:
    """Accept (or decline: None) and dispatch, a few sent to a wrong unit first and sent back; returns the time of
    the final dispatch."""
    rng, uow, p, u = story.rng, story.uow, story.people, story.units
    hotline = p["fh_rx"]
    t = _minutes(t, 5, 40, rng)
    if not urgent and rng.random() < 0.04:
        reason = rng.choice((model.DeclineReason.DUPLICATE, model.DeclineReason.OUT_OF_SCOPE))
        story.at(t, lambda: rq.decline(uow, hotline, ref.id, reason=reason, note="已向反映人说明情况。"))
        return None
    story.at(t, lambda: rq.accept(uow, hotline, ref.id))
    t = _minutes(t, 5, 30, rng)
    if not urgent and rng.random() < 0.03:
        wrong = rng.choice([c for c in HANDLERS if c != unit])
        story.at(t, lambda: rq.dispatch(uow, hotline, ref.id, unit_id=u[wrong]))
        t = _minutes(t, 30, 90, rng)
        why = "该事项不属于本单位职责，请改派。"
        story.at(t, lambda: rq.send_back(uow, p[HANDLERS[wrong]], ref.id, reason=why))
        t = _minutes(t, 10, 40, rng)
    story.at(t, lambda: rq.dispatch(uow, hotline, ref.id, unit_id=u[unit]))
    return t


def _handle(story: Story, ref: Ref, dispatched: datetime, handler: Principal, type_: str, *, urgent: bool) -> datetime:
    """Sign for (a few late) and resolve (most within the limit, some after it); returns the resolution time."""
    rng, uow = story.rng, story.uow
    if urgent:
        sign_at = _minutes(dispatched, 5, 20, rng)
        resolve_at = _minutes(sign_at, 30, 90, rng)
    else:
        late_sign = rng.random() < 0.06
        sign_at = at(story.workday(_local(dispatched), 2), 9, 30) if late_sign else _minutes(dispatched, 10, 120, rng)
        limit = model.DEFAULT_LIMITS[model.RequestType(type_)][0]
        k = rng.randint(limit + 1, limit + 4) if rng.random() < 0.1 else rng.randint(1, max(1, limit - 1))
        sign_day = _local(sign_at)
        resolve_at = at(story.workday(sign_day, k), rng.randint(9, 16), rng.randint(0, 59))
        if k >= 2 and type_ in ("complaint", "report") and rng.random() < 0.3:
            note = "已到现场核实情况，正在协调处理。"
            story.at(at(story.workday(sign_day, 1), 15, 0), lambda: rq.progress(uow, handler, ref.id, note=note))
    story.at(sign_at, lambda: rq.sign(uow, handler, ref.id))
    result = "已核实并处理，结果已告知反映人。"
    story.at(resolve_at, lambda: rq.resolve(uow, handler, ref.id, result=result))
    return resolve_at


def _call_back(story: Story, ref: Ref, resolved: datetime, handler: Principal) -> None:
    """Most satisfied; some unsatisfied (closed all the same); a few reopened through the unit's fault, handled
    again and then called back satisfied."""
    rng, uow, hotline = story.rng, story.uow, story.people["fh_rx"]
    call_day = story.workday(_local(resolved), rng.randint(1, 2))
    call_at = at(call_day, rng.randint(10, 16), rng.randint(0, 59))
    draw = rng.random()
    if draw < 0.82:
        story.at(call_at, lambda: rq.call_back(uow, hotline, ref.id, solved=True, satisfied=True))
        return
    if draw < 0.92:
        solved, note = rng.random() < 0.5, "反映人对结果不满意。"
        story.at(call_at, lambda: rq.call_back(uow, hotline, ref.id, solved=solved, satisfied=False, note=note))
        return
    note = "反映人表示问题未解决，承办单位未到现场核实，退回重办。"
    story.at(
        call_at,
        lambda: rq.call_back(uow, hotline, ref.id, solved=False, satisfied=False, unit_at_fault=True, note=note),
    )
    again = at(story.workday(call_day, rng.randint(2, 5)), 15, 0)
    story.at(again, lambda: rq.resolve(uow, handler, ref.id, result="重新到现场核实处理，问题已解决。"))
    later = at(story.workday(_local(again), 1), 11, 0)
    story.at(later, lambda: rq.call_back(uow, hotline, ref.id, solved=True, satisfied=True))


def _request(
    story: Story, day: date, topic: Topic, channel: str, *, km: int | None = None, town: str | None = None
) -> None:
    """Schedule one request's life, from receipt to call-back (what falls after the year's end never happens)."""
    type_, text, unit, fields = _compose(story, topic, km, town)
    urgent = topic.category == "traffic.safety"
    ref = Ref()

    def receive() -> None:
        ref.id = rq.receive_request(
            story.uow,
            story.people["fh_rx"],
            channel=channel,
            type=type_,
            category_id=story.categories[topic.category],
            description=text,
            **fields,  # type: ignore[arg-type]
        ).id

    received = at(day, story.rng.randint(8, 13 if urgent else 16), story.rng.randint(0, 59))
    story.at(received, receive)
    dispatched = _intake(story, ref, received, unit, urgent=urgent)
    if dispatched is None:
        return
    handler = story.people[HANDLERS[unit]]
    resolved = _handle(story, ref, dispatched, handler, type_, urgent=urgent)
    _call_back(story, ref, resolved, handler)


def spread(story: Story) -> None:
    """Schedule the year's ordinary requests and the spring hot spot on S256."""
    rng = story.rng
    days = story.working_days(date(2024, 1, 2), date(2024, 12, 27))
    names = [name for name, _ in CHANNELS]
    weights = [weight for _, weight in CHANNELS]
    for _ in range(ORDINARY):
        topic = rng.choices(TOPICS, weights=[t.weight for t in TOPICS])[0]
        _request(story, rng.choice(days), topic, rng.choices(names, weights)[0])
    slippery = Topic(
        "traffic.road",
        0,
        (("complaint", "{road}线{town}段{km}附近水泥路面磨光，雨天湿滑，车辆容易打滑。"),),
        "fh-gl",
        road=True,
    )
    spring = story.working_days(date(2024, 3, 11), date(2024, 6, 14))
    for i in range(HOT_SPOT):
        km = 14000 + i * 1500 + rng.randrange(0, 1000, 100)
        _request(story, spring[i * len(spring) // HOT_SPOT], slippery, "phone", km=km, town="腊尔山镇")
