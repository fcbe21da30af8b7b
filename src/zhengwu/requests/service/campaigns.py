"""Special actions (专项行动): a commission presses departments into a campaign, the requests the campaign surfaces
are tagged to it, and its report gives per department "surfaced N requests, solved M difficulties".

A request counts for a department when its owner unit lies in the department's subtree. *Surfaced*: every request
tagged to the campaign; *resolved*: those whose status is resolved or closed; *difficulties solved*: the sum of
``difficulties_solved`` recorded at resolution over the resolved ones. The report is one SQL aggregate, limited by
``restrict`` to the requests the reader may view. Writes need ``requests.campaign.manage`` over the commission unit
(campaigns) or over the request (tagging); they are audited by the unit of work's flush listener.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session, aliased

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid, NotFound
from zhengwu.core.org.access import check_write, restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import expect_version, require, touch
from zhengwu.core.org.tables import Unit
from zhengwu.requests.model import CAMPAIGN_MANAGE, VIEW, State
from zhengwu.requests.tables import RequestCampaign, RequestCampaignUnit, RequestMatter

MAX_DEPARTMENTS = 200
MAX_TAGGED_SHOWN = 200
RESOLVED_STATES = (State.RESOLVED.value, State.CLOSED.value)


@dataclass(frozen=True)
class _CommissionScope:
    """The commission unit as a record ``check_write`` can place in a scope."""

    __scope_unit__: ClassVar[str] = "unit_id"
    unit_id: int


@dataclass(frozen=True)
class DepartmentFigures:
    unit_id: int
    unit_name: str
    surfaced: int
    resolved: int
    difficulties_solved: int


@dataclass(frozen=True)
class CampaignReport:
    campaign: RequestCampaign
    departments: list[DepartmentFigures]

    @property
    def surfaced(self) -> int:
        return sum(d.surfaced for d in self.departments)

    @property
    def resolved(self) -> int:
        return sum(d.resolved for d in self.departments)

    @property
    def difficulties_solved(self) -> int:
        return sum(d.difficulties_solved for d in self.departments)


def _checked(
    session: Session, name: str, commission_unit_id: int, starts_on: date, ends_on: date | None, units: Sequence[int]
) -> tuple[str, list[int]]:
    name = (name or "").strip()
    if not name:
        raise Invalid("请填写专项行动名称。", field="name")
    if len(name) > 128:
        raise Invalid("专项行动名称不能超过 128 个字。", field="name")
    commission = session.get(Unit, commission_unit_id)
    if commission is None or not commission.active:
        raise Invalid("牵头单位不存在或已停用。", field="commission_unit_id")
    if not isinstance(starts_on, date):
        raise Invalid("请填写有效的开始日期。", field="starts_on")
    if ends_on is not None and (not isinstance(ends_on, date) or ends_on < starts_on):
        raise Invalid("结束日期不能早于开始日期。", field="ends_on")
    ordered = list(dict.fromkeys(units))
    if len(ordered) > MAX_DEPARTMENTS:
        raise Invalid(f"参加部门最多 {MAX_DEPARTMENTS} 个。", field="unit_ids")
    if ordered:
        found = set(session.scalars(select(Unit.id).where(Unit.id.in_(ordered), Unit.active.is_(True))))
        missing = [u for u in ordered if u not in found]
        if missing:
            raise Invalid("参加部门不存在或已停用。", field="unit_ids")
    return name, ordered


def _set_units(uow: UnitOfWork, campaign: RequestCampaign, units: list[int]) -> None:
    uow.session.execute(delete(RequestCampaignUnit).where(RequestCampaignUnit.campaign_id == campaign.id))
    for order, unit in enumerate(units, start=1):
        uow.session.add(RequestCampaignUnit(campaign_id=campaign.id, unit_id=unit, sort_order=order))


def create_campaign(
    uow: UnitOfWork,
    principal: Principal | None,
    *,
    name: str,
    commission_unit_id: int,
    starts_on: date,
    ends_on: date | None = None,
    unit_ids: Sequence[int] = (),
) -> RequestCampaign:
    """A commission's special action with the departments pressed into it (in the order given)."""
    require(principal, CAMPAIGN_MANAGE)
    session = uow.session
    name, units = _checked(session, name, commission_unit_id, starts_on, ends_on, unit_ids)
    check_write(session, principal, CAMPAIGN_MANAGE, _CommissionScope(commission_unit_id))
    campaign = RequestCampaign(name=name, commission_unit_id=commission_unit_id, starts_on=starts_on, ends_on=ends_on)
    session.add(campaign)
    uow.flush()
    _set_units(uow, campaign, units)
    uow.flush()
    return campaign


def update_campaign(
    uow: UnitOfWork,
    principal: Principal | None,
    campaign_id: int,
    *,
    name: str,
    commission_unit_id: int,
    starts_on: date,
    ends_on: date | None = None,
    unit_ids: Sequence[int] = (),
    version: int | None = None,
) -> RequestCampaign:
    """Edit a campaign; its departments are replaced by ``unit_ids``. Both the old and the new commission unit
    must lie in the editor's scope; ``version`` is the one the editor loaded (``Conflict`` when stale)."""
    require(principal, CAMPAIGN_MANAGE)
    session = uow.session
    campaign = session.get(RequestCampaign, campaign_id)
    if campaign is None:
        raise NotFound("专项行动不存在。")
    expect_version(campaign, version)
    check_write(session, principal, CAMPAIGN_MANAGE, _CommissionScope(campaign.commission_unit_id))
    name, units = _checked(session, name, commission_unit_id, starts_on, ends_on, unit_ids)
    check_write(session, principal, CAMPAIGN_MANAGE, _CommissionScope(commission_unit_id))
    campaign.name, campaign.commission_unit_id = name, commission_unit_id
    campaign.starts_on, campaign.ends_on = starts_on, ends_on
    _set_units(uow, campaign, units)
    touch(campaign)  # a change of departments alone still counts as an edit
    uow.flush()
    return campaign


