"""Pages of the indicator profiles (评价方案): the codes with their newest version, one version shown as its tree
(dimensions → indicators → sub-indicators with weights in %, ladders with descriptions, automatic rules, gates) with
the version history, its JSON export, and — for ``valuation.profile.manage`` — saving a new version from a JSON file
or from the edit form (weights and ladder descriptions), copying a profile into a new code, retiring and restoring a
code. Every profile page carries the notice that no official default weights exist."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile

from zhengwu.core.errors import Conflict, Invalid, NotFound
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.valuation.model import PROFILE_MANAGE, VIEW
from zhengwu.valuation.model.indicators import GATES, RULES, Use
from zhengwu.valuation.service import profiles as service
from zhengwu.valuation.tables import ValuationProfile
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.listing import display
from zhengwu.web.pages import form_int, form_str, redirect, render
from zhengwu.web.uploads import content_disposition

router = APIRouter(prefix="/valuation", include_in_schema=False)
LIST = "/valuation/profiles"
MAX_JSON_BYTES = 1024 * 1024


def _common() -> dict[str, Any]:
    return {
        "notice_text": service.EXAMPLE_NOTICE,
        "uses": Use.choices(),
        "rules": {code: rule.label for code, rule in RULES.items()},
        "gates": {code: label for code, (label, _) in GATES.items()},
        "when": display,
    }


def _list(request: Request, db: Any, principal: Principal, status: int = 200, **extra: Any) -> HTMLResponse:
    with db.reading() as session:
        codes = service.list_profiles(session, principal)
    ctx = {**_common(), "codes": codes, "may_manage": principal.has(PROFILE_MANAGE), "submitted": {}, **extra}
    ctx["use_label"] = service.use_label
    return render(request, "valuation/profiles.html", ctx, status=status)


@router.get("/profiles", response_class=HTMLResponse)
def profile_list(request: Request, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)
    return _list(request, db, principal)


async def _json_of(form: FormData) -> Any:
    """The profile JSON of the import form: the uploaded file, else the pasted text."""
    upload = form.get("file")
    raw: bytes | str = form_str(form, "profile_json")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read(MAX_JSON_BYTES + 1)
    if not raw:
        raise Invalid("请选择评价方案的 JSON 文件，或粘贴其内容。", field="file")
    if len(raw) > MAX_JSON_BYTES:
        raise Invalid("JSON 文件超过 1 MB。", field="file")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise Invalid("内容不是有效的 JSON（须为 UTF-8 编码）。", field="file") from None


@router.post("/profiles/import", response_model=None)
async def profile_import(request: Request, principal: User, db: Db) -> Response:
    """Save an uploaded or pasted profile JSON as the next version of its code (or a new code)."""
    require(principal, PROFILE_MANAGE)
    form = await request.form()
    try:
        data = await _json_of(form)
        with uow_for(db, principal) as uow:
            row = service.save_version(uow, principal, data, note=form_str(form, "note"))
            code, version = row.code, row.version
            uow.commit()
    except (Invalid, Conflict) as exc:
        submitted = {"note": form_str(form, "note"), "profile_json": form_str(form, "profile_json")}
        return _list(request, db, principal, exc.status, error=exc.message, field=exc.field, submitted=submitted)
    return redirect(f"/valuation/profiles/{code}", f"已保存评价方案 {code} 第 {version} 版")


def _version_page(
    request: Request, db: Any, principal: Principal, code: str, version: int | None, status: int = 200, **extra: Any
) -> HTMLResponse:
    with db.reading() as session:
        row = service.get_version(session, principal, code, version)
        history = service.versions(session, principal, row.code)
    ctx = {
        **_common(),
        "row": row,
        "body": service.body_of(row),
        "history": history,
        "newest": history[0],
        "use_label": service.use_label(row.use),
        "may_manage": principal.has(PROFILE_MANAGE),
        "submitted": {},
        **extra,
    }
    return render(request, "valuation/profile.html", ctx, status=status)


@router.get("/profiles/{code}", response_class=HTMLResponse)
def profile_current(request: Request, code: str, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)
    return _version_page(request, db, principal, code, None)


@router.get("/profiles/{code}/versions/{version:int}", response_class=HTMLResponse)
def profile_version(request: Request, code: str, version: int, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)
    return _version_page(request, db, principal, code, version)


@router.get("/profiles/{code}/versions/{version:int}/export.json")
def profile_export(code: str, version: int, principal: User, db: Db) -> Response:
    """The version's JSON, ready to edit and import again (its ``version`` is the stored one)."""
    with db.reading() as session:
        row = service.get_version(session, principal, code, version)
        text = json.dumps(service.body_of(row), ensure_ascii=False, indent=2)
    headers = {"Content-Disposition": content_disposition(f"{row.code}-v{row.version}.json")}
    return Response(text.encode("utf-8"), media_type="application/json", headers=headers)


