"""JSON API of securitization plans (资产支持专项计划) under ``/api/v1/finance/plans``: list, create, read, edit and
delete a draft plan, set its tranches and its pooled loans, issue it, and read it as the contract's plan JSON that
``POST /api/finance/run`` and ``zhengwu finance run`` take.

The bodies are the contract's shapes (docs/finance.md) and are checked by the service with the contract's own field
readers, so a bad value gets the same 422 and field name as a run: the terms (``closing_date``, ``fees``,
``guarantor``, ``shortfall_provider``, ``recovery``, ``correlation``…) with ``code``, ``name``, ``note`` and, when
editing, ``version``; the tranches ``{"version", "tranches": [{"code", "name", "balance", "coupon"}]}`` (errors name
``tranches[1].balance``); the loans ``{"version", "loans": [loan ids]}``. Money is in 元, sent as a number or as text
(``"12800000.00"``) and answered as text; rates are fractions.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from zhengwu.core.errors import Invalid
from zhengwu.finance.service import plan_loans, plans
from zhengwu.finance.service.plan_contract import PlanSummary, get_plan, list_plans, plan_contract, tranches_of
from zhengwu.finance.service.plan_loans import pool_of
from zhengwu.finance.tables import Plan
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/finance", tags=["知识产权质押融资"], responses=PROBLEMS)
MAX_ID = 2_147_483_647
PlanId = Annotated[int, Path(ge=1, le=MAX_ID, description="方案 ID")]
_TERMS, _TRANCHES = plans.seed_terms()


def _body(description: str, example: Any) -> Any:
    return Body(description=description, openapi_examples={"长沙样例": {"value": example}})


TERMS_NOTE = "方案条款（格式见 docs/finance.md）；新建时可加 unit_id（管理单位，默认本人单位）"
TRANCHES_NOTE = "按清偿顺序的全部证券分层与版本号；只有最后一档的 coupon 可为 null"
TermsBody = Annotated[Any, _body(TERMS_NOTE, _TERMS)]
EditBody = Annotated[Any, _body("方案条款与读取时的版本号 version", {**_TERMS, "version": 1})]
TranchesBody = Annotated[Any, _body(TRANCHES_NOTE, {"version": 1, "tranches": _TRANCHES})]
LoansBody = Annotated[Any, _body("入池贷款的 ID 列表（整体替换）与版本号", {"version": 1, "loans": [1, 2, 3]})]
VersionBody = Annotated[Any, _body("读取时的版本号", {"version": 1})]


class Fees(BaseModel):
    annual_rate_on_pool: float = Field(description="费率（年，按在还贷款余额计）")


class Guarantor(BaseModel):
    name: str
    pd_annual: float = Field(description="担保机构年违约概率")
    coverage: float = Field(description="担保比例")
    cap: Decimal | None = Field(description="担保上限（元，文字），null 为不设上限")


class Provider(BaseModel):
    name: str
    pd_annual: float = Field(description="差额支付承诺人年违约概率")
    covers: list[str] = Field(description="senior_interest 优先级利息差额、senior_principal 法定到期时优先级剩余本金")


class Recovery(BaseModel):
    rate_of_pledged_value: float
    lag_periods: int


class TrancheOut(BaseModel):
    code: str
    name: str
    balance: Decimal = Field(description="证券本金（元，文字）")
    coupon: float | None = Field(description="票面年利率；次级（剩余收益档）为 null")


class PooledLoan(BaseModel):
    id: int
    code: str
    borrower: str
    principal: Decimal
    annual_rate: float
    term_months: int
    amortization: str
    pd_annual: float
    pledged_value: Decimal = Field(description="质押专利评估价值合计（元）")
    status: str


class PlanBrief(BaseModel):
    id: int
    unit_id: int
    unit: str
    code: str
    name: str
    closing_date: date
    status: str = Field(description="draft 设计中、issued 已发行")
    loans: int = Field(description="入池贷款笔数")
    pool_principal: Decimal = Field(description="资产池本金（元）")
    tranches: int = Field(description="证券档数")
    tranche_total: Decimal = Field(description="各档证券本金合计（元）")
    version: int


class PlanOut(BaseModel):
    id: int
    unit_id: int
    code: str
    name: str
    closing_date: date
    periods_per_year: int
    legal_final_period: int
    fees: Fees
    guarantor: Guarantor | None
    shortfall_provider: Provider | None
    recovery: Recovery
    correlation: float
    note: str
    status: str = Field(description="draft 设计中、issued 已发行")
    version: int
    created_at: datetime
    updated_at: datetime
    tranches: list[TrancheOut]
    loans: list[PooledLoan]
    pool_principal: Decimal


def _out(session: Session, plan: Plan) -> PlanOut:
    terms = plans.terms_of(plan)
    pool = pool_of(session, plan)
    tranches = [TrancheOut(code=t.code, name=t.name, balance=t.balance, coupon=t.coupon)
                for t in tranches_of(session, plan)]  # fmt: skip
    loans = [
        PooledLoan(
            id=line.loan.id,
            code=line.loan.code,
            borrower=line.borrower,
            principal=line.loan.principal,
            annual_rate=line.loan.annual_rate,
            term_months=line.loan.term_months,
            amortization=line.loan.amortization,
            pd_annual=line.loan.pd_annual,
            pledged_value=line.pledged_value,
            status=line.loan.status,
        )
        for line in pool
    ]
    return PlanOut(
        id=plan.id,
        unit_id=plan.unit_id,
        code=plan.code,
        name=plan.name,
        closing_date=plan.closing_date,
        periods_per_year=plan.periods_per_year,
        legal_final_period=plan.legal_final_period,
        fees=Fees(**terms["fees"]),
        guarantor=None if terms["guarantor"] is None else Guarantor(**terms["guarantor"]),
        shortfall_provider=None if terms["shortfall_provider"] is None else Provider(**terms["shortfall_provider"]),
        recovery=Recovery(**terms["recovery"]),
        correlation=plan.correlation,
        note=plan.note,
        status=plan.status,
        version=plan.version,
        created_at=plan.created_at,
        updated_at=plan.updated_at,
        tranches=tranches,
        loans=loans,
        pool_principal=plan_loans.pool_totals(pool).principal,
    )


def _brief(s: PlanSummary) -> PlanBrief:
    p = s.plan
    return PlanBrief(
        id=p.id,
        unit_id=p.unit_id,
        unit=s.unit,
        code=p.code,
        name=p.name,
        closing_date=p.closing_date,
        status=p.status,
        loans=s.loans,
        pool_principal=s.pool_principal,
        tranches=s.tranches,
        tranche_total=s.tranche_total,
        version=p.version,
    )


def _object(body: Any, keys: set[str]) -> dict[str, Any]:
    """The body as an object with only ``keys``; ``Invalid`` naming the body or the unknown key."""
    if not isinstance(body, dict):
        raise Invalid("请求内容须为 JSON 对象。", field="body")
    for key in body:
        if key not in keys:
            raise Invalid(f"无法识别的字段“{key}”。", field=str(key)[:64])
    return body


def _version(body: dict[str, Any]) -> int:
    value = body.get("version")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise Invalid("请填写读取时的版本号（正整数）。", field="version")
    return value


@router.get("/plans", summary="证券化方案列表（成立日从新到旧）")
def list_all(
    principal: User,
    db: Db,
    status: Annotated[str | None, Query(max_length=16, description="draft 设计中、issued 已发行")] = None,
) -> list[PlanBrief]:
    with db.reading() as session:
        return [_brief(s) for s in list_plans(session, principal, status=status or None)]


@router.post("/plans", status_code=201, summary="新建证券化方案（设计中）")
def create(body: TermsBody, principal: User, db: Db) -> PlanOut:
    data = _object(body, plans.TERMS | {"unit_id"})
    terms = {k: v for k, v in data.items() if k != "unit_id"}
    with uow_for(db, principal) as uow:
        plan = plans.create_plan(uow, principal, terms, unit_id=data.get("unit_id"))
        uow.commit()
        return _out(uow.session, plan)


@router.get("/plans/{plan_id}", summary="一个证券化方案：条款、证券分层与入池贷款")
def read(plan_id: PlanId, principal: User, db: Db) -> PlanOut:
    with db.reading() as session:
        return _out(session, get_plan(session, principal, plan_id))


@router.put("/plans/{plan_id}", summary="修改方案条款（须带读取时的版本号）")
def update(plan_id: PlanId, body: EditBody, principal: User, db: Db) -> PlanOut:
    data = _object(body, plans.TERMS | {"version"})
    version = _version(data)
    with uow_for(db, principal) as uow:
        plan = plans.update_plan(uow, principal, plan_id, data, version=version)
        uow.commit()
        return _out(uow.session, plan)


@router.delete("/plans/{plan_id}", status_code=204, summary="删除设计中的方案（贷款不受影响）")
def delete(
    plan_id: PlanId,
    principal: User,
    db: Db,
    version: Annotated[int, Query(ge=1, le=MAX_ID, description="读取时的版本号")],
) -> Response:
    with uow_for(db, principal) as uow:
        plans.delete_plan(uow, principal, plan_id, version=version)
        uow.commit()
    return Response(status_code=204)


@router.put("/plans/{plan_id}/tranches", summary="设置证券分层（按清偿顺序整体替换）")
def set_tranches(plan_id: PlanId, body: TranchesBody, principal: User, db: Db) -> PlanOut:
    data = _object(body, {"version", "tranches"})
    version = _version(data)
    with uow_for(db, principal) as uow:
        plan = plans.set_tranches(uow, principal, plan_id, data.get("tranches"), version=version)
        uow.commit()
        return _out(uow.session, plan)


@router.put("/plans/{plan_id}/loans", summary="选择入池贷款（贷款 ID 列表，整体替换）")
def set_loans(plan_id: PlanId, body: LoansBody, principal: User, db: Db) -> PlanOut:
    data = _object(body, {"version", "loans"})
    version = _version(data)
    with uow_for(db, principal) as uow:
        plan = plan_loans.set_loans(uow, principal, plan_id, data.get("loans"), version=version)
        uow.commit()
        return _out(uow.session, plan)


@router.post("/plans/{plan_id}/issue", summary="发行方案：贷款均已放款、方案可测算、贷款不在其他已发行方案中")
def issue(plan_id: PlanId, body: VersionBody, principal: User, db: Db) -> PlanOut:
    version = _version(_object(body, {"version"}))
    with uow_for(db, principal) as uow:
        plan = plan_loans.issue_plan(uow, principal, plan_id, version=version)
        uow.commit()
        return _out(uow.session, plan)


@router.get("/plans/{plan_id}/contract", summary="方案的计算合同 JSON（可直接提交 POST /api/finance/run）")
def contract(plan_id: PlanId, principal: User, db: Db) -> dict[str, Any]:
    """方案按 docs/finance.md 的方案 JSON 给出：贷款按贷款编号排列，金额为元。尚未选择贷款或分层时照样给出，
    测算时由计算合同指出缺少什么。"""
    with db.reading() as session:
        return plan_contract(session, get_plan(session, principal, plan_id))
