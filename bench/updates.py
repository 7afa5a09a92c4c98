"""An update to 100,000 consenting signers through the production-shaped stack.

    python bench/updates.py [--recipients 100000] [--port 8020] [--sign-rate 5]

Starts `bin/stack` on a fresh database (`undersigned_updates`) with SMTP pointed at a sink in
this process, seeds the recipients with COPY, and starts an update the way the owner's "Send
now" does. Meanwhile people keep signing (`--sign-rate` a second), so their confirmation
emails share the machine with the mail-out. Prints messages/s, the peak memory of the updates
worker, whether every recipient got exactly one copy, and the confirmation emails' send lag
(signing → the SMTP server has it) before and during the mail-out.

Updates are unpaced here (UPDATES_PER_MINUTE very high) to measure what the stack can do;
a real campaign sets the rate its mail provider allows.
"""

import argparse
import asyncio
import http.client
import itertools
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

import psycopg
from aiosmtpd.controller import Controller
from common import free_port
from run import ADMIN_URL, ROOT, csrf_pair, wait_healthy

# This file is bench/updates.py, and the project has a package `updates`: let the package win
# (Celery also puts the working directory on the path, hence the chdir).
HERE = Path(__file__).resolve().parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]
os.chdir(ROOT)
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-connection chatter

DB_NAME = "undersigned_updates"
REDIS_DB = 10
SIGN_PATH = "/letters/ai-training/sign/"
MESSAGE_ID = re.compile(rb"^Message-ID: *(\S+)", re.MULTILINE | re.IGNORECASE)
SUPERVISORCTL = [str(ROOT / ".venv/bin/supervisorctl"), "-c", str(ROOT / "var/supervisord.conf")]


class Sink:
    """An SMTP server that keeps only what the benchmark needs: who got which Message-ID,
    and when each confirmation (to a live signer) arrived."""

    def __init__(self):
        self.copies: Counter[str] = Counter()
        self.message_ids: dict[str, set[bytes]] = {}
        self.confirmations: dict[str, float] = {}
        self.first = self.last = 0.0

    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()
        for address in envelope.rcpt_tos:
            if address.startswith("live"):
                self.confirmations.setdefault(address, now)
                continue
            self.first = self.first or now
            self.last = now
            self.copies[address] += 1
            found = MESSAGE_ID.search(envelope.content)
            self.message_ids.setdefault(address, set()).add(found.group(1) if found else b"")
        await asyncio.sleep(0)
        return "250 OK"


def start_stack(port: int, smtp_port: int, database_url: str) -> subprocess.Popen:
    subprocess.run(["bash", str(ROOT / ".ci/services.sh")], check=True, capture_output=True)
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    subprocess.run(["redis-cli", "-n", str(REDIS_DB), "flushdb"], check=True, capture_output=True)
    env = {
        **os.environ,
        "PORT": str(port),
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "TRUSTED_PROXY_COUNT": "1",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "0",
        "UPDATES_PER_MINUTE": "100000000",
        "RATELIMIT_ENABLE": "0",
    }
    (ROOT / "var/log").mkdir(parents=True, exist_ok=True)
    with open(ROOT / "var/log/bench-updates.log", "w") as output:
        stack = subprocess.Popen(
            ["bash", str(ROOT / "bin/stack")],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    wait_healthy(f"http://127.0.0.1:{port}")
    return stack


def stop_stack(stack: subprocess.Popen) -> None:
    os.killpg(stack.pid, signal.SIGTERM)
    try:
        stack.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(stack.pid, signal.SIGKILL)


def seed(database_url: str, recipients: int) -> tuple[int, float]:
    """COPY `recipients` counted signatures who asked for updates onto the demo letter."""
    started = time.perf_counter()
    with psycopg.connect(database_url) as conn:
        letter_id, profession_id = conn.execute(
            "SELECT l.id, p.id FROM petition_letter l JOIN petition_profession p "
            "ON p.letter_id = l.id WHERE l.slug = 'ai-training' ORDER BY p.id LIMIT 1"
        ).fetchone()
        columns = (
            "letter_id, name, name_search, email, email_key, profession_id, role, country, "
            "link, show_name, language, updates, updates_changed_at, state, approved, notable, "
            "notable_verified, signed_at, confirmed_at, details_version, suspicion, email_kind, "
            "emails_sent, email_failure, email_incidents, removed_reason, ip_hash, user_agent"
        )
        with conn.cursor().copy(f"COPY signatures_signature ({columns}) FROM STDIN") as copy:
            for n in range(recipients):
                name = f"Reader {n}"
                language = "ar" if n % 4 == 0 else "en"
                copy.write_row(
                    (letter_id, name, name.lower(), f"reader{n}@example.org",
                     f"reader{n}@example.org", profession_id, "", "", "", True, language,
                     True, "now", "confirmed", True, False, False, "now", "now", 1, "",
                     "", 1, "", 0, "", "", "")
                )  # fmt: skip
        conn.execute("ANALYZE signatures_signature")
    return letter_id, time.perf_counter() - started


def start_update(database_url: str, redis_url: str) -> float:
    """What the owner's "Send now" does, from a Django of our own on the stack's database."""
    os.environ.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY="stack-on-loopback-only-not-a-production-secret-0123456789",
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    import django

    django.setup()
    from petition.models import Letter
    from updates import writing

    update = writing.update_save(
        letter=Letter.objects.get(slug="ai-training"),
        actor=None,
        texts={
            "en": ("The consultation answered", "The government **replied** today.\n\n" * 5),
            "ar": ("ردّت الاستشارة", "ردّت الحكومة **اليوم**.\n\n" * 5),
        },
        public=False,
    )
    began = time.perf_counter()
    writing.update_send_now(update=update, actor=None)
    return time.perf_counter() - began


class Signing(threading.Thread):
    """People signing throughout, at `rate` a second; remembers when each one signed."""

    def __init__(self, base: str, rate: float):
        super().__init__(daemon=True)
        self.base, self.rate = base, rate
        self.signed: dict[str, float] = {}
        self.stopped = threading.Event()
        self.numbers = itertools.count()

    def run(self) -> None:
        token, cookie = csrf_pair(self.base)
        port = urllib.parse.urlsplit(self.base).port
        began = time.monotonic()
        while not self.stopped.is_set():
            n = next(self.numbers)
            time.sleep(max(0.0, began + n / self.rate - time.monotonic()))
            address = f"live{n}@example.net"
            body = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "name": f"Live Signer {n}",
                    "email": address,
                    "profession": "illustrator",
                    "show_name": "on",
                }
            )
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie}",
                "X-Forwarded-For": f"198.18.{(n >> 8) & 255}.{n & 255}",
            }
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                sent = time.monotonic()
                connection.request("POST", SIGN_PATH, body, headers)
                if connection.getresponse().status == 303:
                    self.signed[address] = sent
            except OSError:
                pass
            finally:
                connection.close()


