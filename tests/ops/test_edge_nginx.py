"""The edge (bin/nginx.conf.template, a real nginx) never shows a count older than a few
seconds once the site is idle again: after a quiet spell, the first watcher gets the count
as it is, not the one cached before the spell."""

import http.server
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from ..conftest import need
from ..layout import ROOT


class Origin(http.server.ThreadingHTTPServer):
    count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        body = json.dumps({"signatures": self.server.count, "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if not self.path.startswith("/api/"):  # a page: shared as Django shares one
            self.send_header("Cache-Control", "public, max-age=0, s-maxage=60")
            self.send_header("Vary", "Accept-Language")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def edge(tmp_path: Path):
    need(shutil.which("nginx") is not None, "nginx")
    origin = Origin(("127.0.0.1", 0), Handler)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    upstream = f"127.0.0.1:{origin.server_address[1]}"
    port = _free_port()
    config = (ROOT / "bin" / "nginx.conf.template").read_text()
    for placeholder, value in {
        "@PORT@": str(port),
        "@UPSTREAM@": upstream,
        "@WATCHERS@": upstream,
        "@VAR@": str(tmp_path),
        "@USER@": "user root root;" if os.getuid() == 0 else "",
    }.items():
        config = config.replace(placeholder, value)
    (tmp_path / "nginx.conf").write_text(config)
    process = subprocess.Popen(
        ["nginx", "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/api/letters/demo/count"
    for _ in range(50):
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback only
                break
        except OSError:
            time.sleep(0.1)
    time.sleep(2.1)  # the warm-up's entry expires
    yield origin, url
    process.terminate()
    process.wait(timeout=10)
    process.stderr.close()
    origin.shutdown()
    origin.server_close()


def _count(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
        return json.loads(response.read())["signatures"], response.headers.get("X-Cache", "")


def test_after_a_quiet_spell_the_first_watcher_gets_the_count_as_it_is(edge):
    origin, url = edge
    origin.count = 6
    assert _count(url)[0] == 6
    origin.count = 9499
    time.sleep(3)  # quiet: the cached 6 expires and nobody asks
    count, cache = _count(url)
    assert (count, cache) == (9499, "EXPIRED")  # fetched for this watcher, not a stale 6


def test_while_watchers_keep_asking_the_count_is_at_most_a_few_seconds_old(edge):
    origin, url = edge
    origin.count = 1
    _count(url)
    origin.count = 2
    deadline = time.monotonic() + 2.5
    seen = 1
    while time.monotonic() < deadline and seen != 2:
        seen = _count(url)[0]
        time.sleep(0.05)
    assert seen == 2


def _get(url: str, **headers) -> tuple[dict, str]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback only
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback only
        return json.loads(response.read()), response.headers.get("X-Cache", "")


def test_each_language_url_of_the_embedded_form_is_its_own_shared_page(edge):
    origin, url = edge
    base = url.replace("/api/letters/demo/count", "/letters/demo/embed/form/")
    origin.count = 1
    assert _get(base + "?lang=ar")[1] == "MISS"
    origin.count = 2
    arabic, cache = _get(base + "?lang=ar")
    assert (arabic["signatures"], cache) == (1, "HIT")  # kept for everyone without a cookie
    french, cache = _get(base + "?lang=fr")
    assert (french["path"], french["signatures"], cache) == (
        "/letters/demo/embed/form/?lang=fr",
        2,
        "MISS",
    )
    # A browser with one of the site's cookies gets its own page, never the shared one.
    assert _get(base + "?lang=ar", Cookie="csrftoken=x")[1] == "BYPASS"
