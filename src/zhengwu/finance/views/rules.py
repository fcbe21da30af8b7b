"""Pages of finance: Pledge-rate ceilings and risk-pool rules. One page, ``/finance/rules``: the ceilings in %, the
rules (shares in %, the per-firm cap in 万元 and 元, source, status), how they are applied with a worked example
computed from each rule in force, and for ``finance.rules.manage`` the forms to set or remove a ceiling and to add,
edit, retire and restore a rule (each with the version read). Everyone with ``finance.view`` reads the page."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from zhengwu.core.db import Database, UnitOfWork
from zhengwu.core.errors import Conflict, Invalid, NotFound
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.finance.model import RULES_MANAGE, VIEW
from zhengwu.finance.model.risk_pool import allocate
from zhengwu.finance.model.rules import WAN, CeilingType, pct
from zhengwu.finance.service import rules as service
from zhengwu.finance.tables import PledgeCeiling, RiskPoolRule
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.pages import form_int, form_str, redirect, render

router = APIRouter(prefix="/finance", include_in_schema=False)
PAGE = "/finance/rules"
#: The loss of the worked example: 1,200万元, as in issue #7.
EXAMPLE_LOSS = Decimal("12000000")
#: The two patents of the ceiling example: (type, appraised value in 元).
CEILING_EXAMPLE = (("invention", Decimal("6000000")), ("utility", Decimal("4000000")))
RULE_FIELDS = ("code", "name", "pool_share", "lender_share", "valuer_share", "per_firm_cap", "source")


def wan(value: Decimal | None) -> str:
    """An amount in 元 shown in 万元, without trailing zeros.

    >>> wan(Decimal("5400000.00")), wan(Decimal("12345.67")), wan(None)
    ('540', '1.234567', '—')
    """
    if value is None:
        return "—"
    return f"{(value / WAN).normalize():,f}"


def yuan(value: Decimal | None) -> str:
    """An amount in 元 with thousands separators and two decimals.

    >>> yuan(Decimal("5000000"))
    '5,000,000.00'
    """
    return "—" if value is None else f"{value:,.2f}"


def percent_input(fraction: float) -> str:
    """A fraction as the number a % field shows, precise enough (10 decimals) that saving the form again keeps the
    stored value (the service treats a difference below 1e-12 as no change) and shares still sum to 100 %.

    >>> percent_input(0.45), percent_input(0.1), percent_input(1 / 3)
    ('45', '10', '33.3333333333')
    """
    return format(round(fraction * 100, 10), ".15g")


def _example(rule: RiskPoolRule) -> dict[str, str]:
    """The example loss shared by ``rule`` for a firm the pool has paid nothing for yet (the whole cap left), with
    the loans' own allocation."""
    a = allocate(EXAMPLE_LOSS, rule.pool_share, rule.lender_share, rule.valuer_share, rule.per_firm_cap)
    return {
        "loss": wan(a.loss),
        "pool_before": wan(a.pool + a.capped_by),
        "pool": wan(a.pool),
        "capped_by": wan(a.capped_by) if a.capped_by else "",
        "lender_before": wan(a.lender - a.capped_by),
        "lender": wan(a.lender),
        "valuer": wan(a.valuer),
    }


def _ceiling_example(ceilings: dict[str, float]) -> dict[str, Any] | None:
    """The weighted mean of the example's patents' ceilings (each type's own, else ``all``)."""
    if "all" not in ceilings:
        return None
    rows = [(CeilingType(t).label, v, ceilings.get(t, ceilings["all"])) for t, v in CEILING_EXAMPLE]
    total = sum((v for _, v, _ in rows), Decimal(0))
    mean = sum(float(v) * c for _, v, c in rows) / float(total)
    return {
        "rows": [(label, wan(v), pct(c)) for label, v, c in rows],
        "total": wan(total),
        "ceiling": pct(mean),
        "loan": wan((total * Decimal(repr(mean))).quantize(Decimal("0.01"))),
    }


