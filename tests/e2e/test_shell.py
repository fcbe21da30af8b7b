"""The web shell works offline: every asset is served by the app, and the API docs render from local files."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import login


def _asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)=["\']([^"\']+\.(?:js|css|svg|png))', html) + re.findall(
        r'(?:url|swagger_js_url|swagger_css_url)\s*[:=]\s*["\']([^"\']+)', html
    )


def test_pages_reference_only_assets_served_by_the_app(app_client: TestClient) -> None:
    login(app_client, "admin")
    for page in ("/", "/admin/units", "/login", "/docs"):
        html = app_client.get(page).text
        for url in _asset_urls(html):
            assert not url.startswith(("http:", "https:", "//")), f"{page} loads {url} from elsewhere"
            if url.startswith("/static/"):
                assert app_client.get(url).status_code == 200, url


def test_the_api_docs_use_a_swagger_ui_that_reads_openapi_3_1(app_client: TestClient) -> None:
    spec = app_client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert "/static/swagger/swagger-ui-bundle.js" in app_client.get("/docs").text
    bundle = app_client.get("/static/swagger/swagger-ui-bundle.js").text
    assert "isOAS31" in bundle  # Swagger UI 5 knows OpenAPI 3.1; version 4 shows "Unable to render this definition"


def test_unknown_pages_get_a_chinese_404_page(app_client: TestClient) -> None:
    r = app_client.get("/no/such/page", headers={"accept": "text/html"})
    assert r.status_code == 404 and "页面不存在" in r.text


def test_api_errors_are_chinese_problem_documents(app_client: TestClient) -> None:
    r = app_client.get("/api/v1/me")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"] == "请先登录。"
