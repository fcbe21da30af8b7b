"""The Chinese valuation report (专利价值评估报告) as a Word document (.docx), issue #6: the cover facts, purpose and
as-of date, the indicator scores with their scorers, LVD/TVD/EVD/PVD with the weights and formula, the gates, each
approach with its inputs, formula, per-year or per-item table and result, the sensitivity table, the conclusion and
the chosen approach, and the note that the profile's weights are editable examples without official defaults.

:func:`build_report` takes a :class:`ReportData` (plain values: the JSON of the contracts and of
:func:`~zhengwu.valuation.model.scoring.evaluation_as_json`) and returns the document's bytes; it reads no database.
Chinese text is set in 宋体 through each run's East Asian font (``w:rFonts w:eastAsia``)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from zhengwu.valuation.model.indicators import Profile
from zhengwu.valuation.service.report_approaches import cost_section, income_section, market_section
from zhengwu.valuation.service.report_format import heading, number, pairs, para, set_east_asian_font, table
from zhengwu.valuation.service.report_scores import scores_section, sensitivity_section

APPROACHES = {"income": "收益法", "market": "市场法", "cost": "成本法"}
WEIGHTS_NOTE = "无官方默认权重，以下为可调整的示例权重。"


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows; a missing part (``None``) is reported as not performed.

    ``evaluation`` is :func:`~zhengwu.valuation.model.scoring.evaluation_as_json`'s output; ``*_input`` and
    ``*_result`` the approaches' JSON requests and results (docs/valuation.md); ``sensitivity`` the output of
    :func:`~zhengwu.valuation.model.sensitivity.sensitivity_as_json`; ``conclusion`` the concluded value in
    ``money_unit``; ``purpose`` overrides the purpose taken from the profile's use."""

    title: str
    unit_name: str
    patent_number: str
    patent_title: str
    holder: str
    client: str
    as_of: date | None
    money_unit: str
    profile: Profile | None
    evaluation: dict[str, Any] | None
    income_input: dict[str, Any] | None
    income_result: dict[str, Any] | None
    market_input: dict[str, Any] | None
    market_result: dict[str, Any] | None
    cost_input: dict[str, Any] | None
    cost_result: dict[str, Any] | None
    sensitivity: dict[str, Any] | None
    chosen: Literal["income", "market", "cost"] | None
    conclusion: float | None
    prepared_by: str
    prepared_at: datetime
    purpose: str = ""


def build_report(data: ReportData) -> bytes:
    """The report as .docx bytes (see the module docstring).

    >>> from datetime import datetime
    >>> blank = ReportData("某专利评估", "凤凰县知识产权局", "ZL201510000001.X", "一种齿轮箱", "甲公司", "乙银行",
    ...     None, "万元", None, None, None, None, None, None, None, None, None, None, None, "张三",
    ...     datetime(2024, 7, 1, 9, 0))
    >>> build_report(blank)[:2]  # a .docx is a zip file
    b'PK'
    """
    document: Document = docx.Document()
    _page_defaults(document)
    _cover(document, data)
    _purpose(document, data)
    scores_section(document, data.profile, data.evaluation, WEIGHTS_NOTE)
    money = data.money_unit
    income_section(document, data.income_input, data.income_result, money)
    market_section(document, data.market_input, data.market_result, money)
    cost_section(document, data.cost_input, data.cost_result, money)
    sensitivity_section(document, data.sensitivity, money)
    _conclusion(document, data)
    _notes(document, data)
    set_east_asian_font(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _page_defaults(document: Document) -> None:
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)


def _cover(document: Document, data: ReportData) -> None:
    title = document.add_heading(data.title or "专利价值评估报告", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = document.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.add_run("专利价值评估报告").bold = True
    pairs(
        document,
        [
            ("评估项目", data.title),
            ("专利号", data.patent_number),
            ("专利名称", data.patent_title),
            ("专利权人", data.holder or "—"),
            ("委托方", data.client or "—"),
            ("出具单位", data.unit_name),
            ("评估基准日", _date(data.as_of)),
            ("金额单位", data.money_unit),
            ("编制人", data.prepared_by or "—"),
            ("编制时间", data.prepared_at.strftime("%Y年%m月%d日 %H:%M")),
        ],
    )


def _date(value: date | None) -> str:
    return "未填写" if value is None else f"{value.year}年{value.month}月{value.day}日"


def _purpose(document: Document, data: ReportData) -> None:
    heading(document, "一、评估目的与评估基准日")
    purpose = data.purpose
    if not purpose and data.profile is not None:
        purpose = f"为{data.profile.use.label}提供专利价值参考（评价方案“{data.profile.name}”的用途）。"
    para(document, f"评估目的：{purpose or '为专利的运用提供价值参考。'}")
    para(document, f"评估基准日：{_date(data.as_of)}。评估结论仅在基准日的条件下成立。")
    para(
        document,
        "评估依据：GB/T 42748-2023《专利评估指引》；国家知识产权局专利管理司、中国技术交易所《专利价值分析指标体系"
        "操作手册》（2012）；中国资产评估协会《资产评估实务（一）》无形资产评估。",
    )


def _conclusion(document: Document, data: ReportData) -> None:
    heading(document, "七、评估结论")
    results = {"income": data.income_result, "market": data.market_result, "cost": data.cost_result}
    rows = []
    for code, label in APPROACHES.items():
        result = results[code]
        value = None if result is None else result.get("value")
        rows.append((label, "未采用" if value is None else number(value), "是" if data.chosen == code else "否"))
    table(document, ("评估方法", f"评估值（{data.money_unit}）", "是否选定"), rows)
    if data.chosen is None or data.conclusion is None:
        para(document, "尚未形成评估结论（草稿）：请选定评估方法后再出具正式报告。", bold=True)
        return
    text = f"经综合分析，选定{APPROACHES[data.chosen]}的结果作为评估结论：于评估基准日 {_date(data.as_of)}，"
    text += f"专利“{data.patent_title}”（{data.patent_number}）的评估价值为 {number(data.conclusion)} {data.money_unit}"
    if data.money_unit == "万元":
        text += f"（{number(data.conclusion * 10_000, 0)} 元）"
    para(document, text + "。", bold=True)


def _notes(document: Document, data: ReportData) -> None:
    heading(document, "八、特别说明")
    notes = [
        f"评价方案的权重、评分档次说明和自动评分阈值：{WEIGHTS_NOTE}国家标准与操作手册均未公布默认权重，"
        "平台随附的方案是供评估机构按自身方法修改后使用的示例。",
        "计算不做中间舍入，表中数字为显示而保留位数，合计可能与各项之和存在尾差。",
        "本报告的结论依赖所列输入（收益预测、分成率、折现率、可比交易、成本资料等），输入变化时结论随之变化，"
        "变化幅度见敏感性分析。",
        f"本报告由政务平台依据评估人员录入的资料生成，编制人：{data.prepared_by or '—'}。",
    ]
    for k, note in enumerate(notes, 1):
        para(document, f"{k}. {note}")
