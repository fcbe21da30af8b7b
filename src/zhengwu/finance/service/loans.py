"""Pledge loans (知识产权质押贷款) as records: the application's fields checked one by one, recorded and edited while
applied, the pledged patents added and removed before disbursement, and the reads (one loan, the filtered list and
its totals). The steps of a loan's life (approve … dispose) are :mod:`zhengwu.finance.service.loan_workflow`.

Loans are scoped by the unit that keeps them (the bank): reads need ``finance.view`` through ``restrict`` /
``get_scoped`` (a loan outside the scope is not found), writes ``finance.loan.manage`` re-checked with
``check_write`` and the version read (``expect_version``). Money is ``Decimal`` in 元 with at most two decimals; rates
are fractions, or in % when ``percent`` is set (the pages) or the text ends with ``%``. Every write is one unit of
work, captured by the audit log; each change of status appends a :class:`~zhengwu.finance.tables.LoanEvent`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengwu.core.db import AnySelect, UnitOfWork
from zhengwu.core.errors import Invalid, NotFound
from zhengwu.core.org.access import check_write, get_scoped, restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import expect_version, require, touch
from zhengwu.core.org.tables import Unit
from zhengwu.finance.model import LOAN_MANAGE, VIEW
from zhengwu.finance.model.loan_fields import blank, check_fields, check_patent, patent_type_of, text_of
from zhengwu.finance.model.loans import EDITABLE, PATENTS_EDITABLE, LoanStatus
from zhengwu.finance.service.rules import active_rules
from zhengwu.finance.tables import Borrower, LoanEvent, PledgedPatent, PledgeLoan

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
MAX_LIMIT = 1000
WAN = Decimal(10_000)


def local_today(uow: UnitOfWork) -> date:
    today: date = uow.clock.now().astimezone(LOCAL_TZ).date()
    return today


def visible_borrower(session: Session, principal: Principal | None, value: object) -> Borrower:
    """The borrower ``value`` (an id) among those the caller sees; ``Invalid`` naming ``borrower_id`` otherwise."""
    borrower_id = value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, str) and value.strip().isdigit():
        borrower_id = int(value.strip())
    found = None
    if borrower_id is not None and 0 < borrower_id < 2**31:
        found = session.scalar(restrict(select(Borrower).where(Borrower.id == borrower_id), principal, VIEW))
    if found is None:
        raise Invalid("请选择借款企业（须为您可查看的借款企业）。", field="borrower_id")
    return found


def rule_of(session: Session, value: object, current: int | None = None) -> int | None:
    """A risk-pool rule id: empty for none, else an active rule (or the loan's current rule, even if retired)."""
    if blank(value):
        return None
    rule_id = int(value) if isinstance(value, int | str) and str(value).strip().isdigit() else None
    if rule_id is not None and rule_id == current:
        return rule_id
    if rule_id is None or rule_id not in {r.id for r in active_rules(session)}:
        raise Invalid("风险补偿规则不存在或已停用，请从现行规则中选择，或留空。", field="risk_pool_rule_id")
    return rule_id


def _clean(
    uow: UnitOfWork, principal: Principal, data: Mapping[str, Any], percent: bool, current: int | None
) -> dict[str, Any]:
    values, errors = check_fields(data, local_today(uow), percent=percent)
    if errors:
        raise errors[0]
    values["borrower_id"] = visible_borrower(uow.session, principal, data.get("borrower_id")).id
    values["risk_pool_rule_id"] = rule_of(uow.session, data.get("risk_pool_rule_id"), current)
    return values


def _unique_code(session: Session, unit_id: int, code: str, loan_id: int | None = None) -> None:
    stmt = select(PledgeLoan.id).where(PledgeLoan.unit_id == unit_id, PledgeLoan.code == code)
    if loan_id is not None:
        stmt = stmt.where(PledgeLoan.id != loan_id)
    if session.scalar(stmt) is not None:
        raise Invalid(f"贷款编号“{code}”在本单位已存在。", field="code")


def loan_unit(session: Session, principal: Principal, unit_id: int | None) -> int:
    """The unit keeping a new loan: ``unit_id`` or the writer's own unit; it must exist and be active."""
    chosen = unit_id if unit_id is not None else principal.unit_id
    unit = session.get(Unit, chosen) if isinstance(chosen, int) and chosen > 0 else None
    if unit is None or not unit.active:
        raise Invalid("登记单位不存在或已停用，请指定登记单位。", field="unit_id")
    return unit.id


# ------------------------------------------------------------------------------------------------------ writes


def add_event(uow: UnitOfWork, who: Principal, loan: PledgeLoan, status: LoanStatus, on: date, note: str = "") -> None:
    uow.session.add(
        LoanEvent(
            loan_id=loan.id, status=status.value, on=on, note=note, user_id=who.user_id or None, at=uow.clock.now()
        )
    )


def create_loan(
    uow: UnitOfWork,
    principal: Principal | None,
    data: Mapping[str, Any],
    *,
    unit_id: int | None = None,
    percent: bool = False,
) -> PledgeLoan:
    """Record an application (status applied) kept by ``unit_id`` (default: the writer's unit); its code is unique
    in the unit. Fields as in :data:`LABELS`; the first event is the application."""
    who = require(principal, LOAN_MANAGE)
    session = uow.session
    values = _clean(uow, who, data, percent, None)
    unit = loan_unit(session, who, unit_id)
    _unique_code(session, unit, values["code"])
    now = uow.clock.now()
    loan = PledgeLoan(
        unit_id=unit, status=LoanStatus.APPLIED.value, created_by_id=who.user_id or None, created_at=now, updated_at=now
    )
    for key, value in values.items():
        setattr(loan, key, value)
    check_write(session, who, LOAN_MANAGE, loan)
    session.add(loan)
    uow.flush()
    add_event(uow, who, loan, LoanStatus.APPLIED, loan.applied_on, "登记贷款申请")
    uow.flush()
    return loan


def for_write(uow: UnitOfWork, principal: Principal | None, loan_id: int, version: int | None) -> PledgeLoan:
    """The loan to change: visible to the caller (else 404), in their ``finance.loan.manage`` scope (else 403), at
    the version they read (else 409)."""
    who = require(principal, LOAN_MANAGE)
    loan = get_loan(uow.session, who, loan_id)
    check_write(uow.session, who, LOAN_MANAGE, loan)
    expect_version(loan, version)
    return loan


def update_loan(
    uow: UnitOfWork,
    principal: Principal | None,
    loan_id: int,
    data: Mapping[str, Any],
    *,
    version: int | None,
    percent: bool = False,
) -> PledgeLoan:
    """Change an application's fields while it is applied, with the version read."""
    loan = for_write(uow, principal, loan_id, version)
    if loan.status not in EDITABLE:
        raise Invalid(f"贷款已{LoanStatus(loan.status).label}，条款不能再修改。", field="status")
    values = _clean(uow, require(principal, LOAN_MANAGE), data, percent, loan.risk_pool_rule_id)
    _unique_code(uow.session, loan.unit_id, values["code"], loan.id)
    for key, value in values.items():
        setattr(loan, key, value)
    loan.updated_at = uow.clock.now()
    uow.flush()
    return loan


def touched(uow: UnitOfWork, loan: PledgeLoan) -> None:
    """Count a change of the loan's patents or allocations as an edit of the loan (its version moves on)."""
    touch(loan)
    loan.updated_at = uow.clock.now()


# --------------------------------------------------------------------------------------------- pledged patents


def _from_assessment(session: Session, principal: Principal, value: object, data: Mapping[str, Any]) -> dict[str, Any]:
    """The pledged patent read from a concluded valuation assessment the caller may see: its patent, the concluded
    value converted to 元 from the assessment's money unit, the assessing unit as valuer, its as-of date."""
    from zhengwu.valuation.model import VIEW as VALUATION_VIEW
    from zhengwu.valuation.service.assessment_results import picture_of
    from zhengwu.valuation.service.assessments import unit_name
    from zhengwu.valuation.tables import Assessment

    if not principal.has(VALUATION_VIEW):
        raise Invalid("您没有查看专利评估项目的权限，请填写评估机构与评估基准日。", field="assessment_id")
    key = value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, str) and value.strip().isdigit():
        key = int(value.strip())
    found = None
    if key is not None and 0 < key < 2**31:
        stmt = select(Assessment).where(Assessment.id == key)
        found = session.scalar(restrict(stmt, principal, VALUATION_VIEW))
    if found is None:
        raise Invalid("评估项目不存在或不在您的数据范围内。", field="assessment_id")
    picture = picture_of(session, found)
    if picture.conclusion is None or picture.conclusion <= 0:
        raise Invalid(f"评估项目“{found.title}”尚未出具评估结论，不能作为质押专利的评估价值。", field="assessment_id")
    number = text_of(data.get("patent_number") or found.patent_number, "patent_number", 32)
    if number != found.patent_number:
        raise Invalid(
            f"评估项目评估的是专利 {found.patent_number}，与所填专利号 {number} 不符。", field="patent_number"
        )
    conclusion = Decimal(repr(picture.conclusion)) * (WAN if found.money_unit == "万元" else 1)
    facts = picture.patent_facts
    kind = data.get("patent_type") or (facts.patent_type.value if facts is not None else "")
    return {
        "patent_number": number,
        "title": text_of(data.get("title") or found.patent_title, "title", 256),
        "patent_type": patent_type_of(kind),
        "appraised_value": conclusion.quantize(Decimal("0.01")),
        "assessment_id": found.id,
        "valuer": unit_name(session, found.unit_id)[:200],
        "valued_on": facts.as_of if facts is not None else found.updated_at.date(),
    }


