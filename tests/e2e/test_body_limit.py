"""Oversized request bodies are refused with 413 in Chinese before anything reads them (web/limits.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import csrf
from zhengwu.core.settings import Settings
from zhengwu.web.app import create_app

MB = 1024 * 1024


@pytest.fixture
def small_client(settings: Settings) -> TestClient:
    """Limits small enough to test: 1 MB in general; the public form 2 × 64 KB files + the 1 MB margin."""
    tight = settings.model_copy(
        update={"max_request_bytes": 1 * MB, "attachment_max_bytes": 64 * 1024, "attachment_max_files": 2}
    )
    return TestClient(create_app(tight))


def test_a_body_declared_over_the_limit_gets_413_in_chinese_for_pages_and_api(small_client: TestClient) -> None:
    page = small_client.post("/login", content=b"x" * (MB + 1), headers={"Content-Type": "text/plain"})
    assert page.status_code == 413
    assert "提交的内容过大" in page.text
    api = small_client.post("/api/v1/units", content=b"x" * (MB + 1), headers={"Content-Type": "application/json"})
    assert api.status_code == 413
    assert api.json()["status"] == 413
    assert "过大" in api.json()["detail"]


def test_the_public_form_has_its_own_smaller_limit(small_client: TestClient) -> None:
    body = b"x" * (MB + 200 * 1024)  # over the public 1.125 MB
    response = small_client.post("/public/requests/new", content=body, headers={"Content-Type": "text/plain"})
    assert response.status_code == 413
    small = small_client.post("/login", content=b"x" * 1000, headers={"Content-Type": "text/plain"})
    assert small.status_code != 413


def test_a_chunked_body_is_stopped_once_it_passes_the_limit(small_client: TestClient) -> None:
    small_client.get("/login")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the middleware counts what arrives
        for _ in range(40):
            yield b"y" * (64 * 1024)

    response = small_client.post(
        "/login",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": csrf(small_client)},
    )
    assert response.status_code == 413
