"""Helpers for server-rendered pages: rendering with the shell's context, reading forms, redirects."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from zhengwu.core.errors import Invalid
from zhengwu.web.deps import CSRF_FIELD, csrf_token, current_principal


def render(request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    ctx = {
        "principal": current_principal(request),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "notice": request.query_params.get("ok", "")[:200],
    }
    ctx.update(context or {})
    response: HTMLResponse = request.app.state.templates.TemplateResponse(request, template, ctx, status_code=status)
    return response


def redirect(url: str, notice: str | None = None) -> RedirectResponse:
    if notice:
        url += ("&" if "?" in url else "?") + "ok=" + quote(notice)
    return RedirectResponse(url, status_code=303)


def form_str(form: FormData, name: str) -> str:
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    if "\x00" in value:
        raise Invalid("输入中含有不可见的控制字符（NUL），请删除后重新提交。", field=name)
    return value.strip()


def form_int(form: FormData, name: str, label: str, *, required: bool = True) -> int | None:
    text = form_str(form, name)
    if not text:
        if required:
            raise Invalid(f"请填写{label}。", field=name)
        return None
    try:
        number = int(text)
    except ValueError:
        raise Invalid(f"{label}应为整数。", field=name) from None
    if not -MAX_INT <= number <= MAX_INT:
        raise Invalid(f"{label}超出范围。", field=name)
    return number


MAX_INT = 2_147_483_647


def form_ints(form: FormData, name: str, label: str) -> list[int]:
    out = []
    for v in form.getlist(name):
        if isinstance(v, str) and v.strip():
            try:
                out.append(int(v))
            except ValueError:
                raise Invalid(f"{label}无效。", field=name) from None
            if not 0 < out[-1] <= MAX_INT:
                raise Invalid(f"{label}无效。", field=name)
    return out


def form_bool(form: FormData, name: str) -> bool:
    return form_str(form, name) in ("1", "on", "true", "yes")


def safe_next(target: str | None) -> str:
    """Only same-site relative paths may be redirect targets after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"
