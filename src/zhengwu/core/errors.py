"""The error hierarchy. Each error carries its HTTP status; one handler at the edge renders it in Chinese."""

from __future__ import annotations


class ZhengwuError(Exception):
    """Base of every error the platform reports to a user."""

    status = 400
    title = "请求有误"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(ZhengwuError):
    """Bad input; ``field`` names the offending field."""

    status = 422
    title = "输入有误"


class Unauthenticated(ZhengwuError):
    status = 401
    title = "请先登录"


class Forbidden(ZhengwuError):
    status = 403
    title = "无权访问"


class NotFound(ZhengwuError):
    status = 404
    title = "未找到"


class Conflict(ZhengwuError):
    """The record changed since the user loaded it (optimistic locking) or a uniqueness rule was broken."""

    status = 409
    title = "数据冲突"


class TooManyRequests(ZhengwuError):
    status = 429
    title = "请求过于频繁"
