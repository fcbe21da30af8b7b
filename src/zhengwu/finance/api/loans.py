"""JSON API of pledge loans (知识产权质押贷款) under ``/api/v1/finance/loans``: the list with filters and totals by
status, one loan with its pledged patents, pledge rate and ceiling, repayment schedule, events and risk-pool
allocations; an application recorded and edited (while applied), patents pledged and released (before
disbursement), and the steps ``approve``, ``decline``, ``disburse``, ``repay``, ``default`` and ``dispose``, each with
its fields and the version read (409 when the loan changed meanwhile or the step is not open).

Reading needs ``finance.view`` over the loan's bank, writing ``finance.loan.manage``. Money is in 元 with at most two
decimals, sent as a JSON number or as text (``"3000000.00"``) and answered as text; rates are fractions (``0.0435``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from zhengwu.finance.model.loans import LoanStatus
from zhengwu.finance.service import loan_workflow as workflow
from zhengwu.finance.service import loans as service
from zhengwu.finance.tables import Borrower, PledgeLoan
from zhengwu.valuation.api.reference_fields import MAX_ID, Id, Input, Text, Version
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/finance", tags=["知识产权质押融资"], responses=PROBLEMS)
LoanId = Annotated[int, Path(ge=1, le=MAX_ID, description="质押贷款 ID")]
PatentId = Annotated[int, Path(ge=1, le=MAX_ID, description="质押专利 ID")]
Money = Annotated[
    int | float | str, Field(description='金额（元），至多两位小数；数字或文字，如 3000000 或 "3000000.00"')
]
Rate = Annotated[int | float | str, Field(description="比率（小数，0.0435 即 4.35%；亦可写作 “4.35%”）")]
Day = Annotated[str, Field(max_length=10, pattern=r"^[^\x00]*$", description="日期 YYYY-MM-DD，不晚于今天")]
Note = Annotated[str, Field(max_length=2000, pattern=r"^[^\x00]*$", description="备注")]


class LoanFields(Input):
    code: Text = Field(max_length=32, description="贷款编号（本行唯一），如 CS-2024-001")
    borrower_id: Id = Field(description="借款企业 ID（须为您可查看的借款企业）")
    principal: Money
    annual_rate: Rate
    term_months: int = Field(description="期限（月），须为还款间隔的整数倍")
    payments_per_year: int = Field(4, description="每年还款次数：1、2、4 或 12")
    amortization: Text = Field(
        max_length=16, description="还款方式：bullet 到期一次还本、level 等额本息、equal_principal 等额本金"
    )
    pd_annual: Rate
    guarantor: Text = Field("", max_length=200, description="担保机构名称（无担保留空）")
    guarantee_coverage: Rate = 0
    risk_pool_rule_id: Id | None = Field(None, description="风险补偿规则 ID（现行规则之一），不适用为 null")
    applied_on: Day
    note: Note = ""


class LoanIn(LoanFields):
    unit_id: Id | None = Field(None, description="贷款所属银行（单位 ID）；不填为本人所在单位")


class LoanUpdate(LoanFields):
    version: Version


class PatentIn(Input):
    assessment_id: Id | None = Field(
        None, description="引用的专利评估项目 ID（已出具结论）；填写则评估价值与评估机构取自评估项目"
    )
    patent_number: Text = Field("", max_length=32, description="专利号（引用评估项目时可不填）")
    title: Text = Field("", max_length=256, description="专利名称")
    patent_type: Text = Field("", max_length=16, description="专利类型：invention、utility、design")
    appraised_value: Money | None = None
    valuer: Text = Field("", max_length=200, description="评估机构（手工填写时必填）")
    valued_on: Day = ""
    version: Version


class StepIn(Input):
    note: Note = ""
    version: Version


class ApproveIn(StepIn):
    approved_on: Day


class DeclineIn(Input):
    closed_on: Day
    reason: Note = Field(description="不予批准的理由")
    version: Version


class DisburseIn(StepIn):
    disbursed_on: Day
    registration_no: Text = Field(max_length=64, description="专利权质押登记号")
    registration_date: Day


class RepayIn(StepIn):
    closed_on: Day


class DefaultIn(StepIn):
    closed_on: Day = Field(description="违约日期")
    exposure_at_default: Money | None = Field(None, description="违约时风险敞口（元）；不填则按还款计划计算")


class DisposeIn(StepIn):
    disposed_on: Day
    disposal_proceeds: Money


class LoanOut(BaseModel):
    id: int
    unit_id: int
    code: str
    borrower_id: int
    borrower: str
    credit_code: str
    principal: Decimal
    annual_rate: float
    term_months: int
    payments_per_year: int
    amortization: str
    pd_annual: float
    guarantor: str
    guarantee_coverage: float
    risk_pool_rule_id: int | None
    status: str
    status_label: str
    applied_on: date
    approved_on: date | None
    registration_no: str
    registration_date: date | None
    disbursed_on: date | None
    maturity_date: date | None
    closed_on: date | None
    exposure_at_default: Decimal | None
    disposed_on: date | None
    disposal_proceeds: Decimal | None
    note: str
    created_at: datetime
    updated_at: datetime
    version: int


class TotalOut(BaseModel):
    status: str
    label: str
    count: int
    principal: Decimal


class LoanList(BaseModel):
    loans: list[LoanOut]
    totals: list[TotalOut] = Field(description="符合筛选条件的贷款按状态的笔数与本金合计（不受 limit 限制）")


class LoanDetailOut(LoanOut):
    unit_name: str
    patents: list[dict[str, Any]]
    pledge: dict[str, Any] = Field(
        description="质押专利评估价值合计、质押率、质押率上限（小数），不能计算时 problem 说明原因"
    )
    schedule: list[dict[str, Any]] = Field(
        description="还款计划：期次、还款日（放款前为 null）、还款额、利息、本金、期末余额"
    )
    events: list[dict[str, Any]]
    allocations: list[dict[str, Any]] = Field(description="风险补偿分担（违约时、处置后），以最新一条为准")
    steps: list[str] = Field(description="当前可进行的操作")


def _out(loan: PledgeLoan, borrower: Borrower) -> dict[str, Any]:
    values = {key: getattr(loan, key) for key in LoanOut.model_fields if hasattr(loan, key)}
    return {**values, "borrower": borrower.name, "credit_code": borrower.credit_code,
            "status_label": LoanStatus(loan.status).label}  # fmt: skip


def _detail(d: workflow.LoanDetail) -> LoanDetailOut:
    p = d.pledge
    return LoanDetailOut(
        **_out(d.loan, d.borrower),
        unit_name=d.unit_name,
        patents=[
            {"id": x.id, "patent_number": x.patent_number, "title": x.title, "patent_type": x.patent_type,
             "appraised_value": x.appraised_value, "assessment_id": x.assessment_id, "valuer": x.valuer,
             "valued_on": x.valued_on}
            for x in d.patents
        ],
        pledge={"appraised_value": p.appraised, "pledge_rate": p.rate, "ceiling": p.ceiling, "within": p.within,
                "problem": p.problem},
        schedule=[
            {"period": r.period, "date": r.on, "payment": r.payment, "interest": r.interest, "principal": r.principal,
             "balance": r.balance}
            for r in d.schedule
        ],
        events=[{"status": e.status.value, "label": e.status.label, "on": e.on, "note": e.note, "by": e.by, "at": e.at}
                for e in d.events],
        allocations=[
            {"stage": a.stage, "rule_id": a.rule_id, "rule": name, "loss": a.loss, "pool": a.pool_amount,
             "lender": a.lender_amount, "valuer": a.valuer_amount, "capped_by": a.capped_by, "at": a.at}
            for a, name in d.allocations
        ],
        steps=[s.value for s in d.steps],
    )  # fmt: skip


def _read(db: Any, principal: Any, loan_id: int) -> LoanDetailOut:
    with db.reading() as session:
        return _detail(workflow.loan_detail(session, principal, loan_id))


@router.get("/loans", summary="质押贷款列表（按申请日期从新到旧）与按状态的合计")
def list_loans(
    principal: User,
    db: Db,
    status: Annotated[str | None, Query(max_length=16, description="状态：applied、approved、declined……")] = None,
    borrower: Annotated[
        str | None, Query(max_length=100, description="借款企业名称或统一社会信用代码包含的文字")
    ] = None,
    code: Annotated[str | None, Query(max_length=32, description="贷款编号包含的文字")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT, description="至多返回多少笔")] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="跳过多少笔")] = 0,
) -> LoanList:
    filters = {
        k: (v or "").replace("\x00", "") for k, v in (("status", status), ("borrower", borrower), ("code", code))
    }
    with db.reading() as session:
        rows = service.list_loans(session, principal, limit=limit, offset=offset, **filters)
        totals = service.loan_totals(session, principal, **filters)
        return LoanList(
            loans=[LoanOut(**_out(loan, b)) for loan, b in rows],
            totals=[TotalOut(status=s.value, label=s.label, count=n, principal=total) for s, n, total in totals],
        )


@router.post("/loans", status_code=201, summary="登记质押贷款申请")
def create_loan(body: LoanIn, principal: User, db: Db) -> LoanDetailOut:
    with uow_for(db, principal) as uow:
        loan = service.create_loan(uow, principal, body.model_dump(exclude={"unit_id"}), unit_id=body.unit_id)
        uow.commit()
    return _read(db, principal, loan.id)


@router.get("/loans/{loan_id}", summary="一笔质押贷款：质押专利、质押率与上限、还款计划、状态记录、风险补偿分担")
def get_loan(loan_id: LoanId, principal: User, db: Db) -> LoanDetailOut:
    return _read(db, principal, loan_id)


@router.put("/loans/{loan_id}", summary="修改贷款申请（仅已申请状态）")
def update_loan(loan_id: LoanId, body: LoanUpdate, principal: User, db: Db) -> LoanDetailOut:
    with uow_for(db, principal) as uow:
        service.update_loan(uow, principal, loan_id, body.model_dump(exclude={"version"}), version=body.version)
        uow.commit()
    return _read(db, principal, loan_id)


@router.post("/loans/{loan_id}/patents", status_code=201, summary="登记质押专利（放款前）")
def add_patent(loan_id: LoanId, body: PatentIn, principal: User, db: Db) -> LoanDetailOut:
    with uow_for(db, principal) as uow:
        service.add_patent(uow, principal, loan_id, body.model_dump(exclude={"version"}), version=body.version)
        uow.commit()
    return _read(db, principal, loan_id)


@router.delete(
    "/loans/{loan_id}/patents/{patent_id}", status_code=204, response_class=Response, summary="解除质押专利（放款前）"
)
def remove_patent(
    loan_id: LoanId,
    patent_id: PatentId,
    principal: User,
    db: Db,
    version: Annotated[int, Query(ge=1, le=MAX_ID, description="贷款读取时的版本号")],
) -> Response:
    with uow_for(db, principal) as uow:
        service.remove_patent(uow, principal, loan_id, patent_id, version=version)
        uow.commit()
    return Response(status_code=204)


def _step(db: Any, principal: Any, loan_id: int, step: str, body: StepIn | DeclineIn) -> LoanDetailOut:
    with uow_for(db, principal) as uow:
        data = body.model_dump(exclude={"version"})
        workflow.take_step(uow, principal, loan_id, step, data, version=body.version)
        uow.commit()
    return _read(db, principal, loan_id)


@router.post("/loans/{loan_id}/approve", summary="审批通过（质押率不得超过上限）")
def approve(loan_id: LoanId, body: ApproveIn, principal: User, db: Db) -> LoanDetailOut:
    return _step(db, principal, loan_id, "approve", body)


@router.post("/loans/{loan_id}/decline", summary="不予批准")
def decline(loan_id: LoanId, body: DeclineIn, principal: User, db: Db) -> LoanDetailOut:
    return _step(db, principal, loan_id, "decline", body)


@router.post("/loans/{loan_id}/disburse", summary="放款（须已办理专利权质押登记）")
def disburse(loan_id: LoanId, body: DisburseIn, principal: User, db: Db) -> LoanDetailOut:
    return _step(db, principal, loan_id, "disburse", body)


@router.post("/loans/{loan_id}/repay", summary="结清")
def repay(loan_id: LoanId, body: RepayIn, principal: User, db: Db) -> LoanDetailOut:
    return _step(db, principal, loan_id, "repay", body)


@router.post("/loans/{loan_id}/default", summary="登记违约（按风险补偿规则分担损失）")
def default(loan_id: LoanId, body: DefaultIn, principal: User, db: Db) -> LoanDetailOut:
    return _step(db, principal, loan_id, "default", body)


@router.post("/loans/{loan_id}/dispose", summary="处置质物（按处置后的损失重新分担）")
def dispose(loan_id: LoanId, body: DisposeIn, principal: User, db: Db) -> LoanDetailOut:
    return _step(db, principal, loan_id, "dispose", body)