def add_patent(
    uow: UnitOfWork, principal: Principal | None, loan_id: int, data: Mapping[str, Any], *, version: int | None
) -> PledgedPatent:
    """Pledge a patent for the loan before disbursement (applied or approved), with the loan's version read: from a
    valuation assessment (``assessment_id``) or entered with its appraised value, valuer and valuation date. A
    patent number appears once per loan."""
    loan = for_write(uow, principal, loan_id, version)
    who = require(principal, LOAN_MANAGE)
    if loan.status not in PATENTS_EDITABLE:
        raise Invalid(f"贷款已{LoanStatus(loan.status).label}，质押专利不能再变更。", field="status")
    session = uow.session
    if blank(data.get("assessment_id")):
        values = {**check_patent(data, local_today(uow)), "assessment_id": None}
    else:
        values = _from_assessment(session, who, data.get("assessment_id"), data)
    stmt = select(PledgedPatent.id).where(
        PledgedPatent.loan_id == loan.id, PledgedPatent.patent_number == values["patent_number"]
    )
    if session.scalar(stmt) is not None:
        raise Invalid(f"专利 {values['patent_number']} 已是本笔贷款的质押专利。", field="patent_number")
    patent = PledgedPatent(loan_id=loan.id, **values)
    session.add(patent)
    touched(uow, loan)
    uow.flush()
    return patent


