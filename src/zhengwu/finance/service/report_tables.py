"""The figure sections of a plan's Word report (:mod:`zhengwu.finance.service.report`): the pool of loans, the
tranches, the no-default waterfall, the simulation summary and the sizing result, each a heading, a table and the
sentences that read it. They take the contract's JSON (docs/finance.md) and the results' JSON, never the database.
Money in 元 with 2 decimals; rates and probabilities in %."""

from __future__ import annotations

from datetime import date
from typing import Any

from docx.document import Document

from zhengwu.finance.model.plan import Amortization
from zhengwu.finance.model.sizing import METRICS
from zhengwu.valuation.service.report_format import heading, number, para, percent, table

AMORTIZATIONS = {a.value: a.label for a in Amortization}


def money(value: Any) -> str:
    """元 with thousands separators and 2 decimals; ``—`` when missing.

    >>> money(135000000), money(None)
    ('135,000,000.00', '—')
    """
    return number(value, 2)


def day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def with_se(estimate: dict[str, float] | None, show: Any = money) -> str:
    """ "mean ± se" of a ``{"mean", "se"}`` estimate.

    >>> with_se({"mean": 0.0123, "se": 0.0004}, lambda v: percent(v, 3))
    '1.23% ± 0.04%'
    """
    if estimate is None:
        return "—"
    return f"{show(estimate['mean'])} ± {show(estimate['se'])}"


def pool_section(document: Document, contract: dict[str, Any]) -> None:
    heading(document, "二、入池资产")
    loans = contract["loans"]
    per_year = contract["periods_per_year"]
    rows = []
    for loan in loans:
        pledged = loan["pledged_value"]
        rows.append(
            (
                loan["id"],
                loan["borrower"],
                money(loan["principal"]),
                percent(loan["annual_rate"], 4),
                f"{loan['term_periods']} 期（{loan['term_periods'] * 12 // per_year} 个月）",
                AMORTIZATIONS.get(loan["amortization"], loan["amortization"]),
                percent(loan["pd_annual"], 4),
                money(pledged),
                percent(loan["principal"] / pledged, 2) if pledged else "—",
            )
        )
    principal = sum(loan["principal"] for loan in loans)
    pledged_total = sum(loan["pledged_value"] for loan in loans)
    weighted_pd = sum(loan["principal"] * loan["pd_annual"] for loan in loans) / principal if principal else 0.0
    rows.append(
        (
            "合计",
            f"{len(loans)} 笔",
            money(principal),
            "",
            "",
            "",
            f"加权 {percent(weighted_pd, 4)}",
            money(pledged_total),
            percent(principal / pledged_total, 2) if pledged_total else "—",
        )
    )
    headers = ("编号", "借款人", "本金（元）", "年利率", "期限", "还款方式", "年违约概率", "质押物评估价值（元）")
    table(document, (*headers, "质押率"), rows)
    para(document, "质押率 = 贷款本金 ÷ 质押专利评估价值合计；加权年违约概率按本金加权。")


def tranches_section(document: Document, contract: dict[str, Any]) -> None:
    heading(document, "三、证券分层")
    tranches = contract["tranches"]
    pool = sum(loan["principal"] for loan in contract["loans"])
    rows = [
        (
            str(k),
            t["id"],
            t["name"],
            money(t["balance"]),
            percent(t["balance"] / pool, 2) if pool else "—",
            "剩余收益" if t["coupon"] is None else percent(t["coupon"], 4),
        )
        for k, t in enumerate(tranches, start=1)
    ]
    total = sum(t["balance"] for t in tranches)
    rows.append(("", "合计", "", money(total), percent(total / pool, 2) if pool else "—", ""))
    table(document, ("清偿顺序", "编号", "名称", "本金（元）", "占资产池", "票面年利率"), rows)


def waterfall_section(
    document: Document, out: dict[str, Any], ends: list[date], residuals: list[float], names: dict[str, str]
) -> None:
    """The no-default waterfall: the pool's columns per period, then each tranche's interest, principal and
    balance, then the tranche metrics."""
    heading(document, "四、无违约情景的现金流瀑布")
    para(document, "假设所有贷款、担保机构与差额支付承诺人均不违约，按方案逐期分配（金额单位：元）。")
    keys = ("collections", "defaults", "guarantor_paid", "recoveries", "fees", "provider_draw")
    rows: list[tuple[str, ...]] = []
    for row, end, residual in zip(out["periods"], ends, residuals, strict=True):
        rows.append((str(row["period"]), day(end), *(money(row[k]) for k in keys), money(residual)))
    sums = [sum(row[k] for row in out["periods"]) for k in keys]
    rows.append(("合计", "", *(money(v) for v in sums), money(out["residual"])))
    table(document, ("期次", "期末日", "回收款", "违约债权", "担保代偿", "回收", "费用", "差额支付", "剩余收益"), rows)
    ids = list(out["tranches"])
    headers = ["期次"]
    for tid in ids:
        headers += [f"{tid} 利息", f"{tid} 本金", f"{tid} 期末余额"]
    rows = []
    for row in out["periods"]:
        cells = [str(row["period"])]
        for tid in ids:
            t = row["tranches"][tid]
            cells += [money(t["interest"]), money(t["principal"]), money(t["balance"])]
        rows.append(tuple(cells))
    total = ["合计"]
    for tid in ids:
        total += [money(sum(r["tranches"][tid][k] for r in out["periods"])) for k in ("interest", "principal")] + [""]
    rows.append(tuple(total))
    table(document, headers, rows)
    metrics = [
        (tid, names.get(tid, tid), money(m["loss"]), f"{m['wal_years']:.4f}", percent(m["irr"], 4))
        for tid, m in out["tranches"].items()
    ]
    table(document, ("编号", "名称", "损失（元）", "加权平均期限（年）", "内部收益率（年化）"), metrics)


