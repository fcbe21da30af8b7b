"""The Chinese Word report of a securitization plan (证券化方案测算报告): the plan's terms, the pool table, the
tranches, the no-default waterfall, the Monte Carlo summary (paths and seed stated), the sizing result when asked,
and the method — the contract's formulas in words. Every figure is computed from the stored records when the report
is asked for (:func:`report_docx`); :func:`build_report` takes only plain values (:class:`ReportData`) and reads no
database. The tables and sentences of the figures are in :mod:`.report_tables`; the number formats and the East
Asian font (宋体) are valuation's report helpers, shared rather than copied."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from sqlalchemy.orm import Session

from zhengwu.core.org.model import Principal
from zhengwu.finance.model.plan import Plan as EnginePlan
from zhengwu.finance.service.plan_results import (
    DEFAULT_PATHS,
    DEFAULT_SIZING_PATHS,
    SIZING_LIMITS,
    Stored,
    checked_fraction,
    checked_metric,
    checked_paths,
    checked_seed,
    load,
    no_default,
    query_value,
    simulation_of,
    sizing_of,
    unit_name,
    waterfall_table,
)
from zhengwu.finance.service.report_tables import (
    day,
    money,
    pool_section,
    simulation_section,
    sizing_section,
    tranches_section,
    waterfall_section,
)
from zhengwu.valuation.service.report_format import heading, pairs, para, percent, set_east_asian_font

STATUSES = {"draft": "草稿（测算中）", "issued": "已发行"}
COVERS = {"senior_interest": "优先级利息差额", "senior_principal": "法定到期时优先级剩余本金"}


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows: the plan's record facts, its contract JSON (docs/finance.md), the no-default
    waterfall's JSON with each period's end date and residual, the simulation JSON (with its ``seed``) and the
    sizing JSON of :func:`~zhengwu.finance.service.plan_results.sizing_of` (None: not asked)."""

    code: str
    name: str
    unit_name: str
    status: str
    contract: dict[str, Any]
    waterfall: dict[str, Any]
    ends: list[date]
    residuals: list[float]
    simulation: dict[str, Any] | None
    sizing: dict[str, Any] | None
    prepared_by: str
    prepared_at: datetime


@dataclass(frozen=True)
class ReportAsk:
    """What the reader asked for: the simulation's ``paths`` and ``seed`` (checked), and the sizing's ``target``,
    ``metric``, ``threshold`` and ``paths`` when ``target`` is not None."""

    paths: int
    seed: int
    target: float | None = None
    metric: str = "expected_loss"
    threshold: float = 0.0
    sizing_paths: int = DEFAULT_SIZING_PATHS


def report_ask(params: Mapping[str, str], plan: EnginePlan) -> ReportAsk:
    """The report's query parameters checked: ``paths`` (default 20,000) and ``seed`` (blank: drawn) of the
    simulation; with ``target`` (a fraction) also the sizing's ``metric``, ``threshold`` and ``sizing_paths``
    (default 10,000). ``Invalid`` names the parameter."""
    paths = query_value(params.get("paths"))
    paths = checked_paths(DEFAULT_PATHS if paths is None else paths, plan, "paths")
    seed = checked_seed(query_value(params.get("seed")))
    target = query_value(params.get("target"))
    if target is None:
        return ReportAsk(paths, seed)
    metric = checked_metric(params.get("metric") or "expected_loss")
    threshold = query_value(params.get("threshold"))
    sizing_paths = query_value(params.get("sizing_paths"))
    return ReportAsk(
        paths,
        seed,
        checked_fraction(target, "target", "目标"),
        metric,
        0.0 if threshold is None else checked_fraction(threshold, "threshold", "损失概率的门槛"),
        checked_paths(DEFAULT_SIZING_PATHS if sizing_paths is None else sizing_paths, plan, "sizing_paths",
                      SIZING_LIMITS),
    )  # fmt: skip