def _page(request: Request, db: Database, principal: Principal, status: int = 200, **extra: Any) -> HTMLResponse:
    with db.reading() as session:
        ceilings = service.list_ceilings(session, principal)
        rules = service.list_rules(session, principal)
        in_use = {r.id for r in rules if service.rule_in_use(session, r.id)}
    set_types = {c.patent_type for c in ceilings}
    rows = [
        {
            "rule": r,
            "shares": [percent_input(x) for x in (r.pool_share, r.lender_share, r.valuer_share)],
            "cap_wan": wan(r.per_firm_cap),
            "cap_input": "" if r.per_firm_cap is None else wan(r.per_firm_cap).replace(",", ""),
            "cap_yuan": yuan(r.per_firm_cap),
            "example": _example(r),
            "in_use": r.id in in_use,
        }
        for r in rules
    ]
    ctx = {
        "ceilings": [
            {"row": c, "label": CeilingType(c.patent_type).label, "value": percent_input(c.ceiling)} for c in ceilings
        ],
        "unset_types": [(t.value, t.label) for t in CeilingType if t.value not in set_types],
        "ceiling_example": _ceiling_example({c.patent_type: c.ceiling for c in ceilings}),
        "rules": rows,
        "may_manage": principal.has(RULES_MANAGE),
        "submitted": {},
        **extra,
    }
    return render(request, "finance/rules.html", ctx, status=status)


@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)
    return _page(request, db, principal)


async def _attempt(
    request: Request, db: Database, principal: Principal, work: Callable[[UnitOfWork, FormData], str]
) -> Response:
    require(principal, RULES_MANAGE)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            notice = work(uow, form)
            uow.commit()
    except (Invalid, Conflict, NotFound) as exc:
        submitted = {k: v.replace("\x00", "") for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        extra = {"error": exc.message, "field": exc.field, "submitted": submitted, "conflict": exc.status == 409}
        return _page(request, db, principal, exc.status, **extra)
    return redirect(PAGE, notice)


def _version(form: FormData) -> int | None:
    return form_int(form, "version", "版本号", required=False)


@router.post("/rules/ceilings", response_model=None)
async def ceiling_set(request: Request, principal: User, db: Db) -> Response:
    """Set the ceiling (in %) of ``all`` or a type; ``version`` when the type already has one."""

    def work(uow: UnitOfWork, form: FormData) -> str:
        row: PledgeCeiling = service.set_ceiling(
            uow,
            principal,
            form_str(form, "patent_type"),
            form_str(form, "ceiling"),
            note=form_str(form, "note"),
            version=_version(form),
            percent=True,
        )
        return f"已将“{CeilingType(row.patent_type).label}”的质押率上限设为 {pct(row.ceiling)}"

    return await _attempt(request, db, principal, work)


@router.post("/rules/ceilings/{patent_type}/delete", response_model=None)
async def ceiling_remove(request: Request, patent_type: str, principal: User, db: Db) -> Response:
    def work(uow: UnitOfWork, form: FormData) -> str:
        label = service.remove_ceiling(uow, principal, patent_type, version=form_int(form, "version", "版本号"))
        return f"已删除“{label}”单独设置的质押率上限，该类型改用全部类型的上限"

    return await _attempt(request, db, principal, work)


def _rule_data(form: FormData) -> dict[str, str]:
    return {key: form_str(form, key) for key in RULE_FIELDS}


@router.post("/rules/risk-pool", response_model=None)
async def rule_add(request: Request, principal: User, db: Db) -> Response:
    """A new rule: shares in %, the cap in 万元 (empty: no cap)."""

    def work(uow: UnitOfWork, form: FormData) -> str:
        rule = service.add_rule(uow, principal, _rule_data(form), percent=True, wan=True)
        return f"已新建风险补偿规则“{rule.name}”"

    return await _attempt(request, db, principal, work)


@router.post("/rules/risk-pool/{rule_id:int}", response_model=None)
async def rule_update(request: Request, rule_id: int, principal: User, db: Db) -> Response:
    def work(uow: UnitOfWork, form: FormData) -> str:
        version = form_int(form, "version", "版本号")
        rule = service.update_rule(uow, principal, rule_id, _rule_data(form), version=version, percent=True, wan=True)
        return f"已保存风险补偿规则“{rule.name}”"

    return await _attempt(request, db, principal, work)


async def _set_retired(request: Request, rule_id: int, principal: Principal, db: Database, retired: bool) -> Response:
    def work(uow: UnitOfWork, form: FormData) -> str:
        version = form_int(form, "version", "版本号")
        rule = service.set_retired(uow, principal, rule_id, retired=retired, version=version)
        return f"已{'停用' if retired else '恢复使用'}风险补偿规则“{rule.name}”"

    return await _attempt(request, db, principal, work)


@router.post("/rules/risk-pool/{rule_id:int}/retire", response_model=None)
async def rule_retire(request: Request, rule_id: int, principal: User, db: Db) -> Response:
    """Retire a rule: new loans can no longer choose it; loans that have it keep it."""
    return await _set_retired(request, rule_id, principal, db, True)


@router.post("/rules/risk-pool/{rule_id:int}/restore", response_model=None)
async def rule_restore(request: Request, rule_id: int, principal: User, db: Db) -> Response:
    return await _set_retired(request, rule_id, principal, db, False)
