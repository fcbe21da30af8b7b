"""Permission cases of inspection's findings, rectification items and finding categories (pages and API).

The area's records, in 凤凰县委第一轮巡察 (inspection_base): a finding about 凤凰县公路建设养护中心 (fh-gl) with its
paper awaiting approval, and a second one fed back with one rectification item (being rectified, one file of
evidence); an inactive category to reactivate. ``i_fh`` holds every inspection action over 凤凰县 (granted),
``i_js`` the same over 吉首市 (the outsider); the categories are global (no record scope).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.walk import Call, Case, Ids
from zhengwu.core.attachments import Limits
from zhengwu.core.db import Actor, Database
from zhengwu.core.org.auth import load_principal
from zhengwu.core.org.tables import Unit, User
from zhengwu.inspection import model as m
from zhengwu.inspection.tables import FindingMatter, InspectionCategory, InspectionRound, ItemEvidence, ItemMatter

DRAFT = "凤凰县问题权限测试FW1"
FED_BACK = "凤凰县问题权限测试FW2"
MEASURE = "凤凰县整改权限测试IW3"
ROUND = "凤凰县委第一轮巡察"
GRANTED, OUTSIDER = "i_fh", "i_js"
PDF = b"%PDF-1.4\n%%EOF\n"


def prepare(db: Database) -> None:
    from zhengwu.inspection.service import evidence, findings, items

    with db.uow(Actor(None, "测试数据")) as uow:
        s = uow.session
        who = load_principal(s, s.scalar(select(User.id).where(User.username == GRANTED)) or 0)
        units: dict[str, int] = {code: id_ for code, id_ in s.execute(select(Unit.code, Unit.id))}
        round_id = s.scalar(select(InspectionRound.id).where(InspectionRound.name == ROUND)) or 0
        category_id = s.scalar(select(InspectionCategory.id).where(InspectionCategory.code == "conduct")) or 0
        made = []
        for title in (DRAFT, FED_BACK):
            made.append(
                findings.record_finding(
                    uow,
                    who,
                    round_id=round_id,
                    target_unit_id=units["fh-gl"],
                    category_id=category_id,
                    title=title,
                    description="权限测试问题描述",
                    paper="权限测试底稿",
                )
            )
        findings.act(uow, who, made[1].id, "approve_paper")
        findings.act(uow, who, made[1].id, "feed_back")
        item = items.add_item(uow, who, made[1].id, measure=MEASURE, responsible="权限测试责任人")
        evidence.add_evidence(uow, who, item.id, [("凭证.pdf", PDF)], Limits())
        s.add(InspectionCategory(code="fd_inactive", name="权限测试停用分类", active=False, sort_order=99))
        uow.commit()


def ids(session: Session) -> dict[str, Any]:
    draft = session.scalar(select(FindingMatter).where(FindingMatter.title == DRAFT))
    fed = session.scalar(select(FindingMatter).where(FindingMatter.title == FED_BACK))
    item = session.scalar(select(ItemMatter).where(ItemMatter.measure == MEASURE))
    inactive = session.scalar(select(InspectionCategory).where(InspectionCategory.code == "fd_inactive"))
    conduct = session.scalar(select(InspectionCategory).where(InspectionCategory.code == "conduct"))
    if draft is None or fed is None or item is None or inactive is None or conduct is None:
        return {}
    return {
        "fd_draft": draft.id,
        "fd_v_draft": draft.version,
        "fd_fed": fed.id,
        "fd_item": item.id,
        "fd_v_item": item.version,
        "fd_evidence": session.scalar(select(ItemEvidence.id).where(ItemEvidence.item_id == item.id)),
        "fd_category": conduct.id,
        "fd_v_category": conduct.version,
        "fd_inactive": inactive.id,
        "fd_v_inactive": inactive.version,
    }


def case(
    action: str,
    method: str,
    url: str,
    *,
    ok: tuple[int, ...] = (200,),
    outsider: str | None = OUTSIDER,
    out_status: tuple[int, ...] = (404,),
    hidden: Any = None,
    data: Any = None,
    json: Any = None,
    files: Any = None,
) -> Case:
    def call(i: Ids) -> Call:
        return Call(
            method,
            url.format(round=i.get("i:round"), **{k: v for k, v in i.items() if ":" not in k}),
            data=data(i) if data else None,
            json=json(i) if json else None,
            files=files() if files else None,
        )

    return Case(action, call, GRANTED, ok=ok, outsider=outsider, out_status=out_status, hidden=hidden)


def finding_json(i: Ids) -> dict[str, Any]:
    return {
        "round_id": i["i:round"],
        "target_unit_id": i["fh-wj"],
        "category_id": i["i:category"],
        "title": "权限测试新问题",
        "description": "权限测试新问题描述",
        "paper": "权限测试新问题底稿",
    }


def item_json(i: Ids) -> dict[str, Any]:
    return {"finding_id": i["fd_fed"], "measure": "权限测试新措施", "responsible": "权限测试人"}


def upload() -> dict[str, Any]:
    return {"files": ("补充凭证.pdf", PDF, "application/pdf")}


def _draft(i: Ids) -> str:
    return DRAFT


def _measure(i: Ids) -> str:
    return MEASURE


F, AF = "/inspection/findings/{fd_draft}", "/api/v1/inspection/findings/{fd_draft}"
IT, AI = "/inspection/items/{fd_item}", "/api/v1/inspection/items/{fd_item}"
C, AC = "/inspection/categories", "/api/v1/inspection/categories"
V, CM, RF = m.VIEW, m.CATEGORY_MANAGE, m.RECTIFY
CASES: dict[tuple[str, str], Case] = {
    # ---- findings: pages
    ("GET", "/inspection/findings"): case(V, "GET", "/inspection/findings", hidden=_draft),
    ("GET", "/inspection/findings/export.xlsx"): case(V, "GET", "/inspection/findings/export.xlsx", hidden=_draft),
    ("GET", "/inspection/findings/new"): case(
        m.FINDING_MANAGE, "GET", "/inspection/findings/new?round_id={round}", outsider=None
    ),
    ("POST", "/inspection/findings/new"): case(
        m.FINDING_MANAGE, "POST", "/inspection/findings/new", ok=(303,), out_status=(403,), data=finding_json
    ),
    ("GET", "/inspection/findings/{finding_id:int}"): case(V, "GET", F),
    ("POST", "/inspection/findings/{finding_id:int}/items"): case(
        RF, "POST", "/inspection/findings/{fd_fed}/items", ok=(303,), data=item_json
    ),
    # ---- items: pages
    ("GET", "/inspection/items"): case(V, "GET", "/inspection/items", hidden=_measure),
    ("GET", "/inspection/items/export.xlsx"): case(V, "GET", "/inspection/items/export.xlsx", hidden=_measure),
    ("GET", "/inspection/items/{item_id:int}"): case(V, "GET", IT),
    ("POST", "/inspection/items/{item_id:int}/evidence"): case(RF, "POST", IT + "/evidence", ok=(303,), files=upload),
    ("GET", "/inspection/items/{item_id:int}/evidence/{evidence_id:int}"): case(
        V, "GET", IT + "/evidence/{fd_evidence}"
    ),
    # ---- categories: page (global records)
    ("GET", "/inspection/categories"): case(CM, "GET", C, outsider=None),
    ("POST", "/inspection/categories"): case(
        CM, "POST", C, ok=(303,), outsider=None, data=lambda i: {"code": "fd_new", "name": "权限测试新分类"}
    ),
    ("POST", "/inspection/categories/{category_id:int}"): case(
        CM,
        "POST",
        C + "/{fd_category}",
        ok=(303,),
        outsider=None,
        data=lambda i: {"name": "作风建设", "version": i["fd_v_category"]},
    ),
    ("POST", "/inspection/categories/{category_id:int}/deactivate"): case(
        CM,
        "POST",
        C + "/{fd_category}/deactivate",
        ok=(303,),
        outsider=None,
        data=lambda i: {"version": i["fd_v_category"]},
    ),
    ("POST", "/inspection/categories/{category_id:int}/activate"): case(
        CM,
        "POST",
        C + "/{fd_inactive}/activate",
        ok=(303,),
        outsider=None,
        data=lambda i: {"version": i["fd_v_inactive"]},
    ),
    # ---- findings: API
    ("GET", "/api/v1/inspection/findings"): case(V, "GET", "/api/v1/inspection/findings", hidden=_draft),
    ("POST", "/api/v1/inspection/findings"): case(
        m.FINDING_MANAGE, "POST", "/api/v1/inspection/findings", ok=(201,), out_status=(403,), json=finding_json
    ),
    ("GET", "/api/v1/inspection/findings/{finding_id}"): case(V, "GET", AF),
    ("POST", "/api/v1/inspection/findings/{finding_id}/{step}"): case(
        m.FINDING_APPROVE, "POST", AF + "/approve_paper", json=lambda i: {"version": i["fd_v_draft"]}
    ),
    # ---- items: API
    ("GET", "/api/v1/inspection/items"): case(V, "GET", "/api/v1/inspection/items", hidden=_measure),
    ("POST", "/api/v1/inspection/items"): case(RF, "POST", "/api/v1/inspection/items", ok=(201,), json=item_json),
    ("GET", "/api/v1/inspection/items/{item_id}"): case(V, "GET", AI),
    ("POST", "/api/v1/inspection/items/{item_id}/evidence"): case(
        RF, "POST", AI + "/evidence", ok=(201,), files=upload
    ),
    ("GET", "/api/v1/inspection/items/{item_id}/evidence/{evidence_id}"): case(
        V, "GET", AI + "/evidence/{fd_evidence}"
    ),
    ("POST", "/api/v1/inspection/items/{item_id}/{step}"): case(
        RF, "POST", AI + "/progress", json=lambda i: {"version": i["fd_v_item"], "note": "权限测试进展"}
    ),
    # ---- categories: API (global records)
    ("GET", "/api/v1/inspection/categories"): case(V, "GET", AC, outsider=None),
    ("POST", "/api/v1/inspection/categories"): case(
        CM, "POST", AC, ok=(201,), outsider=None, json=lambda i: {"code": "fd_new", "name": "权限测试新分类"}
    ),
    ("PUT", "/api/v1/inspection/categories/{category_id}"): case(
        CM,
        "PUT",
        AC + "/{fd_category}",
        outsider=None,
        json=lambda i: {"version": i["fd_v_category"], "name": "作风建设"},
    ),
    ("POST", "/api/v1/inspection/categories/{category_id}/deactivate"): case(
        CM, "POST", AC + "/{fd_category}/deactivate", outsider=None, json=lambda i: {"version": i["fd_v_category"]}
    ),
    ("POST", "/api/v1/inspection/categories/{category_id}/activate"): case(
        CM, "POST", AC + "/{fd_inactive}/activate", outsider=None, json=lambda i: {"version": i["fd_v_inactive"]}
    ),
}
