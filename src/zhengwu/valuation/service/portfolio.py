"""Portfolio valuation (批量估值) of a file of patent facts: read and check every row
(:mod:`.portfolio_files`), score and value all patents in one vectorised run on a profile
(:func:`~zhengwu.valuation.model.portfolio.value_portfolio`), and give the summary (count, total value, patents and
value per PVD tier) and the per-patent results as JSON, ``.xlsx``, ``.csv`` or JSON lines. Nothing is stored.

:func:`run_portfolio` uses the database's current profile and industry ranges (and needs ``valuation.assess``);
:func:`compute_portfolio` takes them as arguments (the command's ``--defaults``: the shipped ones). The web takes at
most :data:`WEB_MAX_ROWS` rows (a 20 MB upload); the command line :data:`CLI_MAX_ROWS`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
from sqlalchemy.orm import Session

from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.valuation.model import ASSESS
from zhengwu.valuation.model.indicators import Profile
from zhengwu.valuation.model.industries import IndustryRange
from zhengwu.valuation.model.portfolio import (
    TIERS,
    PortfolioRejected,
    PortfolioResult,
    Tier,
    flatten,
    tier_index,
    tiers,
    value_portfolio,
)
from zhengwu.valuation.service.income import DEFAULT_PROFILE_CODE
from zhengwu.valuation.service.portfolio_files import (
    CellError,
    Options,
    PortfolioFile,
    PortfolioFileRejected,
    read_portfolio,
)
from zhengwu.valuation.service.reference import as_profile, current_profile_row, industry_table

WEB_MAX_ROWS = 20_000
CLI_MAX_ROWS = 1_000_000
CLI_MAX_BYTES = 1024**3
#: What a refusal of a file too large for the web adds: the command line takes larger ones.
TOO_BIG_HINT = "，请分批估值或使用命令行"

#: Result columns: key → Chinese header.
RESULT_COLUMNS = {
    "row": "行号",
    "id": "编号",
    "title": "名称",
    "lvd": "法律价值度",
    "tvd": "技术价值度",
    "evd": "经济价值度",
    "pvd_before_gates": "否决前专利价值度",
    "pvd": "专利价值度",
    "tier": "分层",
    "share_rate": "分成率",
    "years": "收益年限",
    "value": "评估值",
    "gates": "否决条件",
    "filled": "缺省补分项数",
}
GATE_LABELS = {"ownership_dispute": "权属纠纷", "dead_status": "专利失效"}
__all__ = ["CLI_MAX_BYTES", "CLI_MAX_ROWS", "GATE_LABELS", "RESULT_COLUMNS", "WEB_MAX_ROWS", "Options",
           "PortfolioFileRejected", "PortfolioRun", "as_json", "compute_portfolio", "example_csv", "example_rows",
           "result_rows", "run_portfolio", "summary", "write_csv", "write_jsonl", "write_xlsx",
           "xlsx_bytes"]  # fmt: skip


@dataclass(frozen=True)
class PortfolioRun:
    profile: Profile
    file: PortfolioFile
    result: PortfolioResult
    tiers: list[Tier]
    fill: int | None

    @property
    def count(self) -> int:
        return len(self.result)

    @property
    def total_value(self) -> float:
        return float(np.sum(self.result.value))

    @property
    def gated(self) -> int:
        hit = np.zeros(self.count, dtype=bool)
        for mask in self.result.gates.values():
            hit |= mask
        return int(hit.sum())

    @property
    def filled_patents(self) -> int:
        return int(np.count_nonzero(self.result.filled))


def compute_portfolio(
    name: str,
    data: bytes,
    profile: Profile,
    industries: Mapping[str, IndustryRange],
    options: Options = Options(),
    fill: int | None = None,
    *,
    max_rows: int = WEB_MAX_ROWS,
) -> PortfolioRun:
    """Read the file ``name`` and value every patent on ``profile``; bad rows raise :class:`PortfolioFileRejected`
    (row, column, reason) and nothing is computed."""
    flat = flatten(profile)
    file = read_portfolio(name, data, flat, industries, options, max_rows=max_rows)
    try:
        result = value_portfolio(flat, file.facts, file.scores, file.income, fill=fill)
    except PortfolioRejected as exc:
        errors = [
            CellError(int(file.lines[p.index]), file.headers.get(p.field, p.field), p.reason, p.field)
            for p in exc.problems
        ]
        raise PortfolioFileRejected(errors, exc.total) from None
    return PortfolioRun(profile, file, result, tiers(result), fill)


def run_portfolio(
    session: Session,
    principal: Principal | None,
    name: str,
    data: bytes,
    options: Options = Options(),
    fill: int | None = None,
    profile_code: str | None = None,
    *,
    max_rows: int = WEB_MAX_ROWS,
) -> PortfolioRun:
    """:func:`compute_portfolio` on the database's current profile ``profile_code`` (default
    :data:`~zhengwu.valuation.service.income.DEFAULT_PROFILE_CODE`) and industry ranges; needs
    ``valuation.assess``. Writes nothing."""
    require(principal, ASSESS)
    profile = as_profile(current_profile_row(session, (profile_code or DEFAULT_PROFILE_CODE).strip()))
    return compute_portfolio(name, data, profile, industry_table(session), options, fill, max_rows=max_rows)


def summary(run: PortfolioRun) -> dict[str, Any]:
    """``{"profile", "profile_version", "count", "total_value", "gated", "filled", "tiers": [{"code", "label",
    "count", "value"}]}`` (``filled``: patents with at least one sub-indicator given the fill level)."""
    return {
        "profile": run.profile.code,
        "profile_version": run.profile.version,
        "fill": run.fill,
        "count": run.count,
        "total_value": run.total_value,
        "gated": run.gated,
        "filled": run.filled_patents,
        "tiers": [{"code": t.code, "label": t.label, "count": t.count, "value": t.value} for t in run.tiers],
    }


def result_rows(run: PortfolioRun, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Per patent, in file order: the :data:`RESULT_COLUMNS` (numbers unrounded; ``gates`` the codes that
    applied)."""
    r, f = run.result, run.file
    n = run.count if limit is None else min(limit, run.count)
    codes = [TIERS[k][1] for k in tier_index(r.pvd[:n]).tolist()]
    gate_codes = [(code, mask[:n].tolist()) for code, mask in r.gates.items()]
    columns = zip(
        f.lines[:n].tolist(), f.ids[:n], f.titles[:n], r.lvd[:n].tolist(), r.tvd[:n].tolist(), r.evd[:n].tolist(),
        r.pvd_before_gates[:n].tolist(), r.pvd[:n].tolist(), codes, r.share_rate[:n].tolist(), r.years[:n].tolist(),
        r.value[:n].tolist(), r.filled[:n].tolist(), strict=True,
    )  # fmt: skip
    for k, (line, pid, title, lvd, tvd, evd, before, pvd, tier, share, years, value, filled) in enumerate(columns):
        yield {
            "row": line,
            "id": pid,
            "title": title,
            "lvd": lvd,
            "tvd": tvd,
            "evd": evd,
            "pvd_before_gates": before,
            "pvd": pvd,
            "tier": tier,
            "share_rate": share,
            "years": years,
            "value": value,
            "gates": [code for code, hits in gate_codes if hits[k]],
            "filled": filled,
        }


