"""One edge handler turns errors into a Chinese HTML page or a JSON problem document."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from zhengwu.core.calendar.model import CalendarYearUnknown
from zhengwu.core.errors import Unauthenticated, ZhengwuError
from zhengwu.core.matters.model import InvalidTransition

log = logging.getLogger("zhengwu.web")

HTTP_TITLES = {
    400: "请求有误",
    401: "请先登录",
    403: "无权访问",
    404: "页面不存在",
    405: "不支持该操作",
    409: "数据冲突",
    413: "文件过大",
    422: "输入有误",
    429: "请求过于频繁",
    500: "系统内部错误",
}

FIELD_NAMES = {
    "body": "请求内容",
    "query": "查询参数",
    "path": "路径参数",
}

PYDANTIC_MESSAGES = {
    "missing": "必须填写",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为是/否",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "datetime_parsing": "应为日期时间",
    "string_too_long": "过长",
    "string_too_short": "过短",
    "greater_than_equal": "过小",
    "less_than_equal": "过大",
    "greater_than": "过小",
    "less_than": "过大",
    "enum": "不是可选值之一",
    "literal_error": "不是可选值之一",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "格式不正确",
    "dict_type": "应为对象",
    "list_type": "应为列表",
    "string_type": "应为文本",
    "extra_forbidden": "是未知字段",
}


def wants_html(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "*/*" in accept or not accept


def render_error(request: Request, status: int, message: str, field: str | None = None) -> Response:
    title = HTTP_TITLES.get(status, "出错了")
    if wants_html(request):
        templates = request.app.state.templates
        page: Response = templates.TemplateResponse(
            request,
            "error.html",
            {"status": status, "title": title, "message": message, "field": field},
            status_code=status,
        )
        return page
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": message}
    if field:
        body["field"] = field
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def validation_message(exc: RequestValidationError) -> tuple[str, str | None]:
    """A Chinese sentence naming the first bad field, and that field's name."""
    parts: list[str] = []
    first: str | None = None
    for err in exc.errors()[:5]:
        loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path", "form")]
        name = ".".join(loc) or FIELD_NAMES.get(str(err.get("loc", ("body",))[0]), "请求内容")
        first = first or name
        reason = PYDANTIC_MESSAGES.get(str(err.get("type")), "格式不正确")
        parts.append(f"字段“{name}”{reason}")
    return "；".join(parts) + "。", first


def install(app: FastAPI) -> None:
    @app.exception_handler(ZhengwuError)
    async def _domain(request: Request, exc: ZhengwuError) -> Response:
        if isinstance(exc, Unauthenticated) and wants_html(request) and request.method == "GET":
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        return render_error(request, exc.status, exc.message, exc.field)

    @app.exception_handler(InvalidTransition)
    async def _transition(request: Request, exc: InvalidTransition) -> Response:
        return render_error(request, 409, exc.message + "请刷新后查看事项的当前状态。", "action")

    @app.exception_handler(CalendarYearUnknown)
    async def _calendar(request: Request, exc: CalendarYearUnknown) -> Response:
        return render_error(request, 422, str(exc), "date")

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        message, field = validation_message(exc)
        return render_error(request, 422, message, field)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        message = {404: "您访问的页面或记录不存在。", 405: "不支持对该地址的这种操作。"}.get(
            exc.status_code, str(exc.detail)
        )
        return render_error(request, exc.status_code, message)

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> Response:
        # A safety net: values the database cannot store (a NUL character, an integer beyond its range) are bad
        # input, not a server fault. Validation at the edge normally catches them first, naming the field.
        log.warning("database refused a value on %s %s: %s", request.method, request.url.path, exc.orig)
        return render_error(request, 422, "输入中含有无法保存的字符或超出范围的数值，请检查后重新提交。")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return render_error(request, 500, "系统内部错误，已记录，请稍后重试或联系管理员。")
