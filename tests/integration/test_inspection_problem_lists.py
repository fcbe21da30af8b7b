"""Common-problem lists (共性问题清单): the city's inspection office issues a list to districts, a park and city
departments at once; each unit self-checks; the list's summary aggregates totals, groups, templates and the units
not yet reported, within the reader's scope, on SQLite and PostgreSQL. The seed's parks list — 1,539 problems
found, 1,499 rectified (97.4 %), 102 livelihood matters, 284 regulations — comes out of the records.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, func, select

from tests.conftest import PASSWORD, principal
from tests.support.inspection_people import SYSTEM, category, setup, unit
from tests.support.people import add_users
from zhengwu.core.db import Database
from zhengwu.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.inspection.model import RECTIFY, VIEW
from zhengwu.inspection.service import problem_lists as service
from zhengwu.inspection.tables import ProblemListUnit, SelfCheck

GROUPS = {"cs-fr": "区县（市）", "cs-tx": "区县（市）", "cs-yl": "区县（市）", "cs-jk": "园区", "cs-zjj": "市直单位"}
TEMPLATES = ["违规发放津补贴", "政府采购化整为零规避招标", "园区企业服务“吃拿卡要”"]


#: The units' side: a clerk who files the self-checks of every unit of the city.
REPORTER = {"l_reporter": ("cs", [(VIEW, "subtree"), (RECTIFY, "subtree")])}


@pytest.fixture
def people(db: Database) -> dict[str, Principal]:
    found = setup(db)
    with db.uow(SYSTEM) as uow:
        add_users(uow, REPORTER, PASSWORD, "role_")
        uow.commit()
    return {**found, "l_reporter": principal(db, "l_reporter")}


def issue(db: Database, who: Principal, **changes: Any) -> int:
    values: dict[str, Any] = {
        "committee_unit_id": unit(db, "cs"),
        "title": "经济园区共性问题清单",
        "issued_on": date(2024, 3, 1),
        "due_on": date(2024, 6, 30),
        "templates": [TEMPLATES[0], (TEMPLATES[1], category(db, "integrity")), TEMPLATES[2]],
        "units": [(unit(db, code), group) for code, group in GROUPS.items()],
    }
    values.update(changes)
    with db.uow(SYSTEM) as uow:
        problem_list = service.issue_list(uow, who, **values)
        uow.commit()
        return problem_list.id


def template_ids(db: Database, who: Principal, list_id: int) -> list[int]:
    with db.reading() as s:
        return [t.id for t in service.list_summary(s, who, list_id).templates]


def report(db: Database, who: Principal, list_id: int, code: str, checks: list[tuple[int, int]], **kw: Any) -> None:
    ids = template_ids(db, who, list_id)
    with db.reading() as s:
        version = s.get(ProblemListUnit, (list_id, unit(db, code)))
        assert version is not None
    values: dict[str, Any] = {"livelihood": 0, "regulations": 0, "version": version.version, **kw}
    with db.uow(SYSTEM) as uow:
        service.report_self_check(
            uow, who, list_id, unit(db, code), checks=dict(zip(ids, checks, strict=False)), **values
        )
        uow.commit()


def self_checks(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(SelfCheck)) or 0


def test_the_parks_list_reports_1539_found_1499_rectified_97_4_percent_from_the_records(
    db: Database, people: dict[str, Principal]
) -> None:
    office, units = people["cs_xcb_office"], people["l_reporter"]
    list_id = issue(db, office)
    report(db, units, list_id, "cs-fr", [(300, 296), (120, 118), (0, 0)], livelihood=20, regulations=60)
    report(db, units, list_id, "cs-tx", [(280, 270), (100, 100), (15, 15)], livelihood=18, regulations=55)
    report(db, units, list_id, "cs-yl", [(250, 244), (90, 88), (10, 10)], livelihood=22, regulations=50)
    report(db, units, list_id, "cs-jk", [(150, 144), (60, 60), (164, 154)], livelihood=42, regulations=119)
    with db.reading() as s:
        summary = service.list_summary(s, office, list_id)
    total = summary.total
    assert (total.found, total.rectified, total.livelihood, total.regulations) == (1539, 1499, 102, 284)
    assert total.completion_rate is not None and round(total.completion_rate * 100, 1) == 97.4
    assert (total.units, total.reported) == (5, 4)
    assert [u.unit for u in summary.not_reported] == ["长沙市住房和城乡建设局"]
    assert list(summary.groups) == ["区县（市）", "园区", "市直单位"]
    assert (summary.groups["区县（市）"].found, summary.groups["园区"].found, summary.groups["市直单位"].found) == (
        1165,
        374,
        0,
    )
    assert [(t.found, t.rectified) for t in summary.templates] == [(980, 954), (370, 366), (189, 179)]
    assert summary.templates[1].category == "党风廉政建设和反腐败工作"


def test_a_district_sees_the_list_with_only_its_own_figures_and_cannot_report_for_another(
    db: Database, people: dict[str, Principal]
) -> None:
    office, head = people["cs_xcb_office"], people["cs_fr_head"]
    list_id = issue(db, office)
    report(db, head, list_id, "cs-fr", [(5, 3), (1, 1), (0, 0)], livelihood=1, regulations=2)
    report(db, people["l_reporter"], list_id, "cs-tx", [(7, 7), (0, 0), (0, 0)])
    with db.reading() as s:
        assert [r.problem_list.id for r in service.list_lists(s, head)] == [list_id]
        summary = service.list_summary(s, head, list_id)
    assert [u.unit for u in summary.rows] == ["芙蓉区"]
    assert (summary.total.found, summary.total.rectified) == (6, 4)
    with pytest.raises(Forbidden):
        report(db, head, list_id, "cs-tx", [(1, 1), (0, 0), (0, 0)])


def test_a_list_is_invisible_to_a_reader_whose_scope_holds_neither_the_committee_nor_a_unit_issued_to(
    db: Database, people: dict[str, Principal]
) -> None:
    list_id = issue(db, people["cs_xcb_office"], units=[(unit(db, "cs-tx"), "区县（市）")])
    head = people["cs_fr_head"]
    with db.reading() as s:
        assert service.list_lists(s, head) == []
        with pytest.raises(NotFound):
            service.list_summary(s, head, list_id)


@pytest.mark.parametrize(
    ("checks", "extra", "field", "message"),
    [
        ([(3, 4), (0, 0), (0, 0)], {}, "rectified_{0}", "已整改数不能大于查摆问题数。"),
        ([(-1, 0), (0, 0), (0, 0)], {}, "found_{0}", "查摆问题数不能为负数。"),
        ([(1, 1), (2, -2), (0, 0)], {}, "rectified_{1}", "已整改数不能为负数。"),
        ([(1, 1), (0, 0), (0, 0)], {"livelihood": -1}, "livelihood", "解决民生实事数不能为负数。"),
        ([(1, 1), (0, 0), (0, 0)], {"regulations": 1.5}, "regulations", "建章立制数应为整数。"),
    ],
)
def test_a_bad_self_check_is_refused_naming_the_field_and_writes_nothing(
    db: Database, people: dict[str, Principal], checks: Any, extra: dict[str, Any], field: str, message: str
) -> None:
    office = people["cs_xcb_office"]
    list_id = issue(db, office)
    ids = template_ids(db, office, list_id)
    with pytest.raises(Invalid) as caught:
        report(db, people["l_reporter"], list_id, "cs-fr", checks, **extra)
    assert caught.value.field == field.format(*ids)
    assert caught.value.message == message
    assert self_checks(db) == 0
    with db.reading() as s:
        assert s.get(ProblemListUnit, (list_id, unit(db, "cs-fr"))).reported_at is None  # type: ignore[union-attr]


def test_a_self_check_replaces_the_previous_one_and_a_stale_version_conflicts(
    db: Database, people: dict[str, Principal]
) -> None:
    office, units = people["cs_xcb_office"], people["l_reporter"]
    list_id = issue(db, office)
    report(db, units, list_id, "cs-fr", [(5, 1), (2, 0), (0, 0)])
    report(db, units, list_id, "cs-fr", [(5, 5), (0, 0), (0, 0)], livelihood=3)
    with db.reading() as s:
        summary = service.list_summary(s, office, list_id)
    assert (summary.total.found, summary.total.rectified, summary.total.livelihood) == (5, 5, 3)
    ids = template_ids(db, office, list_id)
    with db.uow(SYSTEM) as uow, pytest.raises(Conflict):
        service.report_self_check(
            uow, units, list_id, unit(db, "cs-fr"), checks={ids[0]: (6, 6)}, livelihood=0, regulations=0, version=1
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": " "}, "title"),
        ({"templates": []}, "templates"),
        ({"templates": ["  "]}, "templates"),
        ({"units": []}, "units"),
        ({"due_on": date(2024, 2, 1)}, "due_on"),
        ({"units": [(1, "省直")]}, "units"),  # 湖南省 lies above 长沙市
    ],
)
def test_a_bad_list_is_refused_naming_the_field(
    db: Database, people: dict[str, Principal], changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(Invalid) as caught:
        issue(db, people["cs_xcb_office"], **changes)
    assert caught.value.field == field


def test_only_the_office_with_round_management_over_the_committee_unit_issues_a_list(
    db: Database, people: dict[str, Principal]
) -> None:
    with pytest.raises(Forbidden):
        issue(db, people["cs_fr_head"], committee_unit_id=unit(db, "cs-fr"), units=[(unit(db, "cs-fr"), "")])


def test_issuing_to_a_hundred_units_takes_a_fixed_handful_of_statements(
    db: Database, people: dict[str, Principal]
) -> None:
    cs = unit(db, "cs")
    with db.uow(SYSTEM) as uow:
        parent = uow.session.get(Unit, cs)
        assert parent is not None
        for n in range(100):
            uow.session.add(Unit(code=f"cs-bulk-{n}", name=f"市直单位{n}", kind="department", parent_id=cs, path=""))
        uow.session.flush()
        for u in uow.session.scalars(select(Unit).where(Unit.code.like("cs-bulk-%"))):
            u.path = f"{parent.path}{u.id}/"
        uow.commit()
    with db.reading() as s:
        bulk = [(i, "市直单位") for i in s.scalars(select(Unit.id).where(Unit.code.like("cs-bulk-%")))]
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        list_id = issue(db, people["cs_xcb_office"], units=bulk)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    with db.reading() as s:
        assert s.scalar(select(func.count()).where(ProblemListUnit.list_id == list_id)) == 100
    assert len(statements) < 40, len(statements)
