"""Indicator profiles (评价指标方案) kept as versions: list the codes, read a code's history and any version, save a
new version (from a profile's JSON, or by editing the weights and ladder descriptions of the current one), copy a
profile into a new code, retire and restore a code.

A version is never changed once saved: an assessment points at the exact version it was scored on. The next version
of a code is its highest + 1; two saves racing for the same number meet the unique constraint (code, version), and
the loser gets a 409. A save based on a version that is no longer the newest is refused with a 409 too, so nobody
overwrites a colleague's version unknowingly. The stored body is the checked profile's dict form
(:func:`~zhengwu.valuation.model.indicators.profile_to_dict`) with ``version`` set to the stored version. Reading
needs ``valuation.view``; every write ``valuation.profile.manage``.

No official default weights are published: the shipped profiles (``cnipa2012-<use>``) and everything derived from
them carry the notice :data:`EXAMPLE_NOTICE` on the pages.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Conflict, Invalid, NotFound
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.valuation.model import PROFILE_MANAGE, VIEW
from zhengwu.valuation.model.indicators import Use, profile_from_dict, profile_to_dict
from zhengwu.valuation.service.income import DEFAULT_PROFILE_CODE
from zhengwu.valuation.tables import ValuationProfile

EXAMPLE_NOTICE = "无官方默认权重，以下为可调整的示例权重"
NOTE_CHARS = 500
NAME_CHARS = 128
MAX_VERSION = 1_000_000


@dataclass(frozen=True)
class ProfileCode:
    """A profile code with its newest version and how many versions it has."""

    current: ValuationProfile
    versions: int

    @property
    def retired(self) -> bool:
        return self.current.retired


def use_label(use: str) -> str:
    try:
        return Use(use).label
    except ValueError:
        return use


def list_profiles(session: Session, principal: Principal | None, *, include_retired: bool = True) -> list[ProfileCode]:
    """Every code with its newest version (retired codes last unless left out), by code."""
    require(principal, VIEW)
    latest = (
        select(
            ValuationProfile.code,
            func.max(ValuationProfile.version).label("version"),
            func.count().label("n"),
        )
        .group_by(ValuationProfile.code)
        .subquery()
    )
    stmt = select(ValuationProfile, latest.c.n).join(
        latest, (ValuationProfile.code == latest.c.code) & (ValuationProfile.version == latest.c.version)
    )
    if not include_retired:
        stmt = stmt.where(ValuationProfile.retired.is_(False))
    rows = [ProfileCode(row, n) for row, n in session.execute(stmt.order_by(ValuationProfile.code))]
    return sorted(rows, key=lambda p: (p.retired, p.current.code))


def versions(session: Session, principal: Principal | None, code: str) -> list[ValuationProfile]:
    """Every version of ``code``, newest first (NotFound when the code does not exist)."""
    require(principal, VIEW)
    rows = list(
        session.scalars(
            select(ValuationProfile).where(ValuationProfile.code == code).order_by(ValuationProfile.version.desc())
        )
    )
    if not rows:
        raise NotFound(f"评价方案“{code[:64]}”不存在。")
    return rows


def get_version(
    session: Session, principal: Principal | None, code: str, version: int | None = None
) -> ValuationProfile:
    """Version ``version`` of ``code``, or its newest when None (retired codes too: their versions stay readable)."""
    require(principal, VIEW)
    stmt = select(ValuationProfile).where(ValuationProfile.code == code)
    if version is None:
        stmt = stmt.order_by(ValuationProfile.version.desc()).limit(1)
    else:
        stmt = stmt.where(ValuationProfile.version == version)
    row = session.scalar(stmt)
    if row is None:
        which = f"第 {version} 版" if version is not None else ""
        raise NotFound(f"评价方案“{code[:64]}”{which}不存在。")
    return row


def body_of(row: ValuationProfile) -> dict[str, Any]:
    """The stored version's dict form (as exported)."""
    body: dict[str, Any] = json.loads(row.body)
    return body


