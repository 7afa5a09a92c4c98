"""Scaling out: two hosts' worth of processes (a gunicorn, an email worker and a counts
worker each, as bin/stack runs them) against one PostgreSQL, through PgBouncer in
transaction pooling, and one Redis. Signers sign on either host and confirm through the
other; at the end the count is exact on both and nobody got an email twice."""

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection

from signatures.models import Signature

from ..conftest import need
from ..processes import database_url, stop, wait_for
from ..smtp_server import SMTPServer
from .conftest import ROOT, free_port

pytestmark = pytest.mark.django_db(transaction=True)

SIGNERS = 120
CONFIRM = re.compile(r"http://[^/\s]+(/letters/[^/]+/confirm/[^/\s]+/)")


class PgBouncer:
    """PgBouncer in transaction pooling in front of the test database (bin/pgbouncer_config.py
    writes its configuration, as STACK_PGBOUNCER=1 does)."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
        self.folder.chmod(0o755)  # PgBouncer runs as postgres when we are root
        self.port = free_port()
        out = subprocess.run(
            [sys.executable, "bin/pgbouncer_config.py", database_url(), str(self.folder),
             str(self.port)],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
        self.url = out.stdout.strip()
        program = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        self.process = subprocess.Popen(
            [program, str(self.folder / "pgbouncer.ini")],
            user="postgres" if os.getuid() == 0 else None,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self._listening, timeout=20, what="pgbouncer")

    def _listening(self) -> bool:
        import socket

        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def stop(self) -> None:
        stop([self.process])
        shutil.rmtree(self.folder, ignore_errors=True)


def _pgbouncer_available() -> bool:
    return bool(shutil.which("pgbouncer") or Path("/usr/sbin/pgbouncer").exists())


@pytest.fixture
def two_hosts(redis_server, tmp_path, settings):
    need(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    need(_pgbouncer_available(), "pgbouncer (apt-get install pgbouncer)")
    need(shutil.which("gunicorn") or (ROOT / ".venv/bin/gunicorn").exists(), "gunicorn")
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    smtp = SMTPServer().start()
    bouncer = PgBouncer()
    processes, logs, hosts = [], [], []
    env = {
        **os.environ,
        "DATABASE_URL": bouncer.url,
        "DATABASE_POOLER": "pgbouncer",
        "CONN_MAX_AGE": "600",
        "REDIS_URL": redis_server.url,
        # One key for both hosts, as a deployment shares it (links made on one open on the other).
        "SECRET_KEY": "two-hosts-on-loopback-only-not-a-production-secret-0123456789abcdef",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_USE_TLS": "0",
        "SIGN_MIN_SECONDS": "0",
        "TRUSTED_PROXY_COUNT": "1",
        "COUNT_FOLD_SWEEP_SECONDS": "1",
        "EMAIL_SWEEP_SECONDS": "2",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    # DEBUG off serves static files from the manifest, which a clean checkout has not made.
    env["VAR_DIR"] = str(tmp_path / "var")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )

    def start(name: str, *command: str, **extra) -> None:
        log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115
        logs.append(log)
        processes.append(subprocess.Popen(
            command, cwd=ROOT, env={**env, **extra}, stdout=log, stderr=subprocess.STDOUT
        ))  # fmt: skip

    celery = [sys.executable, "-m", "celery", "-A", "config"]
    quiet = ["--without-gossip", "--without-mingle", "--loglevel", "INFO"]
    for host in ("a", "b"):
        port = free_port()
        site = f"http://127.0.0.1:{port}"
        start(
            f"web-{host}",
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            SITE_URL=site,
            CSRF_TRUSTED_ORIGINS=site,
        )
        start(
            f"email-{host}",
            *celery,
            "worker",
            "-Q",
            "celery",
            "--concurrency",
            "1",
            "-n",
            f"email-{host}@%h",
            *quiet,
            SITE_URL=site,
        )
        start(f"counts-{host}", *celery, "worker", "-Q", "counts", "--pool", "solo",
              "-n", f"counts-{host}@%h", *quiet, SITE_URL=site)  # fmt: skip
        hosts.append(site)
    start("beat", *celery, "beat", "--loglevel", "INFO", "--schedule", str(tmp_path / "beat"),
          SITE_URL=hosts[0])  # fmt: skip
    for site in hosts:
        wait_for(lambda site=site: _get(site, "/healthz")[0] == 200, timeout=60, what=site)
    yield hosts, smtp
    stop(processes)
    for log in logs:
        log.close()
    bouncer.stop()
    smtp.stop()


def _get(site: str, path: str) -> tuple[int, bytes]:
    parts = urlsplit(site)
    try:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    except OSError:
        return 0, b""


def _sign(site: str, n: int) -> int:
    parts = urlsplit(site)
    status, body = _get(site, "/csrf/")
    started = json.loads(body)["started"] if status == 200 else ""
    form = (
        f"name=Host+Signer+{n}&email=host-{n}%40example.org&profession=illustrator"
        f"&country=GB&show_name=on&started={started}"
    )
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request(
        "POST",
        "/letters/ai-training/sign/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Sec-Fetch-Site": "same-origin",
            "X-Forwarded-For": f"198.18.{n // 250}.{n % 250 + 1}",
        },
    )
    return conn.getresponse().status


def _count(site: str) -> int:
    status, body = _get(site, "/api/letters/ai-training/count")
    return json.loads(body)["signatures"] if status == 200 else -1


def test_two_hosts_through_pgbouncer_count_exactly_and_send_each_email_once(two_hosts):
    hosts, smtp = two_hosts
    before = _count(hosts[0])
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda n: _sign(hosts[n % 2], n), range(SIGNERS)))
    assert statuses == [303] * SIGNERS
    wait_for(lambda: len(smtp.handler.received) >= SIGNERS, timeout=120, what="every email")
    # Each signer confirms through the other host than the one they signed on.
    links = []
    for message in list(smtp.handler.received):
        text = message.get_body(preferencelist=("plain",)).get_content()
        links.append(CONFIRM.search(text).group(1))
    with ThreadPoolExecutor(max_workers=8) as pool:
        done = list(pool.map(lambda i: _get(hosts[(i + 1) % 2], links[i])[0], range(len(links))))
    assert done == [200] * len(links)
    total = before + SIGNERS
    for site in hosts:
        wait_for(lambda site=site: _count(site) == total, timeout=30, what=f"the count on {site}")
    assert Signature.objects.counted().filter(email__startswith="host-").count() == SIGNERS
    recipients = smtp.handler.recipients()
    time.sleep(3)  # a sweep or a second worker that would send again has had its chance
    assert len(smtp.handler.recipients()) == len(recipients) == SIGNERS  # nobody twice
    assert len(set(recipients)) == SIGNERS
