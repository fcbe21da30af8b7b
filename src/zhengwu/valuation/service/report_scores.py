"""The Word report's indicator section (scores with their scorers, indicator scores, LVD/TVD/EVD/PVD with the
weights and formula, gates) and its sensitivity section (table and tornado bars); see
:mod:`zhengwu.valuation.service.report`."""

from __future__ import annotations

from typing import Any

from docx.document import Document

from zhengwu.valuation.model.indicators import AUTO_SCORER, GATES, Profile
from zhengwu.valuation.service.report_format import formula, heading, number, para, percent, plain, table

_DEGREES = {"legal": ("lvd", "LVD", "α"), "technical": ("tvd", "TVD", "β"), "economic": ("evd", "EVD", "γ")}


def scores_section(document: Document, profile: Profile | None, evaluation: dict[str, Any] | None, note: str) -> None:
    heading(document, "二、专利价值度评价（多层级指标体系）")
    if evaluation is None:
        para(document, "未进行指标评分。")
        return
    name = profile.name if profile is not None else evaluation.get("profile", "")
    version = profile.version if profile is not None else evaluation.get("profile_version", "")
    para(document, f"评价方案：{name}（代码 {evaluation.get('profile', '')}，第 {version} 版）。")
    para(document, note, bold=True)
    para(document, "计算方法：")
    formula(document, "指标得分 I = 10 × Σ（二级指标权重 × 档次），0–100；")
    formula(document, "价值度 LVD、TVD、EVD = Σ（指标权重 × 指标得分）；")
    formula(document, "专利价值度 PVD = (α·LVD + β·TVD + γ·EVD) × Π 否决系数。")
    scores = evaluation.get("scores") or {}
    heading(document, "（一）二级指标评分", level=2)
    if profile is not None:
        rows: list[tuple[Any, ...]] = []
        for dim, ind, sub in profile.walk():
            s = scores.get(sub.code)
            ladder = {level.value: level.description for level in sub.ladder}
            if s is None:
                rows.append((dim.name, ind.name, sub.name, plain(sub.weight), "未评分", "—", "—", "—", "—"))
                continue
            rows.append(
                (
                    dim.name,
                    ind.name,
                    sub.name,
                    plain(sub.weight),
                    plain(s.get("value")),
                    ladder.get(s.get("value"), "—"),
                    s.get("scorer", ""),
                    s.get("reason", ""),
                    _how(s),
                )
            )
        headers = ("价值度", "指标", "二级指标", "权重", "档次", "档次说明", "评分人", "评分理由", "方式")
        table(document, headers, rows)
    else:
        rows = [
            (str(code), plain(s.get("value")), s.get("scorer", ""), s.get("reason", ""), _how(s))
            for code, s in scores.items()
        ]
        table(document, ("二级指标", "档次", "评分人", "评分理由", "方式"), rows)
    missing = evaluation.get("missing") or []
    if missing:
        para(document, "尚未评分的二级指标：" + "、".join(_sub_name(profile, c) for c in missing) + "。")
    _indicators(document, profile, evaluation)
    _degrees(document, profile, evaluation)
    _gates(document, evaluation)


def _how(score: dict[str, Any]) -> str:
    automatic = score.get("automatic", score.get("scorer") == AUTO_SCORER)
    return "自动评分" if automatic else "专家评分"


def _sub_name(profile: Profile | None, code: str) -> str:
    sub = None if profile is None else profile.sub_indicator(code)
    return code if sub is None else sub.name


def _indicators(document: Document, profile: Profile | None, evaluation: dict[str, Any]) -> None:
    heading(document, "（二）指标得分", level=2)
    values = evaluation.get("indicators") or {}
    if profile is None:
        table(document, ("指标", "得分"), [(code, number(v)) for code, v in values.items()])
        return
    rows = [
        (dim.name, ind.name, plain(ind.weight), number(values.get(ind.code)))
        for dim in profile.dimensions
        for ind in dim.indicators
    ]
    table(document, ("价值度", "指标", "权重", "得分"), rows)


