"""JSON API of inspection's ledgers: the responsibility list (主体责任清单) and each organisation's standing on it,
common-problem lists (共性问题清单) with the units' self-checks, and accountability with money returned or recovered.

Updates carry the ``version`` read (409 when stale); dates are ``YYYY-MM-DD`` strings. Money is taken as a string
(``"223.04万"``, ``"2,230,400.00"``) or a number and answered as a string in 元 with two decimals — never a float.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

from zhengwu.core.errors import Invalid
from zhengwu.inspection.api.fields import MAX_ID, Day, Id, Input, Text, Version
from zhengwu.inspection.model import Progress
from zhengwu.inspection.model.money import Outcome
from zhengwu.inspection.service import accountability as acc_service
from zhengwu.inspection.service import problem_lists as list_service
from zhengwu.inspection.service import responsibilities as resp_service
from zhengwu.inspection.tables import ResponsibilityStatus
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/inspection", tags=["巡察整改"], responses=PROBLEMS)
ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="责任清单事项 ID")]
ListId = Annotated[int, Path(ge=1, le=MAX_ID, description="共性问题清单 ID")]
UnitId = Annotated[int, Path(ge=1, le=MAX_ID, description="单位 ID")]
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="问责记录 ID")]


def _money_text(value: Any) -> Any:
    """A JSON amount as text for ``parse_yuan``: a string as given, an integer or a finite number as written."""
    if isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("应为有限数字")
        return value if isinstance(value, str) else repr(value)
    raise ValueError("应为金额（文本或数字）")


Money = Annotated[str, BeforeValidator(_money_text), Field(max_length=40, json_schema_extra={"type": "string"})]
#: An amount answered as a string in 元 with two decimals.
Yuan = Annotated[Decimal, PlainSerializer(lambda a: f"{a:.2f}", return_type=str), WithJsonSchema({"type": "string"})]
PROGRESS = "落实情况：" + "、".join(f"{p.value} {p.label}" for p in Progress)


# ---------------------------------------------------------------------------------------- responsibility list


class ItemIn(Input):
    position: int = Field(ge=1, le=resp_service.MAX_POSITION, description="序号")
    area: Text = Field("", max_length=resp_service.MAX_AREA, description="责任类别，如 管党治党")
    text: Text = Field(max_length=resp_service.MAX_TEXT, description="责任内容")
    active: bool = Field(True, description="是否启用")


class ItemUpdate(ItemIn):
    version: Version


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ItemOut(Output):
    id: int
    position: int
    area: str
    text: str
    active: bool
    version: int


class ProgressIn(Input):
    progress: Text = Field(max_length=16, description=PROGRESS)
    note: Text = Field("", max_length=resp_service.MAX_NOTE, description="说明")
    version: Version | None = Field(None, description="该单位此事项落实情况的版本号；尚未填报时为 null")


class StandingOut(BaseModel):
    item_id: int
    progress: str
    progress_label: str
    note: str
    version: int | None


class UnitStandingsOut(BaseModel):
    unit_id: int
    unit: str
    items: list[ItemOut]
    standings: list[StandingOut] = Field(description="与 items 一一对应")


class UnitTrackingOut(Output):
    unit_id: int
    unit: str
    confirmed: int = Field(description="已确认（含落实中、已落实）的事项数")
    done: int = Field(description="已落实的事项数")
    total: int = Field(description="启用的事项数")


class TrackingOut(BaseModel):
    units: list[UnitTrackingOut]
    items: list[ItemOut]
    counts: list[dict[str, int]] = Field(description="与 items 一一对应：各落实情况的单位数")


def _standing(item_id: int, status: ResponsibilityStatus | None) -> StandingOut:
    progress = status.progress if status else Progress.PENDING
    return StandingOut(
        item_id=item_id,
        progress=progress.value,
        progress_label=progress.label,
        note=status.note if status else "",
        version=status.version if status else None,
    )


@router.get("/responsibilities", summary="主体责任清单")
def list_responsibilities(principal: User, db: Db) -> list[ItemOut]:
    with db.reading() as session:
        return [ItemOut.model_validate(i) for i in resp_service.list_items(session, principal)]


@router.post("/responsibilities", status_code=201, summary="新增责任清单事项（须全市范围的轮次管理权限）")
def create_responsibility(body: ItemIn, principal: User, db: Db) -> ItemOut:
    with uow_for(db, principal) as uow:
        item = resp_service.create_item(uow, principal, **body.model_dump())
        uow.commit()
        return ItemOut.model_validate(item)


@router.get("/responsibilities/tracking", summary="责任清单落实情况：按单位、按事项")
def responsibility_tracking(principal: User, db: Db) -> TrackingOut:
    with db.reading() as session:
        found = resp_service.tracking(session, principal)
    return TrackingOut(
        units=[UnitTrackingOut.model_validate(u) for u in found.units],
        items=[ItemOut.model_validate(t.item) for t in found.items],
        counts=[{p.value: n for p, n in t.counts.items()} for t in found.items],
    )


@router.get("/responsibilities/units/{unit_id}", summary="某单位对责任清单的落实情况")
def unit_standings(unit_id: UnitId, principal: User, db: Db) -> UnitStandingsOut:
    with db.reading() as session:
        unit, standings = resp_service.unit_standings(session, principal, unit_id)
        return UnitStandingsOut(
            unit_id=unit.id,
            unit=unit.name,
            items=[ItemOut.model_validate(s.item) for s in standings],
            standings=[_standing(s.item.id, s.status) for s in standings],
        )


@router.put("/responsibilities/{item_id}", summary="修改责任清单事项")
def update_responsibility(item_id: ItemId, body: ItemUpdate, principal: User, db: Db) -> ItemOut:
    with uow_for(db, principal) as uow:
        item = resp_service.update_item(uow, principal, item_id, **body.model_dump())
        uow.commit()
        return ItemOut.model_validate(item)


@router.put("/responsibilities/{item_id}/units/{unit_id}", summary="填报本单位对某事项的落实情况")
def set_progress(item_id: ItemId, unit_id: UnitId, body: ProgressIn, principal: User, db: Db) -> StandingOut:
    with uow_for(db, principal) as uow:
        status = resp_service.set_progress(uow, principal, item_id, unit_id, **body.model_dump())
        uow.commit()
        return _standing(item_id, status)


# -------------------------------------------------------------------------------------- common-problem lists


class TemplateIn(Input):
    text: Text = Field(max_length=list_service.MAX_TEXT, description="问题表述")
    category_id: Id | None = Field(None, description="问题分类 ID")


class ListUnitIn(Input):
    unit_id: Id
    group: Text = Field("", max_length=list_service.MAX_GROUP, description="分组，如 区县（市）、园区、市直单位")


class ListIn(Input):
    committee_unit_id: Id = Field(description="下发清单的党委所在单位 ID")
    title: Text = Field(max_length=200, description="清单名称")
    issued_on: Day = Field(description="下发日期")
    due_on: Day | None = Field(None, description="完成时限")
    templates: list[TemplateIn] = Field(max_length=list_service.MAX_TEMPLATES, description="问题，按顺序")
    units: list[ListUnitIn] = Field(max_length=list_service.MAX_UNITS, description="下发单位")


class CheckIn(Input):
    template_id: Id
    found: int = Field(description="查摆问题数")
    rectified: int = Field(description="已整改数")


class SelfCheckIn(Input):
    checks: list[CheckIn] = Field(max_length=list_service.MAX_TEMPLATES, description="逐项自查；未列出的问题按 0 计")
    livelihood: int = Field(description="解决民生实事数")
    regulations: int = Field(description="建章立制数")
    version: Version


class FiguresOut(Output):
    units: int
    reported: int
    found: int
    rectified: int
    livelihood: int
    regulations: int
    completion_rate: float | None = Field(description="整改完成率（已整改 ÷ 查摆问题），无问题时为 null")


class TemplateOut(Output):
    id: int
    position: int
    text: str
    category: str
    found: int
    rectified: int


class UnitRowOut(Output):
    unit_id: int
    unit: str
    group: str
    reported: bool
    version: int = Field(description="报送自查时提交的版本号")
    figures: FiguresOut


class ListItemOut(Output):
    id: int
    title: str
    committee: str
    issued_on: date
    due_on: date | None
    units: int = Field(description="下发单位数（数据范围内）")
    reported: int = Field(description="已报送自查的单位数")


class ListOut(ListItemOut):
    committee_unit_id: int
    total: FiguresOut
    groups: dict[str, FiguresOut]
    templates: list[TemplateOut]
    rows: list[UnitRowOut]
    not_reported: list[UnitRowOut] = Field(description="尚未报送自查的单位")


class CheckOut(Output):
    template_id: int
    position: int
    text: str
    found: int
    rectified: int


class SelfCheckOut(Output):
    unit_id: int
    unit: str
    group: str
    reported: bool
    livelihood: int
    regulations: int
    version: int
    checks: list[CheckOut]


def _summary(db: Db, principal: User, list_id: int) -> ListOut:
    with db.reading() as session:
        return ListOut.model_validate(list_service.list_summary(session, principal, list_id))


def _self_check(db: Db, principal: User, list_id: int, unit_id: int) -> SelfCheckOut:
    with db.reading() as session:
        return SelfCheckOut.model_validate(list_service.self_check(session, principal, list_id, unit_id))


@router.get("/problem-lists", summary="共性问题清单列表")
def list_problem_lists(principal: User, db: Db) -> list[ListItemOut]:
    with db.reading() as session:
        return [ListItemOut.model_validate(r) for r in list_service.list_lists(session, principal)]


@router.post("/problem-lists", status_code=201, summary="下发共性问题清单")
def issue_problem_list(body: ListIn, principal: User, db: Db) -> ListOut:
    with uow_for(db, principal) as uow:
        problem_list = list_service.issue_list(
            uow,
            principal,
            **body.model_dump(exclude={"templates", "units"}),
            templates=[(t.text, t.category_id) for t in body.templates],
            units=[(u.unit_id, u.group) for u in body.units],
        )
        uow.commit()
    return _summary(db, principal, problem_list.id)


@router.get("/problem-lists/{list_id}", summary="共性问题清单汇总：总数、分组、逐项、未报送单位")
def get_problem_list(list_id: ListId, principal: User, db: Db) -> ListOut:
    return _summary(db, principal, list_id)


@router.get("/problem-lists/{list_id}/units/{unit_id}", summary="某单位的自查情况")
def get_self_check(list_id: ListId, unit_id: UnitId, principal: User, db: Db) -> SelfCheckOut:
    return _self_check(db, principal, list_id, unit_id)


@router.put("/problem-lists/{list_id}/units/{unit_id}", summary="报送自查情况（整体替换）")
def report_self_check(list_id: ListId, unit_id: UnitId, body: SelfCheckIn, principal: User, db: Db) -> SelfCheckOut:
    if len({c.template_id for c in body.checks}) != len(body.checks):
        raise Invalid("同一问题重复填报。", field="checks")
    with uow_for(db, principal) as uow:
        list_service.report_self_check(
            uow,
            principal,
            list_id,
            unit_id,
            checks={c.template_id: (c.found, c.rectified) for c in body.checks},
            livelihood=body.livelihood,
            regulations=body.regulations,
            version=body.version,
        )
        uow.commit()
    return _self_check(db, principal, list_id, unit_id)


# ------------------------------------------------------------------------------------ accountability, money


class AccountabilityIn(Input):
    unit_id: Id = Field(description="问责对象所在单位 ID")
    subject_kind: Text = Field(max_length=16, description="对象类别：person 个人、unit 单位")
    subject_name: Text = Field(max_length=acc_service.MAX_NAME, description="姓名或单位名称")
    outcome: Text | None = Field(
        None, max_length=32, description="处理结果：" + "、".join(f"{o.value} {o.label}" for o in Outcome)
    )
    decided_on: Day = Field(description="处理日期")
    returned: Money = Field("0", description='退缴金额（元），如 "223.04万" 或 2230400')
    recovered: Money = Field("0", description="追回金额（元）")
    round_id: Id | None = Field(None, description="巡察轮次 ID")
    finding_id: Id | None = Field(None, description="巡察发现问题 ID")
    note: Text = Field("", max_length=acc_service.MAX_NOTE)


class AccountabilityUpdate(AccountabilityIn):
    version: Version


class AccountabilityOut(Output):
    id: int
    unit_id: int
    subject_kind: str
    subject_name: str
    outcome: str | None
    decided_on: date
    returned: Yuan = Field(description="退缴金额（元，两位小数）")
    recovered: Yuan = Field(description="追回金额（元，两位小数）")
    round_id: int | None
    finding_id: int | None
    note: str
    version: int


class LedgerOut(Output):
    count: int
    persons: int
    units: int
    by_outcome: dict[str, int] = Field(description="各处理结果人次")
    by_family: dict[str, int] = Field(description="组织处理、纪律处分人次")
    returned: Yuan = Field(description="退缴合计（元）")
    recovered: Yuan = Field(description="追回合计（元）")
    returned_wan: str = Field(description="退缴合计，如 223.04万元")
    recovered_wan: str
    records: list[AccountabilityOut] = Field(description=f"最近的记录，至多 {acc_service.MAX_SHOWN} 条")


def _one(db: Db, principal: User, record_id: int) -> AccountabilityOut:
    with db.reading() as session:
        return AccountabilityOut.model_validate(acc_service.get_record(session, principal, record_id))


@router.get("/accountability", summary="问责与资金：记录与合计")
def list_accountability(
    principal: User,
    db: Db,
    round_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="巡察轮次 ID")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="处理年度")] = None,
    unit_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="单位 ID（含下级）")] = None,
) -> LedgerOut:
    with db.reading() as session:
        return LedgerOut.model_validate(
            acc_service.ledger(session, principal, round_id=round_id, year=year, unit_id=unit_id)
        )


@router.post("/accountability", status_code=201, summary="登记问责处理与资金退缴追回")
def record_accountability(body: AccountabilityIn, principal: User, db: Db) -> AccountabilityOut:
    with uow_for(db, principal) as uow:
        record = acc_service.record_accountability(uow, principal, **body.model_dump())
        uow.commit()
    return _one(db, principal, record.id)


@router.get("/accountability/{record_id}", summary="问责记录")
def get_accountability(record_id: RecordId, principal: User, db: Db) -> AccountabilityOut:
    return _one(db, principal, record_id)


@router.put("/accountability/{record_id}", summary="修改问责记录")
def update_accountability(
    record_id: RecordId, body: AccountabilityUpdate, principal: User, db: Db
) -> AccountabilityOut:
    with uow_for(db, principal) as uow:
        acc_service.update_accountability(uow, principal, record_id, **body.model_dump())
        uow.commit()
    return _one(db, principal, record_id)