def lag_summary(signing: Signing, sink: Sink, since: float, until: float) -> str:
    lags = sorted(
        sink.confirmations[a] - t
        for a, t in signing.signed.items()
        if since <= t < until and a in sink.confirmations
    )
    asked = sum(1 for t in signing.signed.values() if since <= t < until)
    if not lags:
        return f"n=0 of {asked}"
    p = lambda q: lags[min(len(lags) - 1, round(q * (len(lags) - 1)))]  # noqa: E731
    return (
        f"n={len(lags)} of {asked}, p50 {p(0.5):.2f} s, p99 {p(0.99):.2f} s, max {lags[-1]:.2f} s"
    )


def peak_memory_mib(program: str) -> float | None:
    found = subprocess.run([*SUPERVISORCTL, "pid", program], capture_output=True, text=True)
    try:
        status = Path(f"/proc/{int(found.stdout.strip())}/status").read_text()
    except (ValueError, OSError):
        return None
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=8020)
    parser.add_argument("--sign-rate", type=float, default=5.0)
    parser.add_argument("--before", type=float, default=20.0, help="seconds of signing first")
    args = parser.parse_args()

    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    database_url = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
    base = f"http://127.0.0.1:{args.port}"
    stack = start_stack(args.port, smtp_port, database_url)
    try:
        _letter, seconds = seed(database_url, args.recipients)
        print(f"seeded {args.recipients:,} consenting signers with COPY in {seconds:.1f} s")
        signing = Signing(base, args.sign_rate)
        signing.start()
        time.sleep(args.before)
        started = time.monotonic()
        start_seconds = start_update(database_url, f"redis://127.0.0.1:6379/{REDIS_DB}")
        print(f"started: recipients snapshotted in {start_seconds:.2f} s")
        deadline = started + 3600
        while len(sink.copies) < args.recipients and time.monotonic() < deadline:
            time.sleep(1)
            done = len(sink.copies)
            rate = done / max(1e-9, time.monotonic() - started)
            print(f"  {done:>7,} / {args.recipients:,}  {rate:6.0f} messages/s", end="\r")
        finished = time.monotonic()
        time.sleep(3)  # a re-send would arrive now
        signing.stopped.set()
        signing.join(timeout=15)
        time.sleep(5)  # the last confirmations
        print()
        elapsed = sink.last - started
        duplicates = sum(n - 1 for n in sink.copies.values())
        mixed = sum(1 for ids in sink.message_ids.values() if len(ids) > 1)
        print(f"recipients reached:   {len(sink.copies):,} of {args.recipients:,}")
        print(f"copies beyond one:    {duplicates} (distinct Message-IDs beyond one: {mixed})")
        print(
            f"mail-out:             {elapsed:.1f} s, {len(sink.copies) / elapsed:,.0f} messages/s"
        )
        memory = peak_memory_mib("updates")
        print(f"updates worker peak:  {memory:.0f} MiB RSS (VmHWM)" if memory else "peak: n/a")
        print(f"confirmations before: {lag_summary(signing, sink, 0, started)}")
        print(f"confirmations during: {lag_summary(signing, sink, started, finished)}")
    finally:
        stop_stack(stack)
        controller.stop()


if __name__ == "__main__":
    main()