def _note(value: object) -> str:
    if value is not None and not isinstance(value, str):
        raise Invalid("修订说明应为文字。", field="note")
    text = (value or "").strip()
    if not text:
        raise Invalid("请填写修订说明（改了什么、为什么改）。", field="note")
    if len(text) > NOTE_CHARS or any(not ch.isprintable() and ch not in "\n\r\t" for ch in text):
        raise Invalid(f"修订说明不能超过 {NOTE_CHARS} 个字，且不能含控制字符。", field="note")
    return text


def _newest(session: Session, code: str) -> ValuationProfile | None:
    return session.scalar(
        select(ValuationProfile).where(ValuationProfile.code == code).order_by(ValuationProfile.version.desc()).limit(1)
    )


def save_version(
    uow: UnitOfWork,
    principal: Principal | None,
    data: object,
    *,
    note: object,
    based_on: int | None = None,
) -> ValuationProfile:
    """Save ``data`` (a profile's dict form, checked by ``profile_from_dict``: errors name the path, e.g.
    ``dimensions[0].indicators[2].weight`` or ``weights.legal``) as the next version of its code, or as version 1
    of a new code. ``based_on``: the version the writer started from; when the code has a newer one meanwhile the
    save is refused (409). A retired code takes no new version; a code keeps its use."""
    who = require(principal, PROFILE_MANAGE)
    session = uow.session
    text = _note(note)
    if not isinstance(data, Mapping):
        raise Invalid("评价方案须为 JSON 对象。", field="profile")
    code = data.get("code")
    newest = _newest(session, code) if isinstance(code, str) else None
    if newest is not None:
        if newest.retired:
            raise Invalid(f"评价方案“{newest.code}”已停用，请先恢复后再保存新版本。", field="code")
        if based_on is not None and based_on != newest.version:
            raise Conflict(
                f"评价方案“{newest.code}”已有第 {newest.version} 版（您修改的是第 {based_on} 版），"
                "您的修改未保存。请打开最新版本核对后重新提交。"
            )
        if data.get("use") != newest.use:
            raise Invalid(
                f"评价方案“{newest.code}”的适用场景是“{use_label(newest.use)}”，新版本不能改变适用场景；"
                "用于其他场景请复制为新方案。",
                field="use",
            )
    version = newest.version + 1 if newest is not None else 1
    if version > MAX_VERSION:
        raise Invalid("版本过多。", field="version")
    profile = profile_from_dict({**data, "version": version})
    if len(profile.name) > NAME_CHARS:
        raise Invalid(f"方案名称不能超过 {NAME_CHARS} 个字。", field="name")
    row = ValuationProfile(
        code=profile.code,
        version=version,
        use=profile.use.value,
        name=profile.name,
        body=json.dumps(profile_to_dict(profile), ensure_ascii=False),
        note=text,
        retired=False,
        created_by_id=who.user_id or None,
        created_at=uow.clock.now(),
    )
    session.add(row)
    uow.flush()
    return row


def copy_profile(
    uow: UnitOfWork,
    principal: Principal | None,
    code: str,
    version: int | None,
    *,
    new_code: object,
    name: object,
    use: object,
    note: object = "",
) -> ValuationProfile:
    """Version 1 of ``new_code``: a copy of ``code`` version ``version`` (its newest when None) with a new name and
    use (e.g. the finance profile copied for litigation)."""
    require(principal, PROFILE_MANAGE)
    source = get_version(uow.session, principal, code, version)
    target = new_code.strip() if isinstance(new_code, str) else new_code
    if isinstance(target, str) and _newest(uow.session, target) is not None:
        raise Invalid(f"方案代码“{target}”已存在，请换一个代码。", field="code")
    data = {**body_of(source), "code": target, "name": name.strip() if isinstance(name, str) else name, "use": use}
    text = note.strip() if isinstance(note, str) else ""
    origin = f"复制自 {source.code} 第 {source.version} 版"
    return save_version(uow, principal, data, note=f"{origin}：{text}" if text else origin)