# ------------------------------------------------------------------------------------------------ edit form


def _form(
    request: Request, row: ValuationProfile, status: int = 200, submitted: dict[str, str] | None = None, **extra: Any
) -> HTMLResponse:
    body = service.body_of(row)
    values = dict(submitted or {})
    for d in body["dimensions"]:
        values.setdefault(f"w:{d['code']}", f"{d['weight']:g}")
        for i in d["indicators"]:
            values.setdefault(f"w:{d['code']}.{i['code']}", f"{i['weight']:g}")
            for s in i["sub_indicators"]:
                values.setdefault(f"w:{d['code']}.{i['code']}.{s['code']}", f"{s['weight']:g}")
                for rung in s["ladder"]:
                    values.setdefault(f"d:{s['code']}.{rung['level']}", rung["description"])
    ctx = {**_common(), "row": row, "body": body, "values": values, **extra}
    return render(request, "valuation/profile_form.html", ctx, status=status)


@router.get("/profiles/{code}/edit", response_class=HTMLResponse)
def profile_edit(request: Request, code: str, principal: User, db: Db) -> HTMLResponse:
    require(principal, PROFILE_MANAGE)
    with db.reading() as session:
        row = service.get_version(session, principal, code)
    if row.retired:
        raise Invalid(f"评价方案“{row.code}”已停用，请先恢复后再修改。", field="code")
    return _form(request, row)


@router.post("/profiles/{code}/edit", response_model=None)
async def profile_save(request: Request, code: str, principal: User, db: Db) -> Response:
    require(principal, PROFILE_MANAGE)
    form = await request.form()
    submitted = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    weights = {k[2:]: v.strip() for k, v in submitted.items() if k.startswith("w:")}
    descriptions = {k[2:]: v for k, v in submitted.items() if k.startswith("d:")}
    try:
        based_on = form_int(form, "based_on", "所依据的版本号") or 0
        with uow_for(db, principal) as uow:
            row = service.edit_version(
                uow,
                principal,
                code,
                based_on=based_on,
                weights=weights,
                descriptions=descriptions,
                note=form_str(form, "note"),
            )
            version = row.version
            uow.commit()
    except (Invalid, Conflict) as exc:
        with db.reading() as session:
            try:
                based = form_int(form, "based_on", "版本号", required=False)
                base = service.get_version(session, principal, code, based)
            except (Invalid, NotFound):
                base = service.get_version(session, principal, code)
        extra = {"error": exc.message, "field": exc.field, "conflict": exc.status == 409}
        return _form(request, base, exc.status, submitted, **extra)
    return redirect(f"/valuation/profiles/{code}", f"已保存第 {version} 版")


# ------------------------------------------------------------------------------------- copy, retire, restore


@router.post("/profiles/{code}/copy", response_model=None)
async def profile_copy(request: Request, code: str, principal: User, db: Db) -> Response:
    require(principal, PROFILE_MANAGE)
    form = await request.form()
    try:
        version = form_int(form, "version", "版本号", required=False)
        with uow_for(db, principal) as uow:
            row = service.copy_profile(
                uow,
                principal,
                code,
                version,
                new_code=form_str(form, "new_code"),
                name=form_str(form, "name"),
                use=form_str(form, "use"),
                note=form_str(form, "note"),
            )
            new_code = row.code
            uow.commit()
    except Invalid as exc:
        submitted = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        return _version_page(
            request, db, principal, code, None, 422, error=exc.message, field=exc.field, submitted=submitted
        )
    return redirect(f"/valuation/profiles/{new_code}", f"已复制为新方案 {new_code}")


async def _retire(request: Request, code: str, principal: Principal, db: Any, retired: bool) -> Response:
    require(principal, PROFILE_MANAGE)
    try:
        with uow_for(db, principal) as uow:
            service.set_retired(uow, principal, code, retired=retired)
            uow.commit()
    except Invalid as exc:
        return _version_page(request, db, principal, code, None, 422, error=exc.message, field=exc.field)
    return redirect(f"/valuation/profiles/{code}", "已停用该方案" if retired else "已恢复该方案")


@router.post("/profiles/{code}/retire", response_model=None)
async def profile_retire(request: Request, code: str, principal: User, db: Db) -> Response:
    return await _retire(request, code, principal, db, True)


@router.post("/profiles/{code}/restore", response_model=None)
async def profile_restore(request: Request, code: str, principal: User, db: Db) -> Response:
    return await _retire(request, code, principal, db, False)
