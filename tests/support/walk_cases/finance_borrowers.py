"""The finance walk's cases of the borrowers routes (people: ``f_fh`` and ``f_js`` of finance_run).

Borrowers are scoped by the unit that records them: two borrowers of 凤凰县 recorded by ``f_fh`` (one to edit, one
without loans to delete), read and written by ``f_fh``; ``f_js`` holds the same actions over 吉首市 and gets 404 for
them (a list or export simply leaves them out). Creating and importing record on the caller's own unit, so no
outsider applies there.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.walk import Call, Case, Ids
from zhengwu.core.db import Actor, Database
from zhengwu.core.org.auth import load_principal
from zhengwu.core.org.tables import User
from zhengwu.finance.model import LOAN_MANAGE, VIEW
from zhengwu.finance.tables import Borrower

GRANTED, OUTSIDER = "f_fh", "f_js"
NAME = "权限测试借款企业凤凰"
BORROWER = {"name": NAME, "credit_code": "91350100M000100Y43", "industry": "工程机械", "little_giant": True}
DOOMED = {"name": "权限测试待删企业", "credit_code": "91433123MA4L000012"}
NEW = {"name": "权限测试新企业", "credit_code": "91433101MA4L000016"}
CSV = "name,credit_code\n导入企业,91433101MA4L000029\n".encode()


def prepare(db: Database) -> None:
    from zhengwu.finance.service import borrowers

    with db.uow(Actor(None, "测试数据")) as uow:
        s = uow.session
        who = load_principal(s, s.scalar(select(User.id).where(User.username == GRANTED)) or 0)
        borrowers.add_borrower(uow, who, BORROWER)
        borrowers.add_borrower(uow, who, DOOMED)
        uow.commit()


def ids(session: Session) -> dict[str, Any]:
    found = {b.name: b for b in session.scalars(select(Borrower).where(Borrower.name.in_((NAME, DOOMED["name"]))))}
    if len(found) < 2:
        return {}
    kept, doomed = found[NAME], found[DOOMED["name"]]
    return {"fb_id": kept.id, "fb_v": kept.version, "fb_doomed": doomed.id, "fb_v_doomed": doomed.version}


def case(
    action: str,
    method: str,
    url: str,
    *,
    ok: tuple[int, ...] = (200,),
    outsider: bool = True,
    hidden: bool = False,
    data: Any = None,
    json: Any = None,
    files: Any = None,
    api: bool = False,
) -> Case:
    def call(i: Ids) -> Call:
        return Call(
            method,
            url.format(**{k: v for k, v in i.items() if ":" not in k}),
            data=data(i) if data else None,
            json=json(i) if json else None,
            files=files() if files else None,
        )

    return Case(
        action,
        call,
        GRANTED,
        ok=ok,
        outsider=OUTSIDER if outsider else None,
        hidden=(lambda i: NAME) if hidden else None,
        api=api,
    )


def _edit(i: Ids) -> dict[str, Any]:
    return {**BORROWER, "little_giant": "1", "note": "权限测试修改", "version": i["fb_v"]}


def _put(i: Ids) -> dict[str, Any]:
    return {**BORROWER, "note": "权限测试修改", "version": i["fb_v"]}


P, A = "/finance/borrowers", "/api/v1/finance/borrowers"
LM = LOAN_MANAGE
CASES: dict[tuple[str, str], Case] = {
    # ---- pages
    ("GET", P): case(VIEW, "GET", P, hidden=True),
    ("GET", P + "/export.xlsx"): case(VIEW, "GET", P + "/export.xlsx", hidden=True),
    ("POST", P + "/import"): case(
        LM, "POST", P + "/import", ok=(303,), outsider=False, files=lambda: {"file": ("b.csv", CSV, "text/csv")}
    ),
    ("GET", P + "/new"): case(LM, "GET", P + "/new", outsider=False),
    ("POST", P + "/new"): case(LM, "POST", P + "/new", ok=(303,), outsider=False, data=lambda i: NEW),
    ("GET", P + "/{borrower_id:int}"): case(VIEW, "GET", P + "/{fb_id}"),
    ("GET", P + "/{borrower_id:int}/edit"): case(LM, "GET", P + "/{fb_id}/edit"),
    ("POST", P + "/{borrower_id:int}/edit"): case(LM, "POST", P + "/{fb_id}/edit", ok=(303,), data=_edit),
    ("POST", P + "/{borrower_id:int}/delete"): case(
        LM, "POST", P + "/{fb_doomed}/delete", ok=(303,), data=lambda i: {"version": i["fb_v_doomed"]}
    ),
    # ---- API
    ("GET", A): case(VIEW, "GET", A, hidden=True, api=True),
    ("POST", A): case(LM, "POST", A, ok=(201,), outsider=False, json=lambda i: NEW, api=True),
    ("GET", A + "/{borrower_id}"): case(VIEW, "GET", A + "/{fb_id}", api=True),
    ("PUT", A + "/{borrower_id}"): case(LM, "PUT", A + "/{fb_id}", json=_put, api=True),
    ("DELETE", A + "/{borrower_id}"): case(LM, "DELETE", A + "/{fb_doomed}?version={fb_v_doomed}", ok=(204,), api=True),
}
