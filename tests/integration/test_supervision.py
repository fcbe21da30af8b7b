"""Supervision (督办 / 挂牌督办) of a matter of the three-step test kind: listing, progress reports, sign-off, and who
sees which listing.

Dates: 2024 National Day (1–7 Oct off; Sun 29 Sep and Sat 12 Oct worked) per 国办发明电〔2023〕7号.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import unit_id
from tests.support.supervision_people import SYSTEM, add_people, at, end_of, open_matter, resolve
from tests.support.three_step import KIND
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengwu.core.matters import queries, service, supervision
from zhengwu.core.matters.ladder import EscalationStep, StepCode, default_ladder, parse_ladder
from zhengwu.core.matters.tables import SupervisionListing
from zhengwu.core.org.model import Principal, system_principal


@pytest.fixture
def people(db: Database) -> dict[str, Principal]:
    return add_people(db)


def list_it(db: Database, who: Principal, matter_id: int, unit: str = "fh-jw", **kw: Any) -> SupervisionListing:
    fields: dict[str, Any] = {
        "supervising_unit_id": unit_id(db, unit),
        "letter_no": "凤纪督〔2024〕12号",
        "level": "县级挂牌督办",
        "requirements": "10月12日前完成路面处置并报送结果",
    }
    if "due_at" not in kw:
        fields["due_in"] = 5
    fields.update(kw)
    with db.uow(SYSTEM) as uow:
        listing = supervision.list_for_supervision(uow, who, KIND, matter_id, **fields)
        uow.commit()
    return listing


def report(db: Database, who: Principal, listing_id: int, text: str = "已完成铣刨，正在刻纹") -> None:
    with db.uow(SYSTEM) as uow:
        supervision.file_report(uow, who, listing_id, text)
        uow.commit()


def sign_off(db: Database, who: Principal, listing_id: int, note: str = "经核查已整改到位，同意销号") -> None:
    with db.uow(SYSTEM) as uow:
        supervision.sign_off(uow, who, listing_id, note)
        uow.commit()


def history(db: Database, matter_id: int) -> list[tuple[str, dict[str, Any]]]:
    with db.reading() as s:
        matter = service.load(s, system_principal(), KIND, matter_id)
        return [(e.action, json.loads(e.data)) for e in queries.history(s, matter)]


def count_listings(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(SupervisionListing)) or 0


def test_a_supervising_unit_lists_a_matter_with_its_letter_deadline_and_the_default_ladder(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2024, 9, 29))  # a swapped working Sunday
    mid = open_matter(db, people)
    listing = list_it(db, people["s_county"], mid, due_in=5, report_every=2)
    # Five working days from 29 Sep: 30 Sep, 8, 9, 10 and 11 Oct.
    assert listing.due_at == end_of(2024, 10, 11)
    assert (listing.status, listing.letter_no, listing.level, listing.report_every) == (
        "listed",
        "凤纪督〔2024〕12号",
        "县级挂牌督办",
        2,
    )
    assert (listing.listed_at, listing.listed_by) == (at(2024, 9, 29), "s_county")
    assert parse_ladder(listing.ladder) == default_ladder()
    action, data = history(db, mid)[-1]
    assert action == "listed"
    assert data["listing_id"] == listing.id and data["letter_no"] == "凤纪督〔2024〕12号"


def test_a_listing_may_carry_its_own_ladder_and_a_date_as_its_deadline(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2024, 9, 26))
    mid = open_matter(db, people)
    ladder = (EscalationStep(StepCode.REMINDER, "提前三日提醒", -3), EscalationStep(StepCode.URGING, "催办", 2))
    listing = list_it(db, people["s_county"], mid, due_at=date(2024, 10, 9), ladder=ladder)
    assert listing.due_at == end_of(2024, 10, 9)
    assert parse_ladder(listing.ladder) == ladder
    as_text = list_it(db, people["s_prefecture"], mid, "xx-jw", due_in=3, ladder="[]")
    assert parse_ladder(as_text.ladder) == ()


def test_listing_needs_the_list_grant_over_the_supervising_unit(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    mid = open_matter(db, people)
    with pytest.raises(Forbidden):
        list_it(db, people["s_county"], mid, "xx-jw")  # may list for 凤凰县纪委监委 only, not in the state's name
    with pytest.raises(Forbidden):
        list_it(db, people["s_handler"], mid, "fh-gl")  # no grant to list at all
    assert count_listings(db) == 0


def test_a_body_that_cannot_see_the_matter_cannot_list_it(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    mid = open_matter(db, people)
    with pytest.raises(NotFound):
        list_it(db, people["s_outsider"], mid, "js")
    with pytest.raises(Forbidden):
        list_it(db, people["s_signer"], mid)  # holds no view grant of the kind
    assert count_listings(db) == 0


def test_several_bodies_may_list_a_matter_but_one_body_not_twice_while_its_listing_is_open(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    mid = open_matter(db, people)
    first = list_it(db, people["s_county"], mid)
    list_it(db, people["s_prefecture"], mid, "xx-jw", letter_no="州纪督〔2024〕3号")
    with pytest.raises(Invalid) as twice:
        list_it(db, people["s_county_clerk"], mid, letter_no="凤纪督〔2024〕13号")
    assert twice.value.field == "matter_id" and "凤纪督〔2024〕12号" in twice.value.message
    resolve(db, people, mid)
    sign_off(db, people["s_county"], first.id)
    with db.uow(SYSTEM) as uow:  # reopened after the sign-off: the county may list it again
        service.act(uow, system_principal(), KIND, mid, "reopen", note="群众反映仍有积水")
        uow.commit()
    again = list_it(db, people["s_county"], mid, letter_no="凤纪督〔2024〕20号")
    assert again.id != first.id and count_listings(db) == 3


def test_a_letter_number_is_unique_per_supervising_unit(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    one, other = open_matter(db, people), open_matter(db, people, title="S308 边坡落石")
    list_it(db, people["s_county"], one)
    with pytest.raises(Invalid) as taken:
        list_it(db, people["s_county"], other)
    assert taken.value.field == "letter_no" and "已被本单位使用" in taken.value.message
    list_it(db, people["s_prefecture"], other, "xx-jw")  # another body may use the same number


def test_a_resolved_matter_is_not_listed(db: Database, clock: FakeClock, people: dict[str, Principal]) -> None:
    mid = open_matter(db, people)
    resolve(db, people, mid)
    with pytest.raises(Invalid) as refused:
        list_it(db, people["s_county"], mid)
    assert refused.value.field == "matter_id"


BAD_LISTINGS: dict[str, tuple[dict[str, Any], str, str]] = {
    "no_letter_no": ({"letter_no": "  "}, "letter_no", "请填写督办函号"),
    "long_level": ({"level": "级" * 33}, "level", "督办级别不能超过 32 个字"),
    "no_requirements": ({"requirements": ""}, "requirements", "请填写督办要求"),
    "no_deadline": ({"due_in": None}, "due_at", "二者选一"),
    "two_deadlines": ({"due_at": date(2024, 7, 1)}, "due_at", "二者选一"),
    "deadline_in_the_past": ({"due_in": None, "due_at": date(2024, 6, 19)}, "due_at", "不能早于今天"),
    "zero_working_days": ({"due_in": 0}, "due_in", "工作日数应在 1 到 365 之间"),
    "negative_interval": ({"report_every": -1}, "report_every", "报送间隔应在 0 到 60"),
    "bad_ladder": ({"ladder": '[{"code": "urging", "when": -1}]'}, "ladder", "第 1 步：催办通知应在期限之后"),
    "unknown_unit": ({"supervising_unit_id": 999_999}, "supervising_unit_id", "督办单位不存在"),
}


@pytest.mark.parametrize(("change", "field", "message"), BAD_LISTINGS.values(), ids=BAD_LISTINGS.keys())
def test_a_bad_listing_is_refused_in_chinese_naming_the_field_and_writes_nothing(
    db: Database, clock: FakeClock, people: dict[str, Principal], change: dict[str, Any], field: str, message: str
) -> None:
    mid = open_matter(db, people)
    with db.uow(SYSTEM) as uow:
        fields: dict[str, Any] = {
            "supervising_unit_id": unit_id(db, "fh-jw"),
            "letter_no": "凤纪督〔2024〕12号",
            "level": "县级挂牌督办",
            "requirements": "限期处置",
            "due_in": 5,
            **change,
        }
        with pytest.raises(Invalid) as refused:
            supervision.list_for_supervision(uow, system_principal(), KIND, mid, **fields)
    assert (refused.value.field, message in refused.value.message) == (field, True), refused.value.message
    assert count_listings(db) == 0
    assert [a for a, _ in history(db, mid)] == ["open", "accept"]


def test_the_owner_unit_files_progress_reports_and_other_units_may_not(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    mid = open_matter(db, people)
    listing = list_it(db, people["s_county"], mid)
    clock.advance(days=1)
    report(db, people["s_handler"], listing.id)
    with pytest.raises(Forbidden):
        report(db, people["s_county"], listing.id)  # sees the listing, but does not report on it
    with pytest.raises(NotFound):
        report(db, people["s_outsider"], listing.id)  # reports for 吉首 only: the listing is out of sight
    with pytest.raises(Invalid) as empty:
        report(db, people["s_handler"], listing.id, " ")
    assert empty.value.field == "text"
    with db.reading() as s:
        filed = supervision.reports(s, people["s_county"], listing.id)
    assert [(r.text, r.by, r.at) for r in filed] == [("已完成铣刨，正在刻纹", "s_handler", at(2024, 6, 21, 9))]
    assert history(db, mid)[-1] == (
        "supervision_reported",
        {"listing_id": listing.id, "letter_no": listing.letter_no, "report_id": filed[0].id},
    )


def test_only_the_supervising_unit_signs_off_and_only_once_the_matter_is_resolved(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    mid = open_matter(db, people)
    county = list_it(db, people["s_county"], mid)
    list_it(db, people["s_prefecture"], mid, "xx-jw", letter_no="州纪督〔2024〕3号")
    with pytest.raises(Invalid) as early:
        sign_off(db, people["s_county"], county.id)
    assert early.value.field == "listing_id" and "尚未办结（当前状态：办理中）" in early.value.message
    resolve(db, people, mid)
    with pytest.raises(Forbidden):
        sign_off(db, people["s_prefecture"], county.id)  # the state commission signs off its own listing only
    with pytest.raises(Forbidden):
        sign_off(db, people["s_county_clerk"], county.id)  # lists, but may not sign off
    with pytest.raises(Invalid) as no_note:
        sign_off(db, people["s_county"], county.id, "")
    assert no_note.value.field == "note"
    clock.advance(days=2)
    sign_off(db, people["s_signer"], county.id)  # a signer of the commission, who cannot see the matter itself
    with db.reading() as s:
        done = s.get(SupervisionListing, county.id)
        assert done is not None
        assert (done.status, done.signed_off_by, done.signed_off_at) == ("signed_off", "s_signer", at(2024, 6, 22, 9))
        assert done.sign_off_note == "经核查已整改到位，同意销号"
    with pytest.raises(Invalid, match="已经销号"):
        sign_off(db, people["s_county"], county.id)
    with pytest.raises(Invalid, match="已销号"):
        report(db, people["s_handler"], county.id)
    assert [a for a, _ in history(db, mid)][-2:] == ["resolve", "supervision_signed_off"]


def test_a_sign_off_with_a_stale_version_is_a_conflict(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    mid = open_matter(db, people)
    listing = list_it(db, people["s_county"], mid)
    resolve(db, people, mid)
    with pytest.raises(Conflict), db.uow(SYSTEM) as uow:
        supervision.sign_off(uow, people["s_county"], listing.id, "同意销号", version=listing.version + 1)


def test_listings_are_seen_by_the_owner_side_and_by_their_own_supervising_side(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    mid = open_matter(db, people)
    county = list_it(db, people["s_county"], mid)
    state = list_it(db, people["s_prefecture"], mid, "xx-jw", letter_no="州纪督〔2024〕3号")
    with db.reading() as s:
        matter = service.load(s, system_principal(), KIND, mid)
        seen = {who: [x.id for x in supervision.listings_of(s, people[who], matter)] for who in people}
    assert seen["s_handler"] == [county.id, state.id]  # the owner sees every listing of its matter
    assert seen["s_county"] == [county.id, state.id]  # sees the matter itself (view grant over all)
    assert seen["s_signer"] == [county.id]  # sees only its commission's listing, through its sign-off grant
    assert seen["s_outsider"] == []
    with db.reading() as s, pytest.raises(NotFound):
        supervision.reports(s, people["s_signer"], state.id)


def test_reports_fall_due_every_n_working_days_from_the_listing_or_the_last_report(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2024, 9, 27))  # Friday
    mid = open_matter(db, people)
    listing = list_it(db, people["s_county"], mid, due_in=10, report_every=2)

    def schedule() -> supervision.ReportSchedule | None:
        with db.reading() as s:
            return supervision.reports_due(s, people["s_county"], listing.id, clock.now())

    first = schedule()
    assert first is not None and (first.next_due, first.missed) == (date(2024, 9, 30), ())  # 29 Sep was worked
    clock.set(at(2024, 10, 8))
    late = schedule()
    assert late is not None and (late.next_due, late.missed) == (date(2024, 10, 9), (date(2024, 9, 30),))
    report(db, people["s_handler"], listing.id)
    fresh = schedule()
    assert fresh is not None and (fresh.next_due, fresh.missed, fresh.last_report_at) == (
        date(2024, 10, 10),
        (),
        at(2024, 10, 8),
    )
    resolve(db, people, mid)
    sign_off(db, people["s_county"], listing.id)
    assert schedule() is None  # a signed-off listing asks for nothing more
