"""The Word report's three approach sections — income, market, cost — each with its inputs, formula, table of
intermediate figures and result; see :mod:`zhengwu.valuation.service.report`. The inputs and results are the
contracts' JSON (docs/valuation.md)."""

from __future__ import annotations

from typing import Any

from docx.document import Document

from zhengwu.valuation.model.income import PREMIA, Basis, Timing
from zhengwu.valuation.service.report_format import formula, heading, number, pairs, para, percent, plain, table

_METHODS = {
    "explicit": "直接给出",
    "score": "按专利价值度在行业区间内取值",
    "sales_to_profit": "销售收入分成率换算为利润分成率",
    "equivalent_investment": "约当投资分成法",
    "incremental_profit": "增量利润现值比",
}


def _label(kind: type[Basis] | type[Timing], value: Any, default: str) -> str:
    try:
        return kind(value if value is not None else default).label
    except ValueError:
        return plain(value)


def _amounts(values: Any) -> str:
    return "、".join(plain(v) for v in values) if isinstance(values, list) else plain(values)


def income_section(document: Document, data: dict[str, Any] | None, result: dict[str, Any] | None, money: str) -> None:
    heading(document, "三、收益法")
    if data is None or result is None:
        para(document, "未采用收益法。")
        return
    income = data.get("income") or {}
    share = data.get("share_rate")
    pairs(
        document,
        [
            ("收益基础", _label(Basis, income.get("basis"), "revenue")),
            (f"各年收益额（{money}）", _amounts(income.get("amounts"))),
            ("分成率确定方法", "增量收益，K = 1" if share is None else _METHODS.get(share.get("method"), "—")),
            ("所得税税率", percent(data.get("tax_rate"))),
            ("折现率", _discount_text(data.get("discount_rate"), result.get("discount_rate"))),
            ("收益年限", f"{plain(result.get('years'))} 年"),
            ("折现时点", _label(Timing, data.get("timing"), "end")),
            ("分成率年衰减率", percent(data.get("share_rate_decay") or 0)),
        ],
    )
    para(document, "计算公式：")
    formula(document, "价值 = Σ_{t=1..n} K_t · R_t · (1 − 所得税税率) / (1 + i)^t，K_t = K · (1 − d)^(t−1)")
    para(document, "年中折现时指数为 t − 0.5。分成率 K：")
    formula(document, _share_text(share, result.get("share_rate"), result.get("discount_rate")))
    rows: list[tuple[str, ...]] = [
        (
            plain(r.get("year")),
            number(r.get("income")),
            percent(r.get("share")),
            number(r.get("after_tax")),
            number(r.get("discount_factor"), 6),
            number(r.get("present_value")),
        )
        for r in result.get("rows") or []
    ]
    rows.append(("合计", "", "", "", "", number(result.get("value"))))
    table(document, ("年度 t", f"收益额 R_t（{money}）", "分成率 K_t", "税后分成额", "折现系数", "现值"), rows)
    para(document, f"收益法评估值：{number(result.get('value'))} {money}。", bold=True)


def _discount_text(raw: Any, rate: Any) -> str:
    if isinstance(raw, dict):
        premia = raw.get("premia") or {}
        parts = [f"无风险报酬率 {percent(raw.get('risk_free'))}"]
        parts += [f"{label} {percent(premia.get(key))}" for key, label in PREMIA.items()]
        return "累加法：i = " + " + ".join(parts) + f" = {percent(rate)}"
    return f"i = {percent(rate)}"


def _share_text(share: Any, k: Any, rate: Any) -> str:
    if share is None:
        return "收益基础为增量收益，K = 1"
    method = share.get("method")
    if method == "explicit":
        return f"K = {percent(share.get('value'))}（评估人员给出）"
    if method == "score":
        where = f"行业 {share['industry']}" if "industry" in share else ""
        bounds = share.get("range")
        pvd = _pvd_text(share, bounds, k)
        if isinstance(bounds, list) and len(bounds) == 2:
            m, n = percent(bounds[0]), percent(bounds[1])
            sector = f"（{where}的销售收入分成率区间）" if where else ""
            return f"K = m + (n − m) × PVD / 100 = {m} + ({n} − {m}) × {pvd} / 100 = {percent(k)}{sector}"
        return f"K = m + (n − m) × PVD / 100，(m, n) 取{where}的销售收入分成率区间，PVD = {pvd}：K = {percent(k)}"
    if method == "sales_to_profit":
        royalty, margin = percent(share.get("sales_royalty")), percent(share.get("profit_margin"))
        return f"K = 销售收入分成率 ÷ 销售利润率 = {royalty} ÷ {margin} = {percent(k)}"
    if method == "equivalent_investment":
        cp, rp = plain(share.get("patent_cost")), percent(share.get("patent_profit_rate"))
        cb, rb = plain(share.get("licensee_cost")), percent(share.get("licensee_profit_rate"))
        return (
            f"K = Cp(1 + rp) / [Cp(1 + rp) + Cb(1 + rb)] = {cp} × (1 + {rp}) / [{cp} × (1 + {rp}) + {cb} × "
            f"(1 + {rb})] = {percent(k)}"
        )
    if method == "incremental_profit":
        return (
            f"K = PV(增量利润) ÷ PV(总利润)，增量利润 {_amounts(share.get('incremental'))}，总利润 "
            f"{_amounts(share.get('total'))}，按 i = {percent(rate)} 年末折现：K = {percent(k)}"
        )
    return f"K = {percent(k)}"


