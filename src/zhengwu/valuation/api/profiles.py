"""JSON API of the indicator profiles (评价指标方案) under ``/api/v1/valuation/profiles``: list the codes, read a
code's history and any version whole (the export), save a new version from a profile's JSON (the next version of its
code, or version 1 of a new code), copy a profile into a new code, retire and restore a code. Reading needs
``valuation.view``, writing ``valuation.profile.manage``; a save based on a version that is no longer the newest, or
racing another save, is a 409."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from zhengwu.valuation.api.reference_fields import MAX_ID, Input, Text
from zhengwu.valuation.model.default_profile import default_profile
from zhengwu.valuation.model.indicators import Use, profile_to_dict
from zhengwu.valuation.service import profiles as service
from zhengwu.valuation.tables import ValuationProfile
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/valuation/profiles", tags=["专利价值评估"], responses=PROBLEMS)
Code = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]{1,64}$", description="方案代码")]
VersionNo = Annotated[int, Path(ge=1, le=MAX_ID, description="版本号")]
USES = "、".join(f"{u.value}（{u.label}）" for u in Use)
EXAMPLE = {**profile_to_dict(default_profile()), "code": "my-finance", "name": "质押融资评价方案（本机构）"}


class VersionOut(BaseModel):
    code: str
    version: int
    name: str
    use: str
    use_label: str
    note: str
    retired: bool
    created_at: datetime
    example_weights: bool = Field(description=f"为 true 时页面显示“{service.EXAMPLE_NOTICE}”")


class CodeOut(VersionOut):
    versions: int = Field(description="版本数")


class ProfileOut(VersionOut):
    profile: dict[str, Any] = Field(description="方案内容（JSON 格式见 docs/valuation.md），其 version 即保存的版本号")


class HistoryOut(BaseModel):
    current: CodeOut
    history: list[VersionOut]


class ProfileIn(Input):
    profile: dict[str, Any] = Field(
        description="方案内容：code、name、use、dimensions、gates、description；version 可不填（取最新版本号 + 1）",
        examples=[EXAMPLE],
    )
    note: Text = Field(max_length=service.NOTE_CHARS, description="修订说明（改了什么、为什么改），必填")
    based_on: int | None = Field(
        None, ge=1, le=MAX_ID, description="修改所依据的版本号；该方案已有更新的版本时返回 409。新方案不填"
    )


class CopyIn(Input):
    new_code: Text = Field(max_length=64, description="新方案代码（字母、数字、下划线、连字符），如 my-litigation")
    name: Text = Field(max_length=128, description="新方案名称")
    use: Text = Field(max_length=32, description=f"适用场景：{USES}")
    version: int | None = Field(None, ge=1, le=MAX_ID, description="复制哪个版本；不填为最新版本")
    note: Text = Field("", max_length=400, description="说明")


def _meta(row: ValuationProfile) -> dict[str, Any]:
    return {
        "code": row.code,
        "version": row.version,
        "name": row.name,
        "use": row.use,
        "use_label": service.use_label(row.use),
        "note": row.note,
        "retired": row.retired,
        "created_at": row.created_at,
        "example_weights": True,
    }


def _code_out(p: service.ProfileCode) -> CodeOut:
    return CodeOut(**_meta(p.current), versions=p.versions)


def _profile_out(row: ValuationProfile) -> ProfileOut:
    return ProfileOut(**_meta(row), profile=service.body_of(row))


@router.get("", summary="评价方案列表（每个代码的最新版本）")
def list_profiles(principal: User, db: Db) -> list[CodeOut]:
    with db.reading() as session:
        return [_code_out(p) for p in service.list_profiles(session, principal)]


@router.post("", status_code=201, summary="保存评价方案的新版本（或新方案的第 1 版）")
def save_profile(body: ProfileIn, principal: User, db: Db) -> ProfileOut:
    with uow_for(db, principal) as uow:
        row = service.save_version(uow, principal, body.profile, note=body.note, based_on=body.based_on)
        uow.commit()
        return _profile_out(row)


@router.get("/{code}", summary="评价方案的最新版本与版本历史")
def profile_history(code: Code, principal: User, db: Db) -> HistoryOut:
    with db.reading() as session:
        rows = service.versions(session, principal, code)
        current = CodeOut(**_meta(rows[0]), versions=len(rows))
        return HistoryOut(current=current, history=[VersionOut(**_meta(r)) for r in rows])


@router.get("/{code}/versions/{version}", summary="评价方案的某一版本（导出 JSON）")
def profile_version(code: Code, version: VersionNo, principal: User, db: Db) -> ProfileOut:
    with db.reading() as session:
        return _profile_out(service.get_version(session, principal, code, version))


@router.post("/{code}/copy", status_code=201, summary="复制为新方案（如用于另一适用场景）")
def copy_profile(code: Code, body: CopyIn, principal: User, db: Db) -> ProfileOut:
    with uow_for(db, principal) as uow:
        row = service.copy_profile(
            uow, principal, code, body.version, new_code=body.new_code, name=body.name, use=body.use, note=body.note
        )
        uow.commit()
        return _profile_out(row)


@router.post("/{code}/retire", summary="停用评价方案（各版本仍可查看，已有评估不受影响）")
def retire_profile(code: Code, principal: User, db: Db) -> CodeOut:
    return _set_retired(code, principal, db, retired=True)


@router.post("/{code}/restore", summary="恢复已停用的评价方案")
def restore_profile(code: Code, principal: User, db: Db) -> CodeOut:
    return _set_retired(code, principal, db, retired=False)


def _set_retired(code: str, principal: Any, db: Any, *, retired: bool) -> CodeOut:
    with uow_for(db, principal) as uow:
        service.set_retired(uow, principal, code, retired=retired)
        uow.commit()
    with db.reading() as session:
        rows = service.versions(session, principal, code)
        return CodeOut(**_meta(rows[0]), versions=len(rows))
