"""The shipped default indicator profile, as plain data (:data:`DEFAULT_PROFILE`), on the structure of the CNIPA
patent value analysis manual (国家知识产权局专利管理司、中国技术交易所《专利价值分析指标体系操作手册》, 知识产权出版社
2012): PVD = α·LVD + β·TVD + γ·EVD over

- legal value degree (法律价值度): stability, non-circumventability, dependence, ease of proving infringement,
  remaining term, multi-country filing, licensing status;
- technical value degree (技术价值度): advancement, industry trend, range of application, dependence on
  complementary technology, substitutability, maturity;
- economic value degree (经济价值度): market application, market size and prospects, market share, competition,
  policy fit.

无官方默认权重，以下为可调整的示例权重. No official default weights are published: α = 0.3, β = 0.4, γ = 0.3 and
every weight and ladder description below are editable examples, not the manual's or GB/T 42748-2023's figures.
Where the manual has no finer split an indicator has one sub-indicator of the same code (weight 1); three
indicators are split so that a fact can be scored automatically beside the expert's judgement: non-circumventability
(the expert's view of design-around, claim count), advancement (the expert's view, forward citations).
Gates: an ownership dispute or a patent no longer in force (lapsed, expired, invalidated…) gives PVD 0.

>>> p = default_profile()
>>> [(d.code, d.weight) for d in p.dimensions]
[('legal', 0.3), ('technical', 0.4), ('economic', 0.3)]
>>> len(p.sub_codes), default_profile(Use.LICENSING).code
(20, 'cnipa2012-licensing')
"""

from __future__ import annotations

from typing import Any

from zhengwu.valuation.model.indicators import Profile, Use, profile_from_dict

WEIGHTS_NOTE = "无官方默认权重，以下为可调整的示例权重"


def _sub(code: str, name: str, weight: float, rule: str | None, *descriptions: str) -> dict[str, Any]:
    """A sub-indicator whose ladder is 0/2/4/6/8/10 with ``descriptions``, or the top levels when fewer are given
    (a ladder of 4 descriptions is 4/6/8/10)."""
    first = 2 * (6 - len(descriptions))
    ladder = [{"level": first + 2 * k, "description": text} for k, text in enumerate(descriptions)]
    return {"code": code, "name": name, "weight": weight, "rule": rule, "ladder": ladder}


def _one(code: str, name: str, weight: float, rule: str | None, *descriptions: str) -> dict[str, Any]:
    """An indicator the manual does not split: one sub-indicator of the same code, weight 1."""
    sub = _sub(code, name, 1.0, rule, *descriptions)
    return {"code": code, "name": name, "weight": weight, "sub_indicators": [sub]}


# Data tables, one sub-indicator and its ladder (descriptions from level 0 or 4 up to 10) per few lines.
# fmt: off
LEGAL = [
    _one("stability", "稳定性", 0.20, "stability",
         "已被宣告无效或明显缺乏新颖性、创造性", "检索到影响新颖性或创造性的文献，被无效可能性大",
         "存在较接近的现有技术，有一定被无效风险", "未检索到明显影响授权条件的文献",
         "经检索基本不会被无效，或经无效程序维持部分有效", "经无效宣告程序维持全部有效，权利十分稳定"),
    {"code": "non_circumvention", "name": "不可规避性", "weight": 0.15, "sub_indicators": [
        _sub("design_around", "不可规避性", 0.7, None,
             "极易规避，替代方案众多且成本很低", "容易规避", "可以规避，但需一定成本",
             "规避难度较大，成本较高", "很难规避", "无法规避"),
        _sub("claim_count", "权利要求数量", 0.3, "claim_count",
             "无权利要求", "1–3 项", "4–6 项", "7–9 项", "10–14 项", "15 项及以上"),
    ]},
    _one("dependence", "依赖性", 0.10, None,
         "实施须依赖多项他人专利，且难以获得许可", "实施依赖他人专利，获得许可成本高",
         "实施依赖他人专利，可以获得许可", "依赖程度较低", "基本不依赖他人专利", "完全独立实施，不依赖他人专利"),
    _one("infringement_provability", "专利侵权可判定性", 0.15, None,
         "无法判定是否侵权", "判定很困难，取证几乎不可能", "判定较困难，须拆解或专业检测",
         "通过分析产品可以判定", "通过观察产品较易判定", "从公开产品或资料即可直接判定"),
    _one("remaining_term", "有效期", 0.15, "remaining_term",
         "保护期已届满", "剩余不足 3 年", "剩余 3 年以上不足 6 年", "剩余 6 年以上不足 10 年",
         "剩余 10 年以上不足 15 年", "剩余 15 年及以上"),
    _one("multi_country", "多国申请", 0.10, "multi_country",
         "仅在中国申请", "在 2 个国家或地区申请", "在 3–4 个国家或地区申请", "在 5 个及以上国家或地区申请"),
    _one("licensing", "专利许可状况", 0.15, "licensing",
         "不能许可（如已独占许可他人或受限）", "尚无许可，也无质押", "尚无许可，已质押登记",
         "尚无许可，已有明确的许可意向或在谈许可", "已有 1 项许可", "已有 2 项及以上许可"),
]

