"""The valuation reference data through its services, on SQLite and PostgreSQL: indicator profiles kept as versions
(a new version never alters the old one; stale and racing saves are 409), the industries' royalty ranges edited with
the version read, and comparable deals (prices in 元 as Decimal, written within the writer's unit, read by all,
imported validate-first).

The clock stands at 2024-06-20 09:00 Beijing time. The shipped rows are those of migration 0009 (issue #6's UNIDO
ranges: machinery 1.5–3 %, pharmaceuticals 2.5–4 %, optical and electronic 7–10 %).
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.conftest import PASSWORD, principal
from zhengwu.core.db import Actor, Database
from zhengwu.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengwu.core.imports import ImportRejected
from zhengwu.core.matters.imports.sheets import read_file
from zhengwu.core.org.model import Principal
from zhengwu.valuation.people import seed_people
from zhengwu.valuation.service import deal_imports, deals, industries, profiles
from zhengwu.valuation.service.reference import as_profile, current_profile_row, industry_table
from zhengwu.valuation.tables import ComparableDeal, ValuationProfile

ACTOR = Actor(None, "测试")
DEAL: dict[str, Any] = {
    "patent_number": "ZL201510123456.7",
    "title": "一种近水平薄矿体智能掘进机",
    "patent_type": "invention",
    "industry_code": "machinery",
    "ipc": "E21C 27/00",
    "deal_type": "transfer",
    "deal_date": "2023-05-08",
    "price": "1250000.50",
    "pvd": 72,
    "source": "湖南省技术产权交易所公告",
    "note": "",
}


@pytest.fixture
def people(db: Database) -> dict[str, Principal]:
    with db.uow(Actor(None, "测试数据")) as uow:
        seed_people(uow, PASSWORD)
        uow.commit()
    return {name: principal(db, name) for name in ("cs_valuer", "cs_bank", "cs_ip_val")}


def _shipped_body() -> dict[str, Any]:
    from zhengwu.valuation.model.default_profile import default_profile
    from zhengwu.valuation.model.indicators import profile_to_dict

    return profile_to_dict(default_profile())


# ------------------------------------------------------------------------------------------------------ profiles


def test_a_new_version_is_max_plus_one_and_leaves_the_old_version_untouched(db: Database, people: Any) -> None:
    bureau = people["cs_ip_val"]
    with db.reading() as s:
        old = profiles.get_version(s, bureau, "cnipa2012-finance", 1).body
    edited = _shipped_body()
    edited["dimensions"][0]["weight"], edited["dimensions"][1]["weight"] = 0.4, 0.3
    with db.uow(ACTOR) as uow:
        row = profiles.save_version(uow, bureau, {**edited, "version": 99}, note="提高法律价值度权重", based_on=1)
        uow.commit()
    assert row.version == 2
    with db.reading() as s:
        assert profiles.get_version(s, bureau, "cnipa2012-finance", 1).body == old
        stored = profiles.body_of(profiles.get_version(s, bureau, "cnipa2012-finance"))
        assert stored["version"] == 2 and stored["dimensions"][0]["weight"] == 0.4
        assert as_profile(current_profile_row(s, "cnipa2012-finance")).version == 2
        listed = {p.current.code: p for p in profiles.list_profiles(s, people["cs_bank"])}
        assert listed["cnipa2012-finance"].versions == 2 and len(listed) == 4


def test_saving_on_a_version_that_is_no_longer_the_newest_is_a_conflict(db: Database, people: Any) -> None:
    bureau = people["cs_ip_val"]
    with db.uow(ACTOR) as uow:
        profiles.save_version(uow, bureau, _shipped_body(), note="第二版", based_on=1)
        uow.commit()
    with db.uow(ACTOR) as uow, pytest.raises(Conflict, match="第 2 版"):
        profiles.save_version(uow, bureau, _shipped_body(), note="过时的修改", based_on=1)


def test_two_saves_racing_for_the_same_version_number_meet_the_unique_constraint(
    db: Database, people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    bureau = people["cs_ip_val"]
    with db.uow(ACTOR) as uow:
        stale = profiles._newest(uow.session, "cnipa2012-finance")
        profiles.save_version(uow, bureau, _shipped_body(), note="先保存的一方")
        uow.commit()
    monkeypatch.setattr(profiles, "_newest", lambda session, code: stale)  # the loser read version 1 before
    with db.uow(ACTOR) as uow, pytest.raises(Conflict):
        profiles.save_version(uow, bureau, _shipped_body(), note="后保存的一方")
        uow.commit()
    with db.reading() as s:
        assert s.scalar(select(func.count()).where(ValuationProfile.code == "cnipa2012-finance")) == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b["dimensions"][0].update(weight=0.5), "weights"),
        (lambda b: b["dimensions"][0]["indicators"][0].update(weight=0.5), "weights.legal"),
        (lambda b: b["dimensions"][1]["indicators"][0].update(weight="高"), "dimensions[1].indicators[0].weight"),
        (lambda b: b.update(use="banking"), "use"),
        (lambda b: b.update(name="方" * 129), "name"),
    ],
)
def test_a_bad_profile_is_refused_naming_the_path_and_nothing_is_saved(
    db: Database, people: Any, change: Any, field: str
) -> None:
    body = _shipped_body()
    change(body)
    with db.uow(ACTOR) as uow, pytest.raises(Invalid) as caught:
        profiles.save_version(uow, people["cs_ip_val"], body, note="有错误的修改")
    assert caught.value.field == field
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(ValuationProfile)) == 4


def test_editing_weights_and_ladders_saves_a_checked_new_version(db: Database, people: Any) -> None:
    bureau = people["cs_ip_val"]
    with db.uow(ACTOR) as uow, pytest.raises(Invalid) as caught:
        profiles.edit_version(
            uow, bureau, "cnipa2012-litigation", based_on=1, weights={"legal": "0.5"}, descriptions={}, note="x"
        )
    assert caught.value.field == "weights"  # α + β + γ = 0.5 + 0.4 + 0.3
    with db.uow(ACTOR) as uow:
        row = profiles.edit_version(
            uow,
            bureau,
            "cnipa2012-litigation",
            based_on=1,
            weights={"legal": "0.5", "technical": "0.3", "economic": "0.2"},
            descriptions={"stability.10": "经无效宣告程序维持全部有效"},
            note="侵权救济更看重法律价值度",
        )
        uow.commit()
    profile = as_profile(row)
    assert [d.weight for d in profile.dimensions] == [0.5, 0.3, 0.2]
    assert profile.sub_indicator("stability").ladder[-1].description == "经无效宣告程序维持全部有效"  # type: ignore[union-attr]


def test_a_copy_becomes_version_one_of_a_new_code_for_another_use(db: Database, people: Any) -> None:
    bureau = people["cs_ip_val"]
    with db.uow(ACTOR) as uow:
        row = profiles.copy_profile(
            uow, bureau, "cnipa2012-finance", None, new_code="xp-licensing", name="许可评价方案", use="licensing"
        )
        uow.commit()
    assert (row.code, row.version, row.use) == ("xp-licensing", 1, "licensing")
    assert row.note.startswith("复制自 cnipa2012-finance 第 1 版")
    with db.uow(ACTOR) as uow, pytest.raises(Invalid) as caught:
        profiles.copy_profile(
            uow, bureau, "cnipa2012-finance", None, new_code="xp-licensing", name="再复制", use="finance"
        )
    assert caught.value.field == "code"


def test_a_retired_code_takes_no_new_version_until_restored_and_the_default_cannot_be_retired(
    db: Database, people: Any
) -> None:
    bureau = people["cs_ip_val"]
    with db.uow(ACTOR) as uow:
        profiles.set_retired(uow, bureau, "cnipa2012-litigation", retired=True)
        uow.commit()
    with db.reading() as s:
        with pytest.raises(NotFound):
            current_profile_row(s, "cnipa2012-litigation")
        assert profiles.get_version(s, bureau, "cnipa2012-litigation").retired
    body = {**_shipped_body(), "code": "cnipa2012-litigation", "use": "litigation"}
    with db.uow(ACTOR) as uow, pytest.raises(Invalid, match="已停用"):
        profiles.save_version(uow, bureau, body, note="停用后修改")
    with db.uow(ACTOR) as uow:
        profiles.set_retired(uow, bureau, "cnipa2012-litigation", retired=False)
        uow.commit()
    with db.uow(ACTOR) as uow, pytest.raises(Invalid) as caught:
        profiles.set_retired(uow, bureau, "cnipa2012-finance", retired=True)
    assert caught.value.field == "code"


def test_only_profile_managers_write_profiles_and_a_version_note_is_required(db: Database, people: Any) -> None:
    with db.uow(ACTOR) as uow, pytest.raises(Forbidden):
        profiles.save_version(uow, people["cs_valuer"], _shipped_body(), note="评估师不能改方案")
    with db.uow(ACTOR) as uow, pytest.raises(Invalid) as caught:
        profiles.save_version(uow, people["cs_ip_val"], _shipped_body(), note="  ")
    assert caught.value.field == "note"


# ---------------------------------------------------------------------------------------------------- industries


def test_industry_rows_are_added_edited_with_their_version_and_deleted(db: Database, people: Any) -> None:
    bureau = people["cs_ip_val"]
    with db.uow(ACTOR) as uow:
        row = industries.add_industry(
            uow, bureau, code="chemicals", name="化学", low="0.5", high="2", source="某评估教材", percent=True
        )
        uow.commit()
        row_id, version = row.id, row.version
    with db.reading() as s:
        assert industry_table(s)["chemicals"].low == pytest.approx(0.005)
    with db.uow(ACTOR) as uow:
        industries.update_industry(uow, bureau, row_id, version=version, name="化学工业", low=0.01, high=0.02)
        uow.commit()
    with db.uow(ACTOR) as uow, pytest.raises(Conflict):
        industries.update_industry(uow, bureau, row_id, version=version, name="过时", low=0.01, high=0.02)
    with db.uow(ACTOR) as uow:
        industries.delete_industry(uow, bureau, row_id, version=version + 1)
        uow.commit()
    with db.reading() as s:
        assert list(industry_table(s)) == ["machinery", "pharmaceuticals", "optical_electronic"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"code": "Chem", "low": 0.01, "high": 0.02}, "code"),
        ({"code": "machinery", "low": 0.01, "high": 0.02}, "code"),
        ({"code": "chem", "low": 0.03, "high": 0.02}, "low"),
        ({"code": "chem", "low": 0.01, "high": 1.5}, "high"),
        ({"code": "chem", "low": "nan", "high": 0.02}, "low"),
        ({"code": "chem", "low": "一点五", "high": 0.02}, "low"),
    ],
)
def test_a_bad_industry_row_is_refused_naming_the_field(
    db: Database, people: Any, values: dict[str, Any], field: str
) -> None:
    with db.uow(ACTOR) as uow, pytest.raises(Invalid) as caught:
        industries.add_industry(uow, people["cs_ip_val"], name="化学", **values)
    assert caught.value.field == field


def test_valuers_read_the_industry_table_but_do_not_edit_it(db: Database, people: Any) -> None:
    with db.reading() as s:
        rows = industries.list_industries(s, people["cs_valuer"])
    with db.uow(ACTOR) as uow, pytest.raises(Forbidden):
        industries.update_industry(uow, people["cs_valuer"], rows[0].id, version=1, name="机械", low=0.01, high=0.03)


# --------------------------------------------------------------------------------------------------------- deals


def add(db: Database, who: Principal, **changes: Any) -> int:
    with db.uow(ACTOR) as uow:
        deal = deals.add_deal(uow, who, {**DEAL, **changes})
        uow.commit()
        return deal.id


def test_a_deal_keeps_its_price_in_yuan_to_the_cent(db: Database, people: Any) -> None:
    deal_id = add(db, people["cs_valuer"], price="9,999,999,999,999.99")  # 15 digits: exact even as SQLite's double
    with db.reading() as s:
        deal = deals.get_deal(s, people["cs_bank"], deal_id)
        assert deal.price == Decimal("9999999999999.99") and isinstance(deal.price, Decimal)
        assert deal.deal_date == date(2023, 5, 8) and deal.pvd == 72.0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"price": "12.345"}, "price"),
        ({"price": "0"}, "price"),
        ({"price": "10000000000000"}, "price"),
        ({"price": "一百万"}, "price"),
        ({"price": float("nan")}, "price"),
        ({"pvd": 101}, "pvd"),
        ({"deal_date": "2024-06-21"}, "deal_date"),
        ({"deal_date": "2023-02-30"}, "deal_date"),
        ({"patent_type": "software"}, "patent_type"),
        ({"deal_type": "pledge"}, "deal_type"),
        ({"industry_code": "shipbuilding"}, "industry_code"),
        ({"patent_number": ""}, "patent_number"),
        ({"title": "名" * 257}, "title"),
    ],
)
def test_a_bad_deal_is_refused_naming_the_field(db: Database, people: Any, changes: dict[str, Any], field: str) -> None:
    with db.uow(ACTOR) as uow, pytest.raises(Invalid) as caught:
        deals.add_deal(uow, people["cs_valuer"], {**DEAL, **changes})
    assert caught.value.field == field


def test_every_reader_sees_every_deal_but_a_valuer_edits_only_the_deals_of_their_unit(
    db: Database, people: Any
) -> None:
    bureau_deal = add(db, people["cs_ip_val"], patent_number="ZL201710000001.1")
    own = add(db, people["cs_valuer"])
    with db.reading() as s:
        assert {d.id for d in deals.list_deals(s, people["cs_bank"])} == {bureau_deal, own}
    with db.uow(ACTOR) as uow, pytest.raises(Forbidden):
        deals.update_deal(uow, people["cs_valuer"], bureau_deal, {**DEAL, "price": "1"}, version=1)
    with db.uow(ACTOR) as uow:
        deals.update_deal(uow, people["cs_valuer"], own, {**DEAL, "price": "1300000"}, version=1)
        uow.commit()
    with db.uow(ACTOR) as uow, pytest.raises(Conflict):
        deals.update_deal(uow, people["cs_ip_val"], own, {**DEAL, "price": "1"}, version=1)
    with db.uow(ACTOR) as uow, pytest.raises(Forbidden):
        deals.add_deal(uow, people["cs_bank"], DEAL)


def test_deals_are_listed_by_filters_and_picked_by_id_in_the_order_asked(db: Database, people: Any) -> None:
    who = people["cs_valuer"]
    a = add(db, who, deal_date="2021-01-04", patent_type="utility", title="一种液压支架")
    b = add(db, who, deal_type="licence", industry_code="pharmaceuticals", title="一种缓释片")
    with db.reading() as s:
        assert [d.id for d in deals.list_deals(s, who)] == [b, a]  # newest deal first
        assert [d.id for d in deals.list_deals(s, who, industry_code="machinery")] == [a]
        assert [d.id for d in deals.list_deals(s, who, patent_type="utility")] == [a]
        assert [d.id for d in deals.list_deals(s, who, q="缓释")] == [b]
        assert [d.id for d in deals.list_deals(s, who, date_from=date(2022, 1, 1))] == [b]
        assert [d.id for d in deals.deals_by_ids(s, who, [a, b, a])] == [a, b]
        with pytest.raises(NotFound, match=str(b + 100)):
            deals.deals_by_ids(s, who, [a, b + 100])


def _xlsx(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


HEADER = ["专利号", "专利名称", "专利类型", "行业代码", "交易类型", "交易日期", "成交价（元）", "专利价值度"]


def test_an_import_with_any_bad_row_writes_nothing_and_names_each_row_and_column(db: Database, people: Any) -> None:
    data = _xlsx(
        [
            HEADER,
            ["ZL1", "甲", "发明", "machinery", "转让", date(2023, 1, 5), 300000, 70],
            ["ZL2", "乙", "软件", "machinery", "转让", "2023-01-05", "12.345", ""],
            ["ZL3", "丙", "实用新型", "", "许可", "2030-01-01", 1000, 120],
        ]
    )
    with db.uow(ACTOR) as uow, pytest.raises(ImportRejected) as caught:
        deal_imports.import_deals(uow, people["cs_valuer"], read_file("deals.xlsx", data))
    found = [(e.row, e.field) for e in caught.value.errors]
    assert found == [(3, "专利类型"), (3, "成交价（元）"), (4, "交易日期"), (4, "专利价值度")]
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(ComparableDeal)) == 0


def test_an_import_of_good_rows_records_them_on_the_importers_unit(db: Database, people: Any) -> None:
    csv = 'patent_number,title,patent_type,deal_type,deal_date,price\nZL1,甲,invention,licence,2022/3/1,"1,000.5"\n'
    with db.uow(ACTOR) as uow:
        ids = deal_imports.import_deals(uow, people["cs_valuer"], read_file("d.csv", csv.encode("gb18030")))
        uow.commit()
    with db.reading() as s:
        deal = s.get(ComparableDeal, ids[0])
        assert deal is not None and deal.price == Decimal("1000.50") and deal.unit_id == people["cs_valuer"].unit_id
    assert len(ids) == 1
