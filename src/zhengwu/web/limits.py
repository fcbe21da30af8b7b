"""Refuse request bodies over a size limit before anything reads them.

Starlette spools a multipart body to disk while parsing it, and the CSRF check parses forms before any route runs,
so a size check inside a route comes too late: an oversized upload would already sit on disk. This ASGI middleware
answers 413 as soon as the declared ``Content-Length`` is over the limit, and stops a body sent without one (chunked)
as soon as the bytes received pass it. The public form (paths under ``/public/``) gets its own, smaller limit:
its files plus a margin for the text fields.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Room for a form's text fields and multipart framing on top of its files.
FORM_MARGIN = 1024 * 1024
PUBLIC_PREFIX = "/public/"


class TooLarge(Exception):
    """The body passed the limit while it was being received."""


def public_limit(max_file_bytes: int, max_files: int) -> int:
    """The body limit of a public form: every allowed file at its largest, plus a margin.

    >>> public_limit(5 * 1024 * 1024, 5)
    27262976
    """
    return max_file_bytes * max_files + FORM_MARGIN


def limit_for(path: str, general: int, public: int) -> int:
    """Which limit applies to a path.

    >>> limit_for("/public/requests/new", 100, 10), limit_for("/requests/new", 100, 10)
    (10, 100)
    """
    return public if path.startswith(PUBLIC_PREFIX) else general


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, general: int, public: int) -> None:
        self.app, self.general, self.public = app, general, public

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope.get("path", ""), self.general, self.public)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, send, limit)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except* TooLarge:  # may arrive wrapped in an ExceptionGroup by a BaseHTTPMiddleware's task group
            if not started:
                await _refuse(scope, send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    """413 in Chinese: JSON for the API, a short page otherwise."""
    megabytes = f"{limit / (1024 * 1024):.0f} MB"
    message = f"提交的内容过大（上限约 {megabytes}），请压缩或减少附件后重试。"
    path = scope.get("path", "")
    body: Any
    if path.startswith("/api/"):
        body = json.dumps(
            {"type": "about:blank", "title": "文件过大", "status": 413, "detail": message, "field": "body"},
            ensure_ascii=False,
        ).encode()
        content_type = b"application/problem+json"
    else:
        body = (
            '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>文件过大</title>'
            f"<h1>文件过大</h1><p>{message}</p></html>"
        ).encode()
        content_type = b"text/html; charset=utf-8"
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