def apply_edits(
    body: Mapping[str, Any], weights: Mapping[str, object], descriptions: Mapping[str, object]
) -> dict[str, Any]:
    """``body`` (a profile's dict form) with new weights and ladder descriptions. ``weights`` are keyed by the node's
    path of codes — ``legal`` (α), ``legal.stability`` (an indicator), ``legal.stability.stability`` (a
    sub-indicator) — and are numbers or numeric text; ``descriptions`` are keyed ``<sub-indicator code>.<level>``.
    A bad number names ``weights.<path>``; the sums are checked by the profile itself (``weights.legal``…).

    >>> from zhengwu.valuation.model.default_profile import default_profile
    >>> body = profile_to_dict(default_profile())
    >>> edited = apply_edits(body, {"legal": "0.4", "technical": 0.3}, {"stability.10": "经无效程序维持有效"})
    >>> edited["dimensions"][0]["weight"], edited["dimensions"][1]["weight"]
    (0.4, 0.3)
    >>> apply_edits(body, {"legal": "三成"}, {})
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 权重须为 0 到 1 之间的数字（如 0.25），现为“三成”。
    """
    out: dict[str, Any] = json.loads(json.dumps(body))
    nodes: dict[str, dict[str, Any]] = {}
    rungs: dict[str, dict[str, Any]] = {}
    for d in out.get("dimensions", []):
        nodes[d["code"]] = d
        for i in d.get("indicators", []):
            nodes[f"{d['code']}.{i['code']}"] = i
            for s in i.get("sub_indicators", []):
                nodes[f"{d['code']}.{i['code']}.{s['code']}"] = s
                for rung in s.get("ladder", []):
                    rungs[f"{s['code']}.{rung['level']}"] = rung
    for path, value in weights.items():
        if path not in nodes:
            raise Invalid(f"方案中没有“{path}”这一项。", field=f"weights.{path}")
        nodes[path]["weight"] = _weight(value, f"weights.{path}")
    for key, value in descriptions.items():
        if key not in rungs:
            raise Invalid(f"方案中没有“{key}”这一评分档次。", field=f"ladder.{key}")
        if not isinstance(value, str) or not value.strip():
            raise Invalid("请填写评分档次的说明。", field=f"ladder.{key}")
        rungs[key]["description"] = value.strip()
    return out


def _weight(value: object, field: str) -> float:
    try:
        number = float(value) if isinstance(value, int | float | str) and not isinstance(value, bool) else math.nan
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not 0 <= number <= 1:
        raise Invalid(f"权重须为 0 到 1 之间的数字（如 0.25），现为“{str(value)[:20]}”。", field=field)
    return number


def edit_version(
    uow: UnitOfWork,
    principal: Principal | None,
    code: str,
    *,
    based_on: int,
    weights: Mapping[str, object],
    descriptions: Mapping[str, object],
    note: object,
) -> ValuationProfile:
    """Save the next version of ``code``: version ``based_on`` (which must still be the newest) with new weights and
    ladder descriptions (see :func:`apply_edits`)."""
    require(principal, PROFILE_MANAGE)
    source = get_version(uow.session, principal, code, based_on)
    data = apply_edits(body_of(source), weights, descriptions)
    return save_version(uow, principal, data, note=note, based_on=based_on)


def set_retired(uow: UnitOfWork, principal: Principal | None, code: str, *, retired: bool) -> ValuationProfile:
    """Retire a code (no longer offered for new assessments, its versions stay readable and assessments keep theirs)
    or restore it. The profile the income calculation uses by default cannot be retired."""
    require(principal, PROFILE_MANAGE)
    newest = get_version(uow.session, principal, code)
    if retired and newest.code == DEFAULT_PROFILE_CODE:
        raise Invalid(f"“{newest.code}”是收益法计算默认使用的评价方案，不能停用。", field="code")
    if newest.retired == retired:
        raise Invalid(f"评价方案“{newest.code}”已经是{'停用' if retired else '启用'}状态。", field="retired")
    for row in uow.session.scalars(select(ValuationProfile).where(ValuationProfile.code == newest.code)):
        row.retired = retired  # every version, through the ORM so that the audit log records it
    uow.flush()
    return newest
