"""The application under a real uvicorn server in a background thread, on a loopback port bound beforehand (so the
port is ours: no race for a "free" port). Used by the browser tests and by the Open311 client test.

The server says when it has started through an event rather than being polled: ``startup`` sets it, and so does the
thread's end (a server that failed to start), so the caller waits at most until one or the other.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn

STARTUP_LIMIT_S = 30.0


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.settled = threading.Event()  # started, or gave up

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.settled.set()


@contextmanager
def serve(app: Any, name: str) -> Iterator[int]:
    """Serve ``app`` on 127.0.0.1; yields the port once the server accepts connections, stops it afterwards."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _Server(uvicorn.Config(app, log_level="warning", access_log=False))

    def run() -> None:
        try:
            server.run(sockets=[sock])
        finally:
            server.settled.set()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    try:
        if not server.settled.wait(STARTUP_LIMIT_S) or not server.started:
            pytest.fail(f"测试服务器 {name} 未能启动")
        yield port
    finally:
        server.should_exit = True
        thread.join(STARTUP_LIMIT_S)
        sock.close()
    assert not thread.is_alive(), f"测试服务器 {name} 未能停止"