def report_data(stored: Stored, unit_name: str, ask: ReportAsk, prepared_by: str, now: datetime) -> ReportData:
    """The report's figures, computed now from the stored plan."""
    plan = stored.plan
    table = waterfall_table(plan, no_default(plan))
    sizing = None
    if ask.target is not None:
        sizing = sizing_of(plan, ask.target, ask.metric, ask.sizing_paths, ask.seed, ask.threshold)
    return ReportData(
        code=stored.record.code,
        name=stored.record.name,
        unit_name=unit_name,
        status=stored.record.status,
        contract=stored.contract,
        waterfall=table.json,
        ends=list(table.ends),
        residuals=list(table.residual),
        simulation=simulation_of(plan, ask.paths, ask.seed),
        sizing=sizing,
        prepared_by=prepared_by,
        prepared_at=now,
    )


def read_plan(session: Session, principal: Principal | None, plan_id: int) -> tuple[Stored, str]:
    """The stored plan (``finance.view`` on it) and the name of the unit that keeps it."""
    stored = load(session, principal, plan_id)
    return stored, unit_name(session, stored.record.unit_id)


def report_docx(
    stored: Stored, unit_name: str, ask: ReportAsk, principal: Principal | None, now: datetime
) -> tuple[str, bytes]:
    """(file name, .docx bytes) of the plan's report, as ``principal`` asked for it at ``now``."""
    name = principal.full_name if principal is not None else ""
    data = report_data(stored, unit_name, ask, name, now)
    return f"证券化方案测算报告-{stored.record.code}-{stored.record.id}.docx", build_report(data)