def remove_patent(
    uow: UnitOfWork, principal: Principal | None, loan_id: int, patent_id: int, *, version: int | None
) -> PledgedPatent:
    """Release a pledged patent before disbursement, with the loan's version read."""
    loan = for_write(uow, principal, loan_id, version)
    if loan.status not in PATENTS_EDITABLE:
        raise Invalid(f"贷款已{LoanStatus(loan.status).label}，质押专利不能再变更。", field="status")
    patent = uow.session.get(PledgedPatent, patent_id) if 0 < patent_id < 2**31 else None
    if patent is None or patent.loan_id != loan.id:
        raise NotFound("该质押专利不存在。")
    uow.session.delete(patent)
    touched(uow, loan)
    uow.flush()
    return patent


def patents_of(session: Session, loan_id: int) -> list[PledgedPatent]:
    stmt = select(PledgedPatent).where(PledgedPatent.loan_id == loan_id).order_by(PledgedPatent.id)
    return list(session.scalars(stmt))


# ------------------------------------------------------------------------------------------------------- reads


def get_loan(session: Session, principal: Principal | None, loan_id: int) -> PledgeLoan:
    """One loan in the caller's ``finance.view`` scope (404 otherwise)."""
    if not isinstance(loan_id, int) or not 0 < loan_id < 2**31:
        raise NotFound("质押贷款不存在或不在您的数据范围内。")
    try:
        loan: PledgeLoan = get_scoped(session, principal, VIEW, PledgeLoan, loan_id)
    except NotFound:
        raise NotFound("质押贷款不存在或不在您的数据范围内。") from None
    return loan


def loan_filters(
    stmt: AnySelect, *, status: str | None = None, borrower: str | None = None, code: str | None = None
) -> AnySelect:
    """``stmt`` (over loans joined with their borrowers) narrowed: status exactly, borrower name or credit code and
    loan code containing the text (case-insensitive)."""
    if status:
        if status not in LoanStatus._value2member_map_:
            choices = "、".join(f"{s.value}（{s.label}）" for s in LoanStatus)
            raise Invalid(f"状态“{status[:20]}”无效，可选：{choices}。", field="status")
        stmt = stmt.where(PledgeLoan.status == status)
    text = (borrower or "").strip()
    if text:
        stmt = stmt.where(
            Borrower.name.icontains(text, autoescape=True)
            | Borrower.credit_code.icontains(text.upper(), autoescape=True)
        )
    if (code or "").strip():
        stmt = stmt.where(PledgeLoan.code.icontains((code or "").strip(), autoescape=True))
    return stmt


def _joined() -> AnySelect:
    return select(PledgeLoan, Borrower).join(Borrower, Borrower.id == PledgeLoan.borrower_id)


def list_loans(
    session: Session,
    principal: Principal | None,
    *,
    status: str | None = None,
    borrower: str | None = None,
    code: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[tuple[PledgeLoan, Borrower]]:
    """The loans in the caller's scope matching the filters with their borrowers, newest application first."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"每次最多列出 {MAX_LIMIT} 笔贷款。", field="limit")
    stmt = restrict(loan_filters(_joined(), status=status, borrower=borrower, code=code), principal, VIEW, PledgeLoan)
    stmt = stmt.order_by(PledgeLoan.applied_on.desc(), PledgeLoan.id.desc()).limit(limit).offset(max(0, offset))
    return [(loan, b) for loan, b in session.execute(stmt)]


def loan_totals(
    session: Session,
    principal: Principal | None,
    *,
    status: str | None = None,
    borrower: str | None = None,
    code: str | None = None,
) -> list[tuple[LoanStatus, int, Decimal]]:
    """(status, count, principal sum 元) of the loans matching the filters, for every status in the table's order
    (zeros included)."""
    base = select(PledgeLoan.status, func.count(), func.sum(PledgeLoan.principal)).join(
        Borrower, Borrower.id == PledgeLoan.borrower_id
    )
    stmt = restrict(loan_filters(base, status=status, borrower=borrower, code=code), principal, VIEW, PledgeLoan)
    found = {s: (int(n), Decimal(total or 0)) for s, n, total in session.execute(stmt.group_by(PledgeLoan.status))}
    return [(s, *found.get(s.value, (0, Decimal(0)))) for s in LoanStatus]
