"""Browser tests: the real app served by uvicorn on a free local port, driven by Playwright through Debian's Chromium.

No browser is ever downloaded: Playwright launches ``/usr/bin/chromium``. Without it these tests are skipped, unless
``ZHENGWU_BROWSER_TESTS=1`` (as in CI), where a missing Chromium is a failure. They run on SQLite only.

Each test module gets its own server on a fresh copy of the seeded database and its own browser; each test gets
fresh browser contexts (cookie jars), so tests share no session. Tests that write use their own codes and names.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright

from tests.conftest import PASSWORD
from tests.support.live_server import serve
from zhengwu.core.db import Database
from zhengwu.core.settings import Settings
from zhengwu.web.app import create_app

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
REQUIRED = os.environ.get("ZHENGWU_BROWSER_TESTS", "") not in ("", "0")
# --disable-background-networking and friends: Chromium would otherwise try to reach Google on a closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Generous upper limits for waiting, never expectations of speed.
WAIT_LIMIT_MS = 15_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in this directory ``browser``; skip them all when Chromium is absent and not required.

    Under pytest-xdist (``--dist loadgroup``) each module's tests form one group, run by one worker, so its server and
    its Chromium start once. Each worker's servers listen on ports the system picks, so workers never collide.
    """
    parallel = config.pluginmanager.hasplugin("xdist")
    skip = None
    if not CHROMIUM.exists() and not REQUIRED:
        skip = pytest.mark.skip(
            reason=f"未找到 {CHROMIUM}（Debian 软件包 chromium），跳过浏览器测试；"
            "设置 ZHENGWU_BROWSER_TESTS=1 则必须运行"
        )
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)
            if parallel:
                item.add_marker(pytest.mark.xdist_group(f"browser-{item.path.stem}"))
            if skip is not None:
                item.add_marker(skip)


@pytest.fixture(scope="module")
def server_url(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app under uvicorn in a background thread, on a fresh copy of the seeded SQLite database."""
    target = tmp_path_factory.mktemp("browser") / "zhengwu.db"
    shutil.copy(sqlite_template, target)
    database_url = f"sqlite:///{target}"
    settings = Settings(database_url=database_url, secret_key="browser-test-secret", _env_file=None)
    db = Database(database_url)
    try:
        with serve(create_app(settings, db), "browser-test-server") as port:
            yield f"http://127.0.0.1:{port}"
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"ZHENGWU_BROWSER_TESTS={os.environ.get('ZHENGWU_BROWSER_TESTS')} 但未找到 {CHROMIUM}")
    expect.set_options(timeout=WAIT_LIMIT_MS)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


NewContext = Callable[[], BrowserContext]


@pytest.fixture
def new_context(browser: Browser, server_url: str) -> Iterator[NewContext]:
    """Open a fresh browser context (its own cookies, like another person's browser); all are closed afterwards."""
    opened: list[BrowserContext] = []

    def make() -> BrowserContext:
        context = browser.new_context(base_url=server_url, locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(WAIT_LIMIT_MS)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


@pytest.fixture
def page(new_context: NewContext) -> Page:
    return new_context().new_page()


def log_in(page: Page, username: str, password: str = PASSWORD) -> Page:
    """Log in through the login form and wait for the home page."""
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的待办")).to_be_visible()
    return page


def choose_unit(select: Locator, name: str) -> str:
    """Select the unit called ``name`` in a unit picker (its options are indented by depth); returns its id."""
    option = select.locator("option").filter(has_text=re.compile(rf"^\s*{re.escape(name)}$"))
    value = option.get_attribute("value")
    assert value, f"单位选择框中没有“{name}”"
    select.select_option(value)
    return value


def create_unit(page: Page, code: str, name: str, parent: str) -> str:
    """Create a unit through /admin/units/new as the logged-in user; returns the path of its edit page."""
    page.goto("/admin/units/new")
    page.get_by_label("单位编码").fill(code)
    page.get_by_label("单位名称").fill(name)
    page.get_by_label("单位类型").select_option(label="部门")
    choose_unit(page.get_by_label("上级单位"), parent)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_have_text("单位已创建")
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    path = urlsplit(page.url).path
    assert re.fullmatch(r"/admin/units/\d+", path), page.url
    return path
