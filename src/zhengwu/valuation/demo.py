"""The valuation story in the demo: the valuation firm, the bank's technology branch and the university's IP office
with their users (``zhengwu.valuation.people``), a few comparable deals kept by the city's IP bureau, and two
assessments written through the service as their users would: the valuation firm's pledge-financing assessment of a
mining-machinery patent, scored by named experts, valued by all three approaches and concluded; and the university
office's draft tiering assessment of a vehicle super-capacitor patent, half scored.

The patents' titles (and the university's as holder) are real records of ../shared/data/patents-zh.jsonl
(CN113914863A of the KPPatent-ZH corpus; bdci-d9ba8f2b98c0 of the CCF BDCI 2022 set, whose record has no publication
number, so its source id stands as the number); their dates, facts, holders of the first, forecasts and deals are
made up for the demo, consistently with each other.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Actor, Database, UnitOfWork
from zhengwu.core.org.seeding import principal_of
from zhengwu.core.org.tables import Unit
from zhengwu.valuation.people import seed_people
from zhengwu.valuation.service import assessments as service
from zhengwu.valuation.tables import ComparableDeal

M, E = "machinery", "optical_electronic"
#: (patent number, title, industry, deal type, date, price in 元, PVD)
DEALS = [
    (
        "ZL201810456321.5",
        "一种悬臂式掘进机截割臂自适应控制方法",
        "machinery",
        "transfer",
        date(2022, 9, 15),
        "2600000",
        66.0,
    ),
    ("ZL201910233418.2", "一种薄煤层采煤机智能调高装置", M, "licence", date(2023, 3, 8), "1800000", 58.0),
    ("ZL202010876543.1", "一种矿用液压支架电液控制系统", M, "transfer", date(2023, 11, 20), "3500000", 74.0),
    (
        "ZL201710998877.6",
        "一种动力电池组主动均衡电路",
        "optical_electronic",
        "transfer",
        date(2023, 5, 30),
        "4200000",
        71.0,
    ),
]
DEAL_SOURCE = "长沙市知识产权局技术交易登记（演示数据）"

MINING_FACTS = {
    "patent_type": "invention",
    "filing_date": "2021-10-26",
    "as_of": "2024-06-30",
    "legal_status": "valid",
    "claim_count": 10,
    "family_countries": 1,
    "forward_citations": 3,
    "licences": 0,
    "pledges": 0,
    "invalidation_history": "none",
}
#: sub-indicator → (level, scorer, reason); the rest is scored automatically from the facts.
MINING_SCORES = {
    "stability": (8, "周建国", "检索国内外文献 46 篇，未见破坏新颖性、创造性的对比文件。"),
    "design_around": (6, "周建国", "独立权利要求限定了截割轨迹规划与围岩识别的结合，绕开需改变工艺路线，成本中等。"),
    "dependence": (6, "李明", "实施不依赖他人基础专利，但需配套通用掘进机平台。"),
    "infringement_provability": (6, "李明", "方法专利，侵权取证需进入作业现场，难度中等。"),
    "advancement": (8, "周建国", "薄矿体机械化开采贫化率由约 25% 降至 10% 以内，国内领先。"),
    "industry_trend": (8, "周建国", "矿山智能化为《关于加快煤矿智能化发展的指导意见》的重点方向。"),
    "application_range": (6, "周建国", "适用于近水平薄矿体，对急倾斜矿体不适用。"),
    "complementary_dependence": (6, "李明", "需配套惯导与三维激光扫描设备，均为市售产品。"),
    "substitutability": (6, "周建国", "爆破开采仍是主流替代方案，但安全与环保要求趋严。"),
    "maturity": (6, "李明", "已在两座矿山完成工业性试验，尚未规模化生产。"),
    "market_application": (6, "李明", "委托方已签订 3 台套销售合同。"),
    "market_size": (8, "李明", "国内薄矿体矿山约 400 座，设备更新需求稳定。"),
    "market_share": (4, "李明", "尚处推广初期，市场占有率不足 5%。"),
    "competition": (6, "李明", "国内同类产品 2–3 家，尚未形成价格战。"),
    "policy_fit": (8, "周建国", "符合湖南省工程机械产业链发展政策，可享受首台套保险补偿。"),
}
MINING_INCOME = {
    "income": {"basis": "revenue", "amounts": [1200, 1500, 1800, 2000, 2000, 2000, 2000, 2000]},
    "share_rate": {"method": "score"},
    "tax_rate": 0.15,
    "discount_rate": {
        "risk_free": 0.025,
        "premia": {"technology": 0.03, "market": 0.03, "funding": 0.01, "management": 0.01},
    },
    "years": 8,
    "timing": "end",
}
MINING_COST = {
    "items": [
        {"name": "研制成本（设计、试验）", "amount": 120},
        {"name": "材料费", "amount": 35},
        {"name": "人工费", "amount": 80},
        {"name": "专利申请与维持费用", "amount": 3},
    ],
    "price_index": 1.05,
    "profit_rate": 0.25,
    "years_used": 3,
    "remaining_life": 8,
}
CAPACITOR_FACTS = {
    "patent_type": "invention",
    "filing_date": "2019-05-20",
    "as_of": "2024-06-30",
    "legal_status": "valid",
    "claim_count": 8,
    "family_countries": 1,
    "forward_citations": 5,
    "licences": 0,
}
CAPACITOR_SCORES = {
    "stability": (8, "张教授", "授权文本权利要求层次清楚，未见无效宣告请求。"),
    "advancement": (8, "张教授", "异步补偿均压使电容组电压偏差控制在 2% 以内。"),
    "industry_trend": (8, "张教授", "轨道交通与新能源汽车储能需求增长。"),
}


def _scores(table: dict[str, tuple[int, str, str]]) -> list[service.ScoreInput]:
    return [service.ScoreInput(code, value, reason, scorer) for code, (value, scorer, reason) in table.items()]


def _deals(uow: UnitOfWork) -> list[int]:
    bureau = uow.session.scalar(select(Unit.id).where(Unit.code == "cs-ip"))
    rows = []
    for number, title, industry, kind, day, price, pvd in DEALS:
        row = ComparableDeal(
            unit_id=bureau,
            patent_number=number,
            title=title,
            patent_type="invention",
            industry_code=industry,
            deal_type=kind,
            deal_date=day,
            price=Decimal(price),
            pvd=pvd,
            source=DEAL_SOURCE,
            created_at=uow.clock.now(),
        )
        uow.session.add(row)
        rows.append(row)
    uow.flush()
    return [r.id for r in rows]


def _mining(uow: UnitOfWork, deal_ids: list[int]) -> None:
    valuer = principal_of(uow, "cs_valuer")
    header = service.Header(
        title="智能掘进机开采方法专利质押融资价值评估",
        patent_number="CN113914863A",
        patent_title="一种近水平薄矿体智能掘进机机械开采方法",
        holder="湖南湘中矿山装备有限公司",
        client="长沙银行麓谷科技支行",
        industry_code="machinery",
        money_unit="万元",
        facts=MINING_FACTS,
    )
    a = service.create_assessment(uow, valuer, header, profile_code="cnipa2012-finance")
    service.record_scores(uow, valuer, a.id, _scores(MINING_SCORES))
    service.set_input(uow, valuer, a.id, "income", MINING_INCOME, version=None)
    comparables = service.deal_comparables(uow.session, valuer, "万元", [(d, 1.0) for d in deal_ids[:3]])
    market: dict[str, Any] = {"price_growth": 0.03, "comparables": comparables}
    service.set_input(uow, valuer, a.id, "market", market, version=None)
    service.set_input(uow, valuer, a.id, "cost", MINING_COST, version=None)
    service.conclude(uow, valuer, a.id, "income", version=None)


def _capacitor(uow: UnitOfWork) -> None:
    office = principal_of(uow, "cs_univ")
    header = service.Header(
        title="车载超级电容均压装置专利分级评价",
        patent_number="bdci-d9ba8f2b98c0",
        patent_title="一种车载超级电容的异步补偿均压装置和控制方法",
        holder="中南大学",
        client="中南大学知识产权中心",
        industry_code="optical_electronic",
        money_unit="万元",
        facts=CAPACITOR_FACTS,
    )
    a = service.create_assessment(uow, office, header, profile_code="cnipa2012-management")
    service.record_scores(uow, office, a.id, _scores(CAPACITOR_SCORES))


def seed_valuation(db: Database, clock: FakeClock, password: str) -> list[tuple[str, str, str, str]]:
    """Add the valuation story to a database holding the seed's bodies and people; returns the logins."""
    with db.uow(Actor(None, "演示数据")) as uow:
        logins = seed_people(uow, password)
        uow.commit()
    seed_records(db)
    return logins


def seed_records(db: Database) -> None:
    """The comparable deals and the two assessments (on a database holding the valuation story's people)."""
    with db.uow(Actor(None, "演示数据")) as uow:
        deal_ids = _deals(uow)
        _mining(uow, deal_ids)
        uow.commit()
    with db.uow(Actor(None, "演示数据")) as uow:
        _capacitor(uow)
        uow.commit()
