"""Permission cases of inspection's ledgers: the responsibility list, common-problem lists and accountability (pages
and API).

The area's records, on top of inspection_base's round of 凤凰县 (targets 养护中心 and 卫健局): a responsibility item
on which 养护中心 has recorded its standing, a common-problem list of 凤凰县 issued to 养护中心 and 卫健局 with one
problem, and an accountability record of 养护中心 with money returned. ``i_fh`` holds every inspection action over
凤凰县 (granted), ``i_js`` the same over 吉首市 (the outsider): lists hide 凤凰县's records from it, details answer
404 and writes 403. The responsibility list itself is one for the whole deployment: editing it needs round
management over everything, so ``admin`` is the granted caller there and ``i_fh`` (凤凰县 only) is refused.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.walk import Call, Case, Ids
from zhengwu.core.db import Actor, Database
from zhengwu.core.org.tables import Unit
from zhengwu.inspection import model as m
from zhengwu.inspection.model import Progress, SubjectKind
from zhengwu.inspection.model.money import Outcome
from zhengwu.inspection.tables import (
    Accountability,
    ProblemList,
    ProblemListUnit,
    ProblemTemplate,
    ResponsibilityItem,
    ResponsibilityStatus,
)

ITEM = "权限测试责任事项：落实全面从严治党主体责任"
LIST = "权限测试共性问题清单"
SUBJECT = "权限测试问责对象"
ROAD = "凤凰县公路建设养护中心"
G, OUT = "i_fh", "i_js"
RI = "/inspection/responsibilities"
ARI = "/api/v1/inspection/responsibilities"
PL = "/inspection/problem-lists"
APL = "/api/v1/inspection/problem-lists"
AA = "/api/v1/inspection/accountability"


def fill(url: str, i: Ids) -> str:
    """``url`` with each ``{key}`` replaced by ``i[key]`` (keys such as ``l:item`` hold a colon)."""
    return re.sub(r"\{([^}]+)\}", lambda found: str(i[found.group(1)]), url)


def case(
    action: str,
    method: str,
    url: str,
    *,
    granted: str = G,
    ok: tuple[int, ...] = (200,),
    outsider: str | None = OUT,
    out_status: tuple[int, ...] = (404,),
    hidden: Any = None,
    data: Any = None,
    json: Any = None,
) -> Case:
    def call(i: Ids) -> Call:
        return Call(method, fill(url, i), data=data(i) if data else None, json=json(i) if json else None)

    return Case(action, call, granted, ok=ok, outsider=outsider, out_status=out_status, hidden=hidden)


def item_form(i: Ids) -> dict[str, Any]:
    return {"position": "1", "area": "管党治党", "text": ITEM, "active": "1", "version": i["v:l:item"]}


def list_form(i: Ids) -> dict[str, Any]:
    return {
        "committee_unit_id": i["fh"],
        "title": "新共性问题清单",
        "issued_on": "2024-07-01",
        "templates": "违规发放津补贴\n公务用车管理不规范",
        "unit_ids": [i["fh-gl"]],
        f"group_{i['fh-gl']}": "县直单位",
    }


def list_json(i: Ids) -> dict[str, Any]:
    return {
        "committee_unit_id": i["fh"],
        "title": "新共性问题清单",
        "issued_on": "2024-07-01",
        "templates": [{"text": "违规发放津补贴"}],
        "units": [{"unit_id": i["fh-gl"], "group": "县直单位"}],
    }


def check_form(i: Ids) -> dict[str, Any]:
    t = i["l:template"]
    return {"template_ids": [t], f"found_{t}": "3", f"rectified_{t}": "2", "livelihood": "1", "version": i["v:l:plu"]}


def check_json(i: Ids) -> dict[str, Any]:
    checks = [{"template_id": i["l:template"], "found": 3, "rectified": 2}]
    return {"checks": checks, "livelihood": 1, "regulations": 0, "version": i["v:l:plu"]}


def accountability_form(i: Ids) -> dict[str, Any]:
    return {
        "unit_id": i["fh-gl"],
        "subject_kind": "person",
        "subject_name": "新问责对象",
        "outcome": "criticism",
        "decided_on": "2024-09-10",
        "returned": "1.5万",
    }


def accountability_json(i: Ids, **extra: Any) -> dict[str, Any]:
    return {**accountability_form(i), "recovered": 100, **extra}


ITEM_URL, UNIT_URL = RI + "/{l:item}", RI + "/units/{fh-gl}"
LIST_URL, SELF_URL = PL + "/{l:list}", PL + "/{l:list}/units/{fh-gl}"
VIEW, RM, RECT, ACC = m.VIEW, m.ROUND_MANAGE, m.RECTIFY, m.ACCOUNTABILITY_MANAGE
CASES: dict[tuple[str, str], Case] = {
    # ---- responsibility list: pages
    ("GET", RI): case(VIEW, "GET", RI, hidden=lambda i: ROAD),
    ("POST", RI + "/new"): case(
        RM,
        "POST",
        RI + "/new",
        granted="admin",
        ok=(303,),
        outsider=G,
        out_status=(403,),
        data=lambda i: {"position": "2", "area": "廉政建设", "text": "新增责任事项"},
    ),
    ("GET", RI + "/units/{unit_id}"): case(VIEW, "GET", UNIT_URL),
    ("POST", RI + "/units/{unit_id}"): case(
        RECT,
        "POST",
        UNIT_URL,
        ok=(303,),
        data=lambda i: {f"progress_{i['l:item']}": "done", f"version_{i['l:item']}": i["v:l:status"]},
    ),
    ("GET", RI + "/{item_id}"): case(VIEW, "GET", ITEM_URL, hidden=lambda i: ROAD),
    ("POST", RI + "/{item_id}"): case(
        RM, "POST", ITEM_URL, granted="admin", ok=(303,), outsider=G, out_status=(403,), data=item_form
    ),
    # ---- responsibility list: API
    ("GET", ARI): case(VIEW, "GET", ARI, outsider=None),
    ("POST", ARI): case(
        RM,
        "POST",
        ARI,
        granted="admin",
        ok=(201,),
        outsider=G,
        out_status=(403,),
        json=lambda i: {"position": 2, "text": "新增责任事项"},
    ),
    ("GET", ARI + "/tracking"): case(VIEW, "GET", ARI + "/tracking", hidden=lambda i: ROAD),
    ("GET", ARI + "/units/{unit_id}"): case(VIEW, "GET", ARI + "/units/{fh-gl}"),
    ("PUT", ARI + "/{item_id}"): case(
        RM,
        "PUT",
        ARI + "/{l:item}",
        granted="admin",
        outsider=G,
        out_status=(403,),
        json=lambda i: {"position": 1, "text": ITEM, "version": i["v:l:item"]},
    ),
    ("PUT", ARI + "/{item_id}/units/{unit_id}"): case(
        RECT,
        "PUT",
        ARI + "/{l:item}/units/{fh-gl}",
        out_status=(403,),
        json=lambda i: {"progress": "done", "version": i["v:l:status"]},
    ),
    # ---- common-problem lists: pages
    ("GET", PL): case(VIEW, "GET", PL, hidden=lambda i: LIST),
    ("GET", PL + "/new"): case(RM, "GET", PL + "/new", outsider=None),
    ("POST", PL + "/new"): case(RM, "POST", PL + "/new", ok=(303,), out_status=(403,), data=list_form),
    ("GET", PL + "/{list_id}"): case(VIEW, "GET", LIST_URL),
    ("GET", PL + "/{list_id}/units/{unit_id}"): case(VIEW, "GET", SELF_URL),
    ("POST", PL + "/{list_id}/units/{unit_id}"): case(
        RECT, "POST", SELF_URL, ok=(303,), out_status=(403,), data=check_form
    ),
    # ---- common-problem lists: API
    ("GET", APL): case(VIEW, "GET", APL, hidden=lambda i: LIST),
    ("POST", APL): case(RM, "POST", APL, ok=(201,), out_status=(403,), json=list_json),
    ("GET", APL + "/{list_id}"): case(VIEW, "GET", APL + "/{l:list}"),
    ("GET", APL + "/{list_id}/units/{unit_id}"): case(VIEW, "GET", APL + "/{l:list}/units/{fh-gl}"),
    ("PUT", APL + "/{list_id}/units/{unit_id}"): case(
        RECT, "PUT", APL + "/{l:list}/units/{fh-gl}", out_status=(403,), json=check_json
    ),
    # ---- accountability: pages and API
    ("GET", "/inspection/accountability"): case(VIEW, "GET", "/inspection/accountability", hidden=lambda i: SUBJECT),
    ("GET", "/inspection/accountability/new"): case(ACC, "GET", "/inspection/accountability/new", outsider=None),
    ("POST", "/inspection/accountability/new"): case(
        ACC, "POST", "/inspection/accountability/new", ok=(303,), out_status=(403,), data=accountability_form
    ),
    ("GET", AA): case(VIEW, "GET", AA, hidden=lambda i: SUBJECT),
    ("POST", AA): case(ACC, "POST", AA, ok=(201,), out_status=(403,), json=accountability_json),
    ("GET", AA + "/{record_id}"): case(VIEW, "GET", AA + "/{l:record}"),
    ("PUT", AA + "/{record_id}"): case(
        ACC,
        "PUT",
        AA + "/{l:record}",
        out_status=(403,),
        json=lambda i: accountability_json(i, version=i["v:l:record"]),
    ),
}


def prepare(db: Database) -> None:
    with db.uow(Actor(None, "测试数据")) as uow:
        s = uow.session
        units: dict[str, int] = {code: id_ for code, id_ in s.execute(select(Unit.code, Unit.id))}
        item = ResponsibilityItem(position=1, area="管党治党", text=ITEM)
        s.add(item)
        problem_list = ProblemList(committee_unit_id=units["fh"], title=LIST, issued_on=date(2024, 6, 1))
        s.add(problem_list)
        s.flush()
        now = uow.clock.now()
        s.add(
            ResponsibilityStatus(item_id=item.id, unit_id=units["fh-gl"], progress=Progress.CONFIRMED, updated_at=now)
        )
        s.add(ProblemTemplate(list_id=problem_list.id, position=1, text="违规发放津补贴"))
        for code in ("fh-gl", "fh-wj"):
            s.add(ProblemListUnit(list_id=problem_list.id, unit_id=units[code], group="县直单位"))
        s.add(
            Accountability(
                unit_id=units["fh-gl"],
                subject_kind=SubjectKind.PERSON,
                subject_name=SUBJECT,
                outcome=Outcome.ADMONISHMENT,
                decided_on=date(2024, 9, 1),
                returned=1000,
            )
        )
        uow.commit()


def ids(session: Session) -> dict[str, Any]:
    item = session.scalar(select(ResponsibilityItem).where(ResponsibilityItem.text == ITEM))
    problem_list = session.scalar(select(ProblemList).where(ProblemList.title == LIST))
    record = session.scalar(select(Accountability).where(Accountability.subject_name == SUBJECT))
    if item is None or problem_list is None or record is None:
        return {}
    status = session.scalar(select(ResponsibilityStatus).where(ResponsibilityStatus.item_id == item.id))
    plu = session.scalar(
        select(ProblemListUnit)
        .join(Unit, Unit.id == ProblemListUnit.unit_id)
        .where(ProblemListUnit.list_id == problem_list.id, Unit.code == "fh-gl")
    )
    template = session.scalar(select(ProblemTemplate.id).where(ProblemTemplate.list_id == problem_list.id))
    assert status is not None and plu is not None
    return {
        "l:item": item.id,
        "v:l:item": item.version,
        "v:l:status": status.version,
        "l:list": problem_list.id,
        "v:l:plu": plu.version,
        "l:template": template,
        "l:record": record.id,
        "v:l:record": record.version,
    }