def simulation_section(document: Document, sim: dict[str, Any] | None, correlation: float) -> None:
    heading(document, "五、蒙特卡洛模拟")
    if sim is None:
        para(document, "本报告未进行模拟。")
        return
    para(
        document,
        f"按单因子高斯 Copula（相关系数 ρ = {correlation:g}）抽取 {sim['n_paths']:,} 条违约路径，随机种子 "
        f"{sim['seed']}（以同一方案、同一路径数和种子重新计算，结果完全相同）。每个估计值写作“均值 ± 标准误”。",
    )
    rows = [
        (
            tid,
            t["name"],
            money(t["balance"]),
            with_se(t["expected_loss"]),
            with_se(t["expected_loss_rate"], lambda v: percent(v, 4)),
            with_se(t["loss_probability"], lambda v: percent(v, 4)),
            with_se(t["wal_years"], lambda v: f"{v:.4f}"),
        )
        for tid, t in sim["tranches"].items()
    ]
    headers = ("编号", "名称", "本金（元）", "预期损失（元）", "预期损失率", "发生损失的概率", "平均加权平均期限（年）")
    table(document, headers, rows)
    provider, draws = sim["provider"], sim["provider"]["total_draws"]
    quantiles = "，".join(f"{q}% 分位数 {money(v)}" for q, v in draws["quantiles"].items())
    para(
        document,
        f"差额支付承诺人被动用的概率 {with_se(provider['drawn_probability'], lambda v: percent(v, 4))}；每条路径"
        f"累计支付额均值 {with_se(draws)} 元，{quantiles}，最大 {money(draws['max'])} 元。",
    )
    count = sim["default_count"]
    para(document, f"每条路径违约贷款笔数的均值 {with_se(count, lambda v: f'{v:.4f}')} 笔，分布如下：")
    dist = [(str(k), percent(p, 4)) for k, p in enumerate(count["distribution"]) if p > 0]
    table(document, ("违约笔数", "概率"), dist)
    for tid, h in sim.get("loss_distribution", {}).items():
        width = h["upper"] / len(h["bins"])
        shown = [
            (f"{percent(k * width, 2)}–{percent((k + 1) * width, 2)}", percent(p, 4))
            for k, p in enumerate(h["bins"])
            if p > 0
        ]
        para(document, f"{tid} 档损失率的分布：无损失的概率 {percent(h['no_loss'], 4)}。")
        if shown:
            table(document, ("损失率区间", "概率"), shown)


def sizing_section(document: Document, sizing: dict[str, Any] | None) -> None:
    heading(document, "六、优先级规模与盈亏平衡违约概率")
    if sizing is None:
        para(document, "本报告未测算优先级规模（下载报告时可指定目标与指标）。")
        return
    s, b = sizing["sizing"], sizing["breakeven"]
    label = METRICS[s["metric"]]
    para(
        document,
        f"在同一组 {sizing['n_paths']:,} 条违约路径上（随机种子 {sizing['seed']}）二分求解：优先级{label}不超过 "
        f"{percent(s['target'], 4)} 的最大优先级本金为 {money(s['balance'])} 元（次级相应为 "
        f"{money(s['residual_balance'])} 元），此时{label} {with_se(s['value'], lambda v: percent(v, 6))}。",
    )
    if s["next_balance"] is None:
        para(document, "两档合计全部作为优先级时仍在目标之内，因此答案即为两档合计。")
    else:
        para(
            document,
            f"优先级再增加至 {money(s['next_balance'])} 元时，{label}为 "
            f"{with_se(s['next_value'], lambda v: percent(v, 6))}，超出目标。",
        )
    threshold = percent(b["threshold"], 4)
    if b["pool_pd"] is None:
        losing = "均未发生损失" if b["threshold"] == 0 else f"发生损失的概率也不超过 {threshold}"
        text = f"盈亏平衡违约概率：即使所有贷款的年违约概率趋于 1，优先级在这组路径上{losing}，不存在盈亏平衡点。"
        para(document, text)
        return
    multiple = "—" if b["multiple"] is None else f"{b['multiple']:.2f}"
    para(
        document,
        f"盈亏平衡违约概率：所有贷款的年违约概率同为 {percent(b['pool_pd'], 4)} 时，优先级发生损失的概率首次超过 "
        f"{threshold}（为方案按本金加权平均年违约概率 {percent(b['plan_pd'], 4)} 的 {multiple} 倍）；此时优先级发生"
        f"损失的概率 {with_se(b['loss_probability'], lambda v: percent(v, 6))}，预期损失率 "
        f"{with_se(b['expected_loss_rate'], lambda v: percent(v, 6))}。",
    )
