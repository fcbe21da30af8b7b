"""JSON API of public requests under ``/api/v1/requests``: take a request in, read its own fields (the reporter
masked), reveal the reporter (grant and audit) and read the active category tree. The hotline steps are typed
endpoints in api/desk.py; listing, extensions, pauses and listings for supervision are the generic
``/api/v1/matters/request`` endpoints."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from zhengwu.core.errors import Forbidden
from zhengwu.core.matters import service as matters
from zhengwu.requests.kinds import KIND
from zhengwu.requests.model import RECEIVE, REVEAL_REPORTER, VIEW, CategoryKind, format_km
from zhengwu.requests.service.intake import MAX_DESCRIPTION, receive_request, reporter, reveal_reporter
from zhengwu.requests.tables import REPORTER_NAME_CHARS, REPORTER_PHONE_CHARS, RequestCategory, RequestMatter
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/requests", tags=["群众诉求"], responses=PROBLEMS)
MAX_ID = 2_147_483_647
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="诉求 ID")]
Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    channel: Text = Field(description="渠道：web / phone / walk_in / letter / open311 / import")
    type: Text = Field(description="诉求类型：consult / help / complaint / report / suggestion")
    category_id: int = Field(ge=1, le=MAX_ID, description="问题分类 ID（见 /api/v1/requests/categories）")
    description: Text = Field(max_length=MAX_DESCRIPTION, description="诉求内容")
    title: Text = Field("", max_length=200, description="标题；不填取内容首行")
    address: Text = Field("", max_length=200)
    road_code: Text = Field("", max_length=8, description="路线编号，如 S256")
    km_from: Text | None = Field(None, max_length=20, description="起点桩号，如 K12+300")
    km_to: Text | None = Field(None, max_length=20, description="止点桩号，如 K27+900")
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    reporter_name: Text | None = Field(None, max_length=REPORTER_NAME_CHARS)
    reporter_phone: Text | None = Field(None, max_length=REPORTER_PHONE_CHARS)
    anonymous: bool = False
    campaign_id: int | None = Field(None, ge=1, le=MAX_ID, description="专项行动 ID")
    urgent: bool = Field(False, description="紧急安全隐患（2 个工作小时内处置）")


class Created(BaseModel):
    id: int
    serial: str


class ReporterOut(BaseModel):
    name: str
    phone: str
    anonymous: bool


class LocationOut(BaseModel):
    address: str
    road_code: str
    km_from: str | None = Field(description="起点桩号，如 K12+300")
    km_to: str | None
    latitude: float | None
    longitude: float | None


class RequestOut(BaseModel):
    id: int
    serial: str
    title: str
    description: str
    status: str
    status_label: str
    channel: str
    type: str
    type_label: str
    category_id: int
    category: str
    urgent: bool
    campaign_id: int | None
    location: LocationOut
    reporter: ReporterOut = Field(description="反映人（已脱敏）")


class CategoryOut(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    urgent: bool
    limit_amount: int | None
    limit_unit: str | None
    children: list[CategoryOut]


def _out(req: RequestMatter, category: RequestCategory | None) -> RequestOut:
    masked = reporter(req)
    return RequestOut(
        id=req.id,
        serial=req.serial,
        title=req.title,
        description=req.body,
        status=req.status,
        status_label=KIND.spec.workflow.label(req.status),
        channel=req.channel or "",
        type=req.type.value,
        type_label=req.type.label,
        category_id=req.category_id,
        category=category.name if category else "",
        urgent=req.urgent,
        campaign_id=req.campaign_id,
        location=LocationOut(
            address=req.address,
            road_code=req.road_code,
            km_from=format_km(req.km_from) if req.km_from is not None else None,
            km_to=format_km(req.km_to) if req.km_to is not None else None,
            latitude=req.latitude,
            longitude=req.longitude,
        ),
        reporter=ReporterOut(name=masked.name, phone=masked.phone, anonymous=masked.anonymous),
    )


@router.post("", status_code=201, summary="登记群众诉求")
def create_request(body: RequestIn, principal: User, db: Db) -> Created:
    with uow_for(db, principal) as uow:
        created = receive_request(uow, principal, **body.model_dump())
        uow.commit()
        return Created(id=created.id, serial=created.serial)


@router.get("/categories", summary="启用中的诉求分类树")
def categories(principal: User, db: Db) -> list[CategoryOut]:
    if not (principal.has(VIEW) or principal.has(RECEIVE)):
        raise Forbidden("您没有查看群众诉求分类的权限。")
    with db.reading() as session:
        rows = list(
            session.scalars(
                select(RequestCategory)
                .where(RequestCategory.active.is_(True))
                .order_by(RequestCategory.kind, RequestCategory.sort_order, RequestCategory.code)
            )
        )
    nodes = {
        r.id: CategoryOut(
            id=r.id,
            code=r.code,
            name=r.name,
            kind=CategoryKind(r.kind).value,
            urgent=r.urgent,
            limit_amount=r.limit_amount,
            limit_unit=r.limit_unit.value if r.limit_unit else None,
            children=[],
        )
        for r in rows
    }
    roots: list[CategoryOut] = []
    for r in rows:
        if r.parent_id is None:
            roots.append(nodes[r.id])
        elif r.parent_id in nodes:  # a child of an inactive category is left out with it
            nodes[r.parent_id].children.append(nodes[r.id])
    return roots


@router.get("/{request_id}", summary="群众诉求详情（反映人已脱敏）")
def get_request(request_id: PathId, principal: User, db: Db) -> RequestOut:
    with db.reading() as session:
        found: Any = matters.load(session, principal, KIND, request_id)
        assert isinstance(found, RequestMatter)
        return _out(found, session.get(RequestCategory, found.category_id))


@router.post("/{request_id}/reporter", summary="查看反映人完整身份（记入审计日志）")
def reveal(request_id: PathId, principal: User, db: Db) -> ReporterOut:
    if not principal.has(REVEAL_REPORTER):
        raise Forbidden("您没有查看反映人身份的权限。")
    with uow_for(db, principal) as uow:
        real = reveal_reporter(uow, principal, request_id)
        uow.commit()
    return ReporterOut(name=real.name, phone=real.phone, anonymous=real.anonymous)
