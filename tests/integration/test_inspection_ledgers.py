"""The responsibility list (主体责任清单) and accountability with money (问责 · 退缴 · 追回), on SQLite and PostgreSQL.

The list: 28 illustrative items, edited only by the city-wide office; each inspected organisation records where it
stands on each item within its own scope; tracking per unit and per item. Accountability: the seed's outcomes —
1 removal, 4 admonishments, 29 criticisms, 223.04万元 returned and 191.62万元 recovered — from the records; bad money
is refused naming the field and writes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.support.inspection_people import SYSTEM, add_round, setup, unit
from zhengwu.core.db import Database
from zhengwu.core.errors import Conflict, Forbidden, Invalid
from zhengwu.core.org.model import Principal
from zhengwu.inspection.model import Progress, SubjectKind
from zhengwu.inspection.model.money import Outcome, OutcomeFamily, format_wan
from zhengwu.inspection.service import accountability as ledger_service
from zhengwu.inspection.service import responsibilities as service
from zhengwu.inspection.tables import Accountability, ResponsibilityItem, ResponsibilityStatus


@pytest.fixture
def people(db: Database) -> dict[str, Principal]:
    found = setup(db)
    with db.uow(SYSTEM) as uow:
        service.seed_items(uow)
        uow.commit()
    return found


def items(db: Database) -> list[ResponsibilityItem]:
    with db.reading() as s:
        return list(s.scalars(select(ResponsibilityItem).order_by(ResponsibilityItem.position)))


def progress(db: Database, who: Principal, item_id: int, code: str, value: Progress, version: int | None = None) -> int:
    with db.uow(SYSTEM) as uow:
        status = service.set_progress(uow, who, item_id, unit(db, code), progress=value, note="", version=version)
        uow.commit()
        return status.version


# ---------------------------------------------------------------------------------------- responsibility list


def test_the_seed_list_holds_28_items_once_and_only_the_city_wide_office_edits_it(
    db: Database, people: dict[str, Principal]
) -> None:
    with db.uow(SYSTEM) as uow:
        assert service.seed_items(uow) == 0  # already loaded
    seeded = items(db)
    assert len(seeded) == 28 and seeded[0].area == "管党治党"
    first = seeded[0]
    with db.uow(SYSTEM) as uow:
        service.update_item(
            uow,
            people["cs_xcb_office"],
            first.id,
            position=1,
            area="管党治党",
            text="书记第一责任人。",
            active=True,
            version=first.version,
        )
        uow.commit()
    with db.uow(SYSTEM) as uow, pytest.raises(Forbidden):
        service.create_item(uow, people["cs_fr_head"], position=29, area="其他", text="新事项")
    with db.uow(SYSTEM) as uow, pytest.raises(Conflict):
        service.update_item(
            uow, people["cs_xcb_office"], first.id, position=1, area="", text="旧版本", active=True, version=1
        )


def test_an_organisation_records_its_standing_within_its_scope_and_tracking_counts_it(
    db: Database, people: dict[str, Principal]
) -> None:
    add_round(db)  # targets 芙蓉区 and 天心区: both tracked before recording anything
    head, first, second, third = people["cs_fr_head"], *items(db)[:3]
    progress(db, head, first.id, "cs-fr", Progress.DONE)
    progress(db, head, second.id, "cs-fr", Progress.IN_PROGRESS)
    progress(db, head, third.id, "cs-fr", Progress.CONFIRMED)
    with pytest.raises(Forbidden):
        progress(db, head, first.id, "cs-tx", Progress.DONE)
    with db.reading() as s:
        city = service.tracking(s, people["cs_xcb_office"])
        own = service.tracking(s, head)
    assert [(u.unit, u.confirmed, u.done, u.total) for u in city.units] == [("芙蓉区", 3, 1, 28), ("天心区", 0, 0, 28)]
    assert [u.unit for u in own.units] == ["芙蓉区"]
    assert city.items[0].counts[Progress.DONE] == 1 and city.items[0].counts[Progress.PENDING] == 1
    assert city.items[5].counts[Progress.PENDING] == 2


def test_a_second_standing_needs_the_version_loaded_and_an_inactive_item_leaves_the_tracking(
    db: Database, people: dict[str, Principal]
) -> None:
    head, first = people["cs_fr_head"], items(db)[0]
    version = progress(db, head, first.id, "cs-fr", Progress.CONFIRMED)
    with pytest.raises(Conflict):
        progress(db, head, first.id, "cs-fr", Progress.DONE)  # no version: someone may have recorded meanwhile
    progress(db, head, first.id, "cs-fr", Progress.DONE, version=version)
    with pytest.raises(Conflict):
        progress(db, head, first.id, "cs-fr", Progress.IN_PROGRESS, version=version)
    with db.uow(SYSTEM) as uow:
        service.update_item(
            uow,
            people["cs_xcb_office"],
            first.id,
            position=1,
            area=first.area,
            text=first.text,
            active=False,
            version=first.version,
        )
        uow.commit()
    with db.reading() as s:
        tracked = service.tracking(s, people["cs_xcb_office"])
        assert s.scalar(select(func.count()).select_from(ResponsibilityStatus)) == 1
    assert [(u.unit, u.done, u.total) for u in tracked.units] == [("芙蓉区", 0, 27)]
    with pytest.raises(Invalid):
        progress(db, head, first.id, "cs-fr", Progress.CONFIRMED, version=version + 1)


# ------------------------------------------------------------------------------------ accountability, money


def record(db: Database, who: Principal, **changes: Any) -> int:
    values: dict[str, Any] = {
        "unit_id": unit(db, "cs-fr"),
        "subject_kind": SubjectKind.PERSON,
        "subject_name": "张某",
        "outcome": Outcome.CRITICISM,
        "decided_on": date(2024, 9, 10),
        "returned": 0,
        "recovered": 0,
    }
    values.update(changes)
    with db.uow(SYSTEM) as uow:
        found = ledger_service.record_accountability(uow, who, **values)
        uow.commit()
        return found.id


def records(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(Accountability)) or 0


def test_the_seed_outcomes_and_money_come_out_of_the_records(db: Database, people: dict[str, Principal]) -> None:
    office = people["cs_xcb_office"]
    ids = add_round(db)
    record(db, office, outcome=Outcome.REMOVAL, subject_name="李某", round_id=ids.round_id)
    for n in range(4):
        record(db, office, outcome=Outcome.ADMONISHMENT, subject_name=f"王某{n}", round_id=ids.round_id)
    for n in range(29):
        record(db, office, subject_name=f"赵某{n}", unit_id=unit(db, "cs-tx"), decided_on=date(2025, 1, 5))
    record(
        db,
        office,
        outcome=None,
        subject_kind="unit",
        subject_name="某街道",
        returned="223.04万",
        recovered="191.62万元",
    )
    with db.reading() as s:
        all_of_them = ledger_service.ledger(s, office)
        of_the_round = ledger_service.ledger(s, office, round_id=ids.round_id)
        of_2025 = ledger_service.ledger(s, office, year=2025)
        of_furong = ledger_service.ledger(s, people["cs_fr_head"])
        of_tianxin = ledger_service.ledger(s, office, unit_id=unit(db, "cs-tx"))
    assert all_of_them.by_outcome == {Outcome.CRITICISM: 29, Outcome.ADMONISHMENT: 4, Outcome.REMOVAL: 1}
    assert all_of_them.by_family == {OutcomeFamily.ORGANISATIONAL: 34}
    assert (all_of_them.returned, all_of_them.recovered) == (Decimal("2230400.00"), Decimal("1916200.00"))
    assert (format_wan(all_of_them.returned), format_wan(all_of_them.recovered)) == ("223.04万元", "191.62万元")
    assert (all_of_them.count, all_of_them.persons, all_of_them.units) == (35, 34, 1)
    assert (of_the_round.count, of_2025.count, of_tianxin.count) == (5, 29, 29)
    assert of_furong.count == 6  # 芙蓉区's own records only


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"returned": "12.345"}, "returned"),
        ({"recovered": "-5"}, "recovered"),
        ({"returned": Decimal("-0.01")}, "returned"),
        ({"returned": "12元5角"}, "returned"),
        ({"subject_name": " "}, "subject_name"),
        ({"outcome": "shot"}, "outcome"),
        ({"outcome": None}, "outcome"),  # neither an outcome nor money
        ({"subject_kind": "team"}, "subject_kind"),
        ({"finding_id": 999_999}, "finding_id"),
    ],
)
def test_bad_accountability_input_is_refused_naming_the_field_and_writes_nothing(
    db: Database, people: dict[str, Principal], changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(Invalid) as caught:
        record(db, people["cs_xcb_office"], **changes)
    assert caught.value.field == field
    assert records(db) == 0


def test_accountability_is_written_only_with_the_grant_over_the_unit(
    db: Database, people: dict[str, Principal]
) -> None:
    with pytest.raises(Forbidden):
        record(db, people["cs_fr_head"])
    record_id = record(db, people["cs_xcb_office"], returned="1,000.50")
    with db.reading() as s:
        found = ledger_service.get_record(s, people["cs_fr_head"], record_id)
    assert found.returned == Decimal("1000.50")