def build_report(data: ReportData) -> bytes:
    """The report as .docx bytes (see the module docstring)."""
    document: Document = docx.Document()
    document.styles["Normal"].font.size = Pt(10.5)
    _cover(document, data)
    _terms(document, data.contract)
    pool_section(document, data.contract)
    tranches_section(document, data.contract)
    names = {t["id"]: t["name"] for t in data.contract["tranches"]}
    waterfall_section(document, data.waterfall, data.ends, data.residuals, names)
    simulation_section(document, data.simulation, data.contract["correlation"])
    sizing_section(document, data.sizing)
    _method(document)
    _notes(document, data)
    set_east_asian_font(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _cover(document: Document, data: ReportData) -> None:
    title = document.add_heading(data.name or "证券化方案", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = document.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.add_run("资产支持专项计划测算报告").bold = True
    pairs(
        document,
        [
            ("方案编号", data.code),
            ("方案名称", data.name),
            ("计划管理人", data.unit_name or "—"),
            ("状态", STATUSES.get(data.status, data.status)),
            ("金额单位", "元"),
            ("编制人", data.prepared_by or "—"),
            ("编制时间", data.prepared_at.strftime("%Y年%m月%d日 %H:%M")),
        ],
    )


def _terms(document: Document, c: dict[str, Any]) -> None:
    heading(document, "一、方案要素")
    closing = date.fromisoformat(c["closing_date"])
    per_year, final = c["periods_per_year"], c["legal_final_period"]
    guarantor, provider = c["guarantor"], c["shortfall_provider"]
    if guarantor is None:
        g_text = "无"
    else:
        cap = "不设上限" if guarantor["cap"] is None else f"上限 {money(guarantor['cap'])} 元"
        g_text = (
            f"{guarantor['name']}：担保比例 {percent(guarantor['coverage'], 2)}，{cap}，"
            f"年违约概率 {percent(guarantor['pd_annual'], 4)}"
        )
    if provider is None:
        p_text = "无"
    else:
        covers = "、".join(COVERS.get(x, x) for x in provider["covers"]) or "无"
        p_text = f"{provider['name']}：承诺范围 {covers}，年违约概率 {percent(provider['pd_annual'], 4)}"
    recovery = c["recovery"]
    pool = sum(loan["principal"] for loan in c["loans"])
    pairs(
        document,
        [
            ("计划成立日", day(closing)),
            ("每年期数", f"{per_year} 期（每期 {12 // per_year} 个月）"),
            ("法定到期", f"第 {final} 期（{final * 12 // per_year} 个月）"),
            ("入池贷款", f"{len(c['loans'])} 笔，本金合计 {money(pool)} 元"),
            ("证券分层", f"{len(c['tranches'])} 档，本金合计 {money(sum(t['balance'] for t in c['tranches']))} 元"),
            ("费率", f"每年 {percent(c['fees']['annual_rate_on_pool'], 4)}（按在还贷款余额计）"),
            ("担保机构", g_text),
            ("差额支付承诺人", p_text),
            (
                "回收",
                f"担保未偿部分按质押物评估价值的 {percent(recovery['rate_of_pledged_value'], 2)} 为限回收，"
                f"滞后 {recovery['lag_periods']} 期",
            ),
            ("违约相关系数 ρ", f"{c['correlation']:g}"),
        ],
    )


METHOD = (
    "还款计划：每期利率 = 年利率 ÷ 每年期数；到期一次还本的贷款前各期只付利息、到期归还全部本金；等额本息每期还款 "
    "A = P·r ÷ (1 − (1 + r)^−n)；等额本金每期归还 P ÷ n；最后一期归还全部剩余余额。",
    "回收款：未违约的贷款按计划支付利息和本金；在第 t 期违约的贷款自 t 期起不再支付，其债权为 t 期期初余额加当期利息。",
    "担保代偿：担保机构未违约时，支付当期违约债权 × 担保比例，以剩余担保上限为限；未获偿部分按 min(未获偿债权, "
    "回收率 × 质押物评估价值) 在约定滞后期后回收，最迟在法定到期期回收。",
    "分配顺序：可分配资金 = 回收款 + 担保代偿 + 回收，先付费用（费率 × 当期正常还款贷款的期初余额 ÷ 每年期数，加上"
    "此前未付费用），再按清偿顺序逐档先付利息（余额 × 票面利率 ÷ 每年期数，加上此前未付利息），后以剩余全部资金"
    "偿还本金；最后一档之后的剩余资金为剩余收益，归次级档所有。",
    "差额支付：差额支付承诺人未违约时，补足优先级当期应付利息的差额，并在法定到期期补足优先级的剩余本金（以其承诺"
    "范围为限）。每期、每条路径都满足：回收款 + 担保代偿 + 回收 + 差额支付 = 费用 + 各档利息 + 各档本金 + 剩余收益。",
    "证券指标：损失 = 法定到期时未偿本金 + 未付利息；加权平均期限 = Σ (t ÷ 每年期数) × 当期本金 ÷ Σ 本金；内部收益率"
    "以成立日投入 −本金与各期收到的利息和本金（次级另加剩余收益）求每期收益率 r，年化为 (1 + r)^每年期数 − 1。",
    "违约模拟：单因子高斯 Copula，每个主体（各笔贷款、担保机构、差额支付承诺人）的潜变量 Y = √ρ·M + √(1 − ρ)·ε，"
    "在累计违约概率 1 − (1 − 年违约概率)^(t ÷ 每年期数) 首次超过 Φ(Y) 的那一期违约；每条路径按抽到的违约期运行上述"
    "瀑布。均值的标准误为样本标准差 ÷ √路径数；损失或支付超过 0.005 元才计入。",
    "优先级规模：在同一组违约路径上二分求解优先级本金（次级吸收差额），使优先级的预期损失率（或发生损失的概率）不超过"
    "目标；盈亏平衡违约概率：给所有贷款同一年违约概率 p，二分求优先级发生损失的概率首次超过门槛的最小 p。",
)


def _method(document: Document) -> None:
    heading(document, "七、测算方法")
    for k, text in enumerate(METHOD, 1):
        para(document, f"{k}. {text}")


def _notes(document: Document, data: ReportData) -> None:
    heading(document, "八、特别说明")
    notes = [
        "本报告的全部数字均于编制时依据平台登记的方案、证券分层与入池贷款记录计算，记录变更后请重新下载。",
        "计算不做中间舍入，表中金额保留两位小数，合计可能与各项之和存在尾差。",
        "模拟结果是估计值，随路径数增加而更精确；报告列明路径数与随机种子，可完全重现。",
        "方案中的违约概率、回收率与相关系数等假设由编制人录入，结论随假设变化。",
        f"本报告由政务平台生成，编制人：{data.prepared_by or '—'}。",
    ]
    for k, note in enumerate(notes, 1):
        para(document, f"{k}. {note}")