TECHNICAL = [
    {"code": "advancement", "name": "先进性", "weight": 0.25, "sub_indicators": [
        _sub("advancement", "先进性", 0.7, None,
             "落后于现有技术", "与现有技术相当", "较现有技术略有改进", "国内先进", "国内领先、国际先进",
             "国际领先"),
        _sub("forward_citations", "被引证情况", 0.3, "forward_citations",
             "未被引证", "被引 1–2 次", "被引 3–5 次", "被引 6–10 次", "被引 10 次以上"),
    ]},
    _one("industry_trend", "行业发展趋势", 0.15, None,
         "所属行业已被淘汰", "行业萎缩", "行业停滞", "行业平稳发展", "行业较快发展", "行业高速发展、属朝阳产业"),
    _one("application_range", "适用范围", 0.15, None,
         "几乎无法应用", "仅适用于个别产品", "适用于少数产品", "适用于一类产品", "适用于多个行业",
         "适用于广泛领域"),
    _one("complementary_dependence", "配套技术依存度", 0.15, None,
         "须大量他人配套技术且难以获得", "须较多配套技术，获得困难", "须一定配套技术，可以获得",
         "配套技术较少，容易获得", "基本无需配套技术", "可独立应用"),
    _one("substitutability", "可替代性", 0.15, None,
         "已被替代", "容易被替代", "存在多种替代技术", "存在少数替代技术", "替代技术很少", "不可替代"),
    _one("maturity", "成熟度", 0.15, None,
         "仅有构想", "实验室原理验证", "完成小试", "完成中试", "已小批量生产", "已大规模产业化应用"),
]

ECONOMIC = [
    _one("market_application", "市场应用情况", 0.25, None,
         "无应用前景", "尚未应用，前景不明", "尚未应用，有应用前景", "已小规模应用", "已较大规模应用",
         "已大规模应用并取得显著效益"),
    _one("market_size", "市场规模前景", 0.20, None,
         "无市场", "市场规模很小", "市场规模较小", "市场规模中等", "市场规模较大", "市场规模很大、增长迅速"),
    _one("market_share", "市场占有率", 0.20, None,
         "无市场份额", "份额很低", "份额较低", "份额中等", "份额较高", "占据主导地位"),
    _one("competition", "竞争情况", 0.15, None,
         "竞争极为激烈且处于劣势", "竞争激烈", "竞争较激烈", "竞争一般", "竞争较少", "几乎无竞争对手"),
    _one("policy_fit", "政策适应性", 0.20, None,
         "与政策导向相悖", "属限制类领域", "政策无明确导向", "符合一般政策导向", "属鼓励类领域",
         "属国家重点支持领域"),
]
# fmt: on

#: The default profile's dict form (see :mod:`zhengwu.valuation.model.indicators.dicts`); ``use`` and ``code``
#: are set per use by :func:`default_profile`.
DEFAULT_PROFILE: dict[str, Any] = {
    "code": "cnipa2012",
    "name": "专利价值分析指标体系（默认方案）",
    "use": Use.FINANCE.value,
    "version": 1,
    "description": (
        f"{WEIGHTS_NOTE}。结构依据国家知识产权局《专利价值分析指标体系操作手册》（2012）："
        "专利价值度 PVD = α·LVD + β·TVD + γ·EVD，α=0.3，β=0.4，γ=0.3。"
    ),
    "gates": [{"code": "ownership_dispute", "factor": 0.0}, {"code": "dead_status", "factor": 0.0}],
    "dimensions": [
        {"code": "legal", "name": "法律价值度", "weight": 0.3, "indicators": LEGAL},
        {"code": "technical", "name": "技术价值度", "weight": 0.4, "indicators": TECHNICAL},
        {"code": "economic", "name": "经济价值度", "weight": 0.3, "indicators": ECONOMIC},
    ],
}


def default_profile(use: Use = Use.FINANCE) -> Profile:
    """The default profile for ``use`` (the same example weights for every use: adjust them per scenario)."""
    name = f"{DEFAULT_PROFILE['name']}·{use.label}"
    return profile_from_dict({**DEFAULT_PROFILE, "code": f"cnipa2012-{use.value}", "name": name, "use": use.value})
