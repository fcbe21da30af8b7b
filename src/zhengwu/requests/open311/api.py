"""Open311 GeoReport v2 routes under ``/open311/v2/``; the format is the path's extension (``.json``/``.xml``).

Errors are the spec's ``[{"code", "description"}]`` (XML ``<errors><error>``), never the platform's problem
documents, so the routes stay out of the OpenAPI schema (``include_in_schema=False``): they parse their own
arguments and turn every error into that format here.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import DataError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from zhengwu.core.errors import Forbidden, NotFound, ZhengwuError
from zhengwu.requests.open311 import service
from zhengwu.requests.open311.model import (
    FORMATS,
    Open311Error,
    discovery_doc,
    errors_doc,
    render,
)
from zhengwu.requests.open311.query import parse_query
from zhengwu.web.deps import Db

PREFIX = "/open311/v2"
#: The spec's discovery ``changeset``: bump it when the service definitions' shape changes.
CHANGESET = "2026-11-29T00:00:00Z"
MAX_BODY = 64 * 1024
MAX_ID = 2_147_483_647
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class MachineRoute(APIRoute):
    """A route for machine clients authenticated by an ``api_key`` in the form, never by our cookies.

    The double-submit CSRF check (``web.deps.check_csrf``) guards what a browser could send with a logged-in
    user's session cookie. ``POST requests`` ignores cookies altogether: it acts only as the user whose key is in
    the form, and a cross-site page cannot know that key. The check would only refuse every real Open311 client
    (none sends our CSRF token), so this route is exempt; a POST without a valid key gets the spec's 403.
    """

    csrf_exempt = True


router = APIRouter(prefix=PREFIX, tags=["Open311"], include_in_schema=False)


def _fmt(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Open311Error(404, f"不支持的格式“.{fmt[:10]}”，请用 .json 或 .xml。")
    return fmt


def _document(fmt: str, root: str, value: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(render(fmt, root, value), status_code=status, media_type=FORMATS[fmt], headers=headers)


def _error(fmt: str, error: Open311Error) -> Response:
    return _document(fmt if fmt in FORMATS else "json", "errors", errors_doc(error), error.code)


def _answer(fmt: str, build: Callable[[str], Response]) -> Response:
    """``build(fmt)``, or the spec's error document for whatever went wrong on the way."""
    try:
        return build(_fmt(fmt))
    except Open311Error as exc:
        return _error(fmt, exc)
    except ZhengwuError as exc:
        code = 403 if isinstance(exc, Forbidden) else 404 if isinstance(exc, NotFound) else 400
        return _error(fmt, Open311Error(code, exc.message))
    except DataError:
        return _error(fmt, Open311Error(400, "输入中含有无法处理的字符或超出范围的数值。"))


def _query(request: Request) -> dict[str, str]:
    """The query string, a repeated parameter joined with commas (the spec's "declared multiple times")."""
    out: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        out[key] = f"{out[key]},{value}" if key in out else value
    return out


@router.get("/discovery.{fmt}")
def discovery(fmt: str, request: Request) -> Response:
    url = str(request.base_url).rstrip("/") + PREFIX
    return _answer(fmt, lambda f: _document(f, "discovery", discovery_doc(url, CHANGESET)))


@router.get("/services.{fmt}")
def services(fmt: str, db: Db) -> Response:
    def build(f: str) -> Response:
        with db.reading() as session:
            return _document(f, "services", service.services(session))

    return _answer(fmt, build)


@router.get("/services/{service_code}.{fmt}")
def service_definition(service_code: str, fmt: str, db: Db) -> Response:
    def build(f: str) -> Response:
        with db.reading() as session:
            return _document(f, "service_definition", service.service_definition(session, service_code))

    return _answer(fmt, build)


@router.get("/requests.{fmt}")
def list_requests(fmt: str, request: Request, db: Db) -> Response:
    def build(f: str) -> Response:
        query = parse_query(_query(request), db.clock.now())
        with db.reading() as session:
            found, total = service.find_requests(session, query)
        return _document(f, "service_requests", found, headers={"X-Total-Count": str(total)})

    return _answer(fmt, build)


@router.get("/requests/{service_request_id}.{fmt}")
def get_request(service_request_id: str, fmt: str, db: Db) -> Response:
    def build(f: str) -> Response:
        rid = service_request_id
        if not (rid.isascii() and rid.isdigit()) or not 1 <= int(rid) <= MAX_ID:
            raise Open311Error(404, f"service_request_id：诉求“{rid[:20]}”不存在或不在公开范围内。")
        with db.reading() as session:
            return _document(f, "service_requests", [service.get_request(session, int(rid))])

    return _answer(fmt, build)


async def create_request(fmt: str, request: Request, db: Db) -> Response:
    """POST requests: form-encoded, ``api_key`` required; answers 201 with the new request's id and a notice."""
    try:
        _fmt(fmt)
        pairs = await _form(request)
        created = await run_in_threadpool(service.submit, db, pairs)
    except Open311Error as exc:
        return _error(fmt, exc)
    doc = [{"service_request_id": created.id, "service_notice": created.notice, "account_id": None}]
    return _document(fmt, "service_requests", doc, 201)


router.add_api_route("/requests.{fmt}", create_request, methods=["POST"], route_class_override=MachineRoute)


async def _form(request: Request) -> list[tuple[str, str]]:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(FORM_TYPES):
        raise Open311Error(400, "请以 application/x-www-form-urlencoded 表单提交（Open311 POST requests）。")
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        raise Open311Error(400, f"请求过大：表单不能超过 {MAX_BODY // 1024} KB（附件请用 media_url 给出链接）。")
    try:
        form = await request.form(max_files=0, max_fields=200)
    except Exception:  # a malformed multipart body, too many fields …
        raise Open311Error(400, "表单无法解析，请检查编码和格式。") from None
    pairs: list[tuple[str, str]] = []
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            raise Open311Error(400, f"{key}：不接受文件上传，请用 media_url 给出链接。")
        pairs.append((key, value))
    return pairs
