"""The error document every JSON route returns (RFC 9457 ``application/problem+json``), for the OpenAPI docs.

The document itself is rendered by the one edge handler in ``zhengwu.web.errors``; these schemas describe it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Problem(BaseModel):
    """The error document of every failed request (``application/problem+json``)."""

    type: str = Field("about:blank", description="错误类型")
    title: str = Field(description="错误标题，如“输入有误”")
    status: int = Field(description="HTTP 状态码")
    detail: str = Field(description="面向用户的中文说明")
    field: str | None = Field(None, description="出错的字段名")


PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "未登录，或 API 令牌无效、已过期、已吊销"},
    403: {"model": Problem, "description": "没有所需权限、超出数据范围或 CSRF 校验失败"},
    404: {"model": Problem, "description": "记录不存在或不在您的数据范围内"},
    409: {"model": Problem, "description": "记录已被他人修改（版本号过期）或数据冲突"},
    422: {"model": Problem, "description": "输入有误，说明中指出出错的字段"},
}