def _pvd_text(share: dict[str, Any], bounds: Any, k: Any) -> str:
    """PVD as given, or as scored on the indicators: read back from K = m + (n − m)·PVD/100 when m < n."""
    if "score" in share:
        return plain(share.get("score"))
    if isinstance(bounds, list) and len(bounds) == 2 and isinstance(k, int | float):
        low, high = bounds
        if isinstance(low, int | float) and isinstance(high, int | float) and high > low:
            return f"{(k - low) / (high - low) * 100:.2f}（由指标体系算出）"
    return "由指标体系算出的 PVD"


def market_section(document: Document, data: dict[str, Any] | None, result: dict[str, Any] | None, money: str) -> None:
    heading(document, "四、市场法")
    if data is None or result is None:
        para(document, "未采用市场法。")
        return
    pairs(
        document,
        [
            ("被评估专利的专利价值度", plain(result.get("subject_pvd"))),
            ("评估基准日", plain(result.get("as_of"))),
            ("交易价格年增长率 g", percent(result.get("price_growth"))),
            ("可比交易数", plain(len(result.get("comparables") or []))),
        ],
    )
    para(document, "计算公式：")
    formula(
        document, "调整后价格_j = 成交价_j × (PVD_被评估 ÷ PVD_j) × (1 + g)^{y_j}，y_j = 成交日至基准日天数 ÷ 365.25"
    )
    formula(document, "评估值 = Σ w_j × 调整后价格_j ÷ Σ w_j")
    rows = [
        (
            plain(c.get("id")),
            c.get("title") or "—",
            number(c.get("price")),
            plain(c.get("pvd")),
            plain(c.get("deal_date")),
            number(c.get("years")),
            number(c.get("pvd_factor"), 6),
            number(c.get("date_factor"), 6),
            number(c.get("adjusted")),
            plain(c.get("weight")),
        )
        for c in result.get("comparables") or []
    ]
    headers = ("编号", "名称", "成交价", "价值度", "成交日期", "年数", "价值度系数", "时间系数", "调整后价格", "权重")
    table(document, headers, rows)
    for warning in result.get("warnings") or []:
        para(document, f"提示：{warning}")
    para(document, f"市场法评估值：{number(result.get('value'))} {money}。", bold=True)


def cost_section(document: Document, data: dict[str, Any] | None, result: dict[str, Any] | None, money: str) -> None:
    heading(document, "五、成本法")
    if data is None or result is None:
        para(document, "未采用成本法。")
        return
    rows = [(item.get("name", ""), number(item.get("amount"))) for item in result.get("items") or []]
    rows.append(("合计（历史成本）", number(result.get("historical_cost"))))
    table(document, ("成本项目", f"金额（{money}）"), rows)
    para(document, "计算公式：")
    formula(document, "重置成本 = Σ 成本项目 × 物价指数 × (1 + 成本利润率)")
    formula(
        document,
        f"= {number(result.get('historical_cost'))} × {plain(result.get('price_index'))} × (1 + "
        f"{percent(result.get('profit_rate'))}) = {number(result.get('replacement_cost'))}",
    )
    if result.get("years_used") is not None:
        used, remaining = plain(result.get("years_used")), plain(result.get("remaining_life"))
        formula(
            document,
            f"成新率 = 剩余经济寿命 ÷ (已使用年限 + 剩余经济寿命) = {remaining} ÷ ({used} + {remaining}) = "
            f"{percent(result.get('newness'))}",
        )
    else:
        formula(
            document,
            f"成新率 = 1 − 贬值率 = 1 − {percent(result.get('obsolescence_rate'))} = {percent(result.get('newness'))}",
        )
    formula(
        document,
        f"评估值 = 重置成本 × 成新率 = {number(result.get('replacement_cost'))} × {percent(result.get('newness'))} = "
        f"{number(result.get('value'))}",
    )
    para(document, f"成本法评估值：{number(result.get('value'))} {money}。", bold=True)