def as_json(run: PortfolioRun) -> dict[str, Any]:
    """The API's answer: ``{"summary": {...}, "patents": [{row, id, title, lvd, ..., value, gates, filled}]}``."""
    return {"summary": summary(run), "patents": list(result_rows(run))}


def write_csv(run: PortfolioRun, out: IO[str]) -> None:
    """The results as CSV (Chinese headers; UTF-8 with BOM is the caller's choice of encoding)."""
    writer = csv.writer(out)
    writer.writerow(RESULT_COLUMNS.values())
    for row in result_rows(run):
        row["gates"] = "、".join(GATE_LABELS.get(g, g) for g in row["gates"])
        writer.writerow(row.values())


def write_jsonl(run: PortfolioRun, out: IO[str]) -> None:
    for row in result_rows(run):
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_xlsx(run: PortfolioRun, out: IO[bytes]) -> None:
    """The results (sheet 估值结果) and the summary (sheet 汇总) as an ``.xlsx`` workbook, written row by row."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet("估值结果")

    def cell(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not value.startswith("="):
            return value
        text = WriteOnlyCell(sheet, value=value)
        text.data_type = "s"  # a title like =HYPERLINK(…) stays text
        return text

    sheet.append(list(RESULT_COLUMNS.values()))
    for row in result_rows(run):
        row["gates"] = "、".join(GATE_LABELS.get(g, g) for g in row["gates"])
        sheet.append([cell(v) for v in row.values()])
    totals = book.create_sheet("汇总")
    s = summary(run)
    totals.append(["评价方案", f"{s['profile']}（第 {s['profile_version']} 版）"])
    totals.append(["专利件数", s["count"]])
    totals.append(["评估值合计", s["total_value"]])
    totals.append(["触发否决条件", s["gated"]])
    totals.append(["有缺省补分的专利", s["filled"]])
    totals.append([])
    totals.append(["分层", "件数", "评估值"])
    for t in s["tiers"]:
        totals.append([t["label"], t["count"], t["value"]])
    book.save(out)


def xlsx_bytes(run: PortfolioRun) -> bytes:
    out = io.BytesIO()
    write_xlsx(run, out)
    return out.getvalue()


# ------------------------------------------------------------------------------------------------ the example file

#: The example file's rows (code → value): an invention of machinery (the issue's worked example's income), a utility
#: model valued over its economic life, a lapsed invention (gated: PVD 0, K the range's low bound).
EXAMPLE_ROWS: list[dict[str, Any]] = [
    {"id": "ZL201510000001.1", "title": "一种数控机床主轴冷却装置", "patent_type": "invention",
     "filing_date": "2015-03-01", "as_of": "2024-06-30", "legal_status": "valid", "claim_count": 12,
     "family_countries": 3, "forward_citations": 4, "ownership_dispute": "否", "licences": 1, "pledges": 0,
     "invalidation_history": "none", "industry": "machinery", "tax_rate": 0.25, "discount_rate": 0.095,
     "income": [2000, 2200, 2400, 2500, 2500]},
    {"id": "ZL201920000002.2", "title": "一种光学镜头调焦机构", "patent_type": "utility", "filing_date": "2019-08-15",
     "as_of": "2024-06-30", "legal_status": "valid", "claim_count": 6, "family_countries": 1,
     "forward_citations": 0, "ownership_dispute": "否", "licences": 0, "pledges": 1, "invalidation_history": "none",
     "industry": "optical_electronic", "tax_rate": 0.15, "discount_rate": 0.12, "economic_life": 4,
     "income": [800, 900, 900, 950, 950]},
    {"id": "ZL201210000003.3", "title": "一种缓释片剂及其制备方法", "patent_type": "invention",
     "filing_date": "2012-05-20", "as_of": "2024-06-30", "legal_status": "lapsed", "claim_count": 8,
     "family_countries": 2, "forward_citations": 12, "ownership_dispute": "否", "licences": 2, "pledges": 0,
     "invalidation_history": "upheld", "range_low": 0.025, "range_high": 0.04, "tax_rate": 0.25,
     "discount_rate": 0.1, "income": [5000, 5200, 5400]},
]  # fmt: skip
#: Expert scores of the example rows: (legal sub-indicators, advancement, other technical, economic).
EXAMPLE_SCORES = ((8, 10, 6, 6), (6, 6, 6, 4), (8, 8, 8, 8))


def example_rows(profile: Profile) -> tuple[list[str], list[list[Any]]]:
    """The example file's header (English codes) and rows: the experts score what the facts leave open (every
    sub-indicator without an automatic rule, and stability where no invalidation was tried)."""
    years = max(len(r["income"]) for r in EXAMPLE_ROWS)
    fixed = [c for c in ("id", "title", "patent_type", "filing_date", "as_of", "legal_status", "claim_count",
             "family_countries", "forward_citations", "ownership_dispute", "licences", "pledges",
             "invalidation_history", "industry", "range_low", "range_high", "tax_rate", "discount_rate",
             "economic_life")]  # fmt: skip
    subs = [(d.code, s.code, s.rule) for d, _, s in profile.walk()]
    header = fixed + [f"income_{t}" for t in range(1, years + 1)] + [f"score.{code}" for _, code, _ in subs]
    rows = []
    for example, (legal, advancement, technical, economic) in zip(EXAMPLE_ROWS, EXAMPLE_SCORES, strict=True):
        amounts = example["income"] + [""] * (years - len(example["income"]))
        by_dimension = {"legal": legal, "technical": technical, "economic": economic}
        open_ = {code for _, code, rule in subs if rule is None or (rule == "stability" and
                 example["invalidation_history"] == "none")}  # fmt: skip
        scores = [
            "" if code not in open_ else advancement if code == "advancement" else by_dimension[dim]
            for dim, code, _ in subs
        ]
        rows.append([example.get(c, "") for c in fixed] + amounts + scores)
    return header, rows


def example_csv(profile: Profile) -> bytes:
    """The example file as CSV (UTF-8 with BOM, so that Excel opens it in Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header, rows = example_rows(profile)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