@dataclass(frozen=True)
class CampaignRow:
    campaign: RequestCampaign
    commission: str
    surfaced: int


def list_campaigns(session: Session, principal: Principal | None) -> list[CampaignRow]:
    """Every campaign, newest start first, with its commission unit and how many requests the reader may view
    are tagged to it. Campaign names are not secret (the intake form offers them all); the figures are scoped."""
    visible = restrict(select(RequestMatter.id, RequestMatter.campaign_id), principal, VIEW, RequestMatter).subquery()
    rows = session.execute(
        select(RequestCampaign, Unit.name, func.count(visible.c.id))
        .join(Unit, Unit.id == RequestCampaign.commission_unit_id)
        .outerjoin(visible, visible.c.campaign_id == RequestCampaign.id)
        .group_by(RequestCampaign.id, Unit.name)
        .order_by(RequestCampaign.starts_on.desc(), RequestCampaign.id.desc())
    )
    return [CampaignRow(c, str(name), int(n)) for c, name, n in rows]


@dataclass(frozen=True)
class TaggedRequest:
    id: int
    serial: str
    title: str
    unit: str
    status: str
    difficulties_solved: int | None


def tagged_requests(
    session: Session, principal: Principal | None, campaign_id: int, limit: int = MAX_TAGGED_SHOWN
) -> list[TaggedRequest]:
    """The requests tagged to a campaign that the reader may view, newest first (at most ``limit``)."""
    stmt = (
        select(
            RequestMatter.id,
            RequestMatter.serial,
            RequestMatter.title,
            Unit.name,
            RequestMatter.status,
            RequestMatter.difficulties_solved,
        )
        .join(Unit, Unit.id == RequestMatter.owner_unit_id)
        .where(RequestMatter.campaign_id == campaign_id)
        .order_by(RequestMatter.id.desc())
        .limit(limit)
    )
    return [TaggedRequest(*row) for row in session.execute(restrict(stmt, principal, VIEW, RequestMatter))]


def request_by_serial(session: Session, serial: str) -> RequestMatter:
    """The request with this serial (诉-2024-000123); ``Invalid`` naming ``serial`` when there is none."""
    found = session.scalar(select(RequestMatter).where(RequestMatter.serial == (serial or "").strip()))
    if found is None:
        raise Invalid(f"没有编号为“{serial}”的诉求。", field="serial")
    return found


def may_edit(session: Session, principal: Principal | None, campaign: RequestCampaign) -> None:
    """Raise ``Forbidden`` unless ``principal`` holds ``requests.campaign.manage`` over the commission unit."""
    check_write(session, principal, CAMPAIGN_MANAGE, _CommissionScope(campaign.commission_unit_id))


def department_ids(session: Session, campaign_id: int) -> list[int]:
    return list(
        session.scalars(
            select(RequestCampaignUnit.unit_id)
            .where(RequestCampaignUnit.campaign_id == campaign_id)
            .order_by(RequestCampaignUnit.sort_order)
        )
    )


def tag_request(
    uow: UnitOfWork, principal: Principal | None, request_id: int, campaign_id: int | None
) -> RequestMatter:
    """Tag a request to a campaign (None: untag)."""
    require(principal, CAMPAIGN_MANAGE)
    session = uow.session
    request = session.get(RequestMatter, request_id)
    if request is None:
        raise Invalid("诉求不存在。", field="request_id")
    if campaign_id is not None and session.get(RequestCampaign, campaign_id) is None:
        raise Invalid("专项行动不存在。", field="campaign_id")
    check_write(session, principal, CAMPAIGN_MANAGE, request)
    request.campaign_id = campaign_id
    uow.flush()
    return request


def campaign_report(session: Session, principal: Principal | None, campaign_id: int) -> CampaignReport:
    """Per department of the campaign (in its order): requests surfaced, resolved and difficulties solved,
    counting only the requests the reader may view (``requests.view``)."""
    campaign = session.get(RequestCampaign, campaign_id)
    if campaign is None:
        raise NotFound("专项行动不存在。")
    dept = aliased(Unit, name="dept")
    owner = aliased(Unit, name="owner")
    tagged = select(
        RequestMatter.id, RequestMatter.owner_unit_id, RequestMatter.status, RequestMatter.difficulties_solved
    ).where(RequestMatter.campaign_id == campaign_id)
    visible = restrict(tagged, principal, VIEW, RequestMatter).subquery("visible")
    is_resolved = visible.c.status.in_(RESOLVED_STATES)
    stmt = (
        select(
            dept.id,
            dept.name,
            func.count(visible.c.id),
            func.coalesce(func.sum(case((is_resolved, 1), else_=0)), 0),
            func.coalesce(func.sum(case((is_resolved, func.coalesce(visible.c.difficulties_solved, 0)), else_=0)), 0),
        )
        .select_from(RequestCampaignUnit)
        .join(dept, dept.id == RequestCampaignUnit.unit_id)
        .outerjoin(owner, owner.path.startswith(dept.path))
        .outerjoin(visible, visible.c.owner_unit_id == owner.id)
        .where(RequestCampaignUnit.campaign_id == campaign_id)
        .group_by(dept.id, dept.name, RequestCampaignUnit.sort_order)
        .order_by(RequestCampaignUnit.sort_order)
    )
    rows = session.execute(stmt).all()
    return CampaignReport(
        campaign,
        [DepartmentFigures(int(u), str(n), int(s), int(r), int(d)) for u, n, s, r, d in rows],
    )