def _degrees(document: Document, profile: Profile | None, evaluation: dict[str, Any]) -> None:
    heading(document, "（三）法律、技术、经济价值度与专利价值度", level=2)
    rows = []
    terms = []
    for code, (key, short, greek) in _DEGREES.items():
        weight = None
        label = short
        if profile is not None:
            dim = profile.dimension(code)
            weight, label = dim.weight, f"{dim.name} {short}"
        rows.append((label, f"{greek} = {plain(weight)}", number(evaluation.get(key))))
        terms.append((weight, evaluation.get(key)))
    table(document, ("价值度", "权重", "得分"), rows)
    before = evaluation.get("pvd_before_gates")
    if all(w is not None and v is not None for w, v in terms) and before is not None:
        sums = " + ".join(f"{plain(w)} × {number(v, 2)}" for w, v in terms)
        formula(document, f"PVD = α·LVD + β·TVD + γ·EVD = {sums} = {number(before, 2)}")
    else:
        para(document, "评分尚未完成，专利价值度暂不能算出。")


def _gates(document: Document, evaluation: dict[str, Any]) -> None:
    heading(document, "（四）否决条件", level=2)
    gates = evaluation.get("gates") or []
    if not gates:
        para(document, f"无否决条件生效；专利价值度 PVD = {number(evaluation.get('pvd'), 2)}。")
        return
    rows = [(GATES.get(g.get("code"), (g.get("code"),))[0], plain(g.get("factor")), g.get("reason", "")) for g in gates]
    table(document, ("否决条件", "系数", "原因"), rows)
    para(
        document,
        f"否决前 PVD = {number(evaluation.get('pvd_before_gates'), 2)}，乘以否决系数后 PVD = "
        f"{number(evaluation.get('pvd'), 2)}。",
    )


def sensitivity_section(document: Document, sensitivity: dict[str, Any] | None, money: str) -> None:
    heading(document, "六、敏感性分析（收益法）")
    if sensitivity is None:
        para(document, "未进行敏感性分析（没有收益法结果）。")
        return
    base = sensitivity.get("base_value")
    para(
        document,
        f"基准评估值 {number(base)} {money}。分成率 K、折现率 i、收益额 R 分别按比例变动，收益年限 n 按年增减"
        "（超出预测期的年份按最后一年的收益额延续），其余输入不变，用收益法重新计算：",
    )
    variables = sensitivity.get("variables") or []
    steps = sensitivity.get("steps") or []
    headers = ("变量", "基准", *(f"{step * 100:+g}%" for step in steps))
    rows = []
    for v in variables:
        base_text = number(v.get("base"), 0) + " 年" if v.get("code") == "n" else _base(v)
        rows.append((v.get("label", ""), base_text, *(_cell(c, v.get("code") == "n") for c in v.get("cells", []))))
    table(document, headers, rows)
    para(document, f"单元格为变动后的评估值（{money}）及其相对基准值的变动；“—”表示变动后的输入超出取值范围。")
    tornado = sensitivity.get("tornado")
    if not tornado:
        return
    heading(document, f"龙卷风图（±{tornado['step'] * 100:g}%，收益年限 ±1 年）", level=2)
    bars = tornado.get("bars") or []
    widest = max((b.get("swing") or 0 for b in bars), default=0) or 1
    rows = [
        (
            b.get("label", ""),
            f"{b.get('low_shift', '')}：{number(b.get('low_value'))}",
            f"{b.get('high_shift', '')}：{number(b.get('high_value'))}",
            number(b.get("swing")),
            "█" * max(1, round(20 * (b.get("swing") or 0) / widest)),
        )
        for b in bars
    ]
    table(document, ("变量", "下端评估值", "上端评估值", "波动幅度", "示意"), rows)


def _base(variable: dict[str, Any]) -> str:
    code = variable.get("code")
    if code in ("K", "i"):
        return percent(variable.get("base"))
    return "100%"


def _cell(cell: dict[str, Any], years: bool) -> str:
    shift = f"{cell.get('shift', '')}：" if years else ""
    if cell.get("value") is None:
        return shift + "—"
    ratio = cell.get("change_ratio")
    change = "" if ratio is None else f"（{ratio * 100:+.2f}%）"
    return f"{shift}{number(cell['value'])}{change}"
