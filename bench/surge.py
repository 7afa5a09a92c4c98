"""Launch-day surge: signers arrive at a fixed rate and each confirms when the email comes.

    python bench/surge.py [--rate 60] [--duration 180] [--port 8400] [--no-watchers]
    python bench/surge.py --find [--start-rate 10] [--rate-step 10] [--step-seconds 60]

It starts `bin/stack` as bench/run.py does, on a fresh PostgreSQL database
(`undersigned_surge`) and a Redis database of its own (db 11, emptied), with email going over
SMTP to a sink in this process (aiosmtpd, as tests/smtp_server.py runs one), so each email is
timed when a mail server accepted it. After one warm-up signer has been emailed and
confirmed, for --duration seconds:
  - signers arrive at --rate a second, open loop: the i-th POSTs the sign form at
    t0 + i / rate however slow the answers are (a pool of --max-inflight threads, a new
    connection each), and its figures count from that planned moment, so a load generator
    falling behind shows a slow stack instead of hiding it. Each has an address and an
    X-Forwarded-For of its own (198.18.0.0/15, the benchmarking range), and sends what a
    browser does after GET /csrf/: the CSRF cookie and token, the form timestamp (older than
    SIGN_MIN_SECONDS, so no signing is suspected) and Sec-Fetch-Site: same-origin;
  - each signer confirms as soon as their email arrives: the sink hands the message's link
    to a pool that GETs it through nginx;
  - watchers as in `make bench` (wrk GETting the count API and the letter page through
    nginx), unless --no-watchers; and this process polls the count at the origin and at the
    edge, to time confirm → visible (bench/run.py's CountWatcher and lags).
Then it drains (every sign answered, no email due in the database, every link followed, the
public count caught up) and checks that the count equals the counted rows exactly, that it
rose by exactly the confirmations made, and that no address got a second email.

--find steps the rate on one stack (--start-rate, then + --rate-step, --step-seconds each,
each step drained before the next) until a step misses: sign → email p99 over --slo seconds,
a sign answered other than 303, an email missing or sent twice. The fastest step that held
is the sustained signers/s; a table of every step ends the report.

Sign POST latency runs from the planned arrival to the answer; sign → email from the planned
arrival to the sink accepting the message, drain included (an email that waits out the load
still counts); "missing" is a 303 whose address had no email at the end of the drain.
Stack, sink, signers and watchers share this machine's cores, and so does anything else
running: the CPU line gives the whole machine's busy cores beside the stack's roles.
With VAR_DIR set (say VAR_DIR=/tmp/surge-var), bin/stack keeps its sockets, configuration and
logs there, so the benchmark can run beside `make stack` or another benchmark in the same
checkout (on another --port). Traffic goes to 127.0.0.1 only.
"""

import argparse
import email
import email.policy
import http.client
import itertools
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import psycopg
from aiosmtpd.controller import Controller
from common import percentile
from run import (
    ADMIN_URL,
    COUNT_PATH,
    LINK,
    PACED_LUA,
    ROLES,
    ROOT,
    CountWatcher,
    count,
    cpu_seconds_by_role,
    lags,
    origin_count_body,
    paced,
    parse_wrk,
    wait_healthy,
    wrk,
)

DB_NAME = "undersigned_surge"  # not run.py's, faults.py's or updates.py's
REDIS_DB = 11  # faults.py has 9, updates.py 10
SLUG = "ai-training"
SIGN_PATH = f"/letters/{SLUG}/sign/"
VAR = ROOT / (os.environ.get("VAR_DIR") or "var")  # where bin/stack writes while it runs
SUPERVISORCTL = [str(ROOT / ".venv/bin/supervisorctl"), "-c", str(VAR / "supervisord.conf")]
NO_ANSWER = (OSError, http.client.HTTPException)
ROLES.append(("load: signers, SMTP sink, confirmer", ("bench/surge.py",)))
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-connection chatter


@dataclass
class Signer:
    """One person: when they were due, what the sign POST answered, what their inbox got."""

    address: str
    planned: float  # time.monotonic() of the arrival
    started: float = 0.0  # when a thread sent the POST (after `planned` if the pool lagged)
    status: str = ""  # "303", another HTTP status, or the exception that answered instead
    answered: float = 0.0
    emailed: float = 0.0  # time.monotonic() the sink accepted the first message
    copies: int = 0  # messages the sink accepted for this address
    confirmed: float = 0.0  # time.time() the confirm link answered 200 (run.lags is wall-clock)
    link_failed: bool = False  # no link in the email, or the link never answered 200


@dataclass
class Step:
    """Signers arriving at `rate` a second for `seconds`, and what the stack made of them."""

    rate: float
    seconds: float
    prefix: str  # of every address in the step (no "_" or "%": it is a LIKE pattern)
    signers: list[Signer] = field(default_factory=list)
    start_total: int = 0  # the public count before the step
    final_total: int = 0  # the public count after the drain
    rows: dict = field(default_factory=dict)  # the step's rows, from the database
    counted: int = 0  # rows that count on the letter, all steps and the demo's
    drained: bool = False
    drain_seconds: float = 0.0  # from the last arrival until drained
    watchers: dict = field(default_factory=dict)  # wrk's figures, by name
    cpu: dict = field(default_factory=dict)  # cores used by role, during the arrivals
    edge_lag: dict = field(default_factory=dict)
    origin_lag: dict = field(default_factory=dict)


class Crowd:
    """The signers, the pool that sends their POSTs and the pool that follows their links."""

    def __init__(self, port: int, form: dict, headers: dict, *, max_inflight: int, timeout: int):
        self.port, self.form, self.headers, self.timeout = port, form, headers, timeout
        self.by_address: dict[str, Signer] = {}
        self.numbers = itertools.count()  # across steps: every address and client is new
        self.signing = ThreadPoolExecutor(max_inflight, thread_name_prefix="signer")
        self.confirming = ThreadPoolExecutor(16, thread_name_prefix="confirmer")
        self.lock = threading.Lock()
        self.links_in_flight = 0
        self.strays = 0  # messages to addresses no signer has (none expected)

    # Arrivals --------------------------------------------------------------------------------

    def arrive(self, step: Step) -> list:
        """Start every arrival of the step at its planned moment; returns the POSTs' futures."""
        futures = []
        t0 = time.monotonic()
        for i in range(round(step.rate * step.seconds)):
            planned = t0 + i / step.rate
            time.sleep(max(0.0, planned - time.monotonic()))
            n = next(self.numbers)
            signer = Signer(f"{step.prefix}{n}@example.org", planned)
            self.by_address[signer.address] = signer
            step.signers.append(signer)
            futures.append(self.signing.submit(self._sign, signer, n))
        return futures

    def _sign(self, signer: Signer, n: int) -> None:
        body = urllib.parse.urlencode(
            {**self.form, "name": f"Surge Signer {n}", "email": signer.address}
        )
        # A client address per signer, so the per-address limits apply to each on its own.
        forwarded = f"198.{18 + (n >> 16) % 2}.{(n >> 8) & 255}.{n & 255}"
        signer.started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(
                "POST", SIGN_PATH, body, {**self.headers, "X-Forwarded-For": forwarded}
            )
            response = connection.getresponse()
            response.read()
            signer.status = str(response.status)
        except NO_ANSWER as exc:
            signer.status = type(exc).__name__
        finally:
            signer.answered = time.monotonic()
            connection.close()

    # Inboxes ---------------------------------------------------------------------------------

    def delivered(self, address: str, link: str | None, at: float) -> None:
        """The sink accepted a message for `address`: its signer confirms from the first one."""
        signer = self.by_address.get(address)
        with self.lock:
            if signer is None:
                self.strays += 1
                return
            signer.copies += 1
            if signer.copies > 1:
                return
            signer.emailed = at
            if not link:
                signer.link_failed = True
                return
            self.links_in_flight += 1
        self.confirming.submit(self._confirm, signer, link)

    def _confirm(self, signer: Signer, link: str) -> None:
        """GET the link as the person's browser would; again for 30 s on no answer or a 5xx."""
        deadline = time.monotonic() + 30
        try:
            while True:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                try:
                    connection.request("GET", link)
                    response = connection.getresponse()
                    response.read()
                    if response.status == 200:
                        signer.confirmed = time.time()
                        return
                    if response.status < 500:
                        break
                except NO_ANSWER:
                    pass
                finally:
                    connection.close()
                if time.monotonic() > deadline:
                    break
                time.sleep(1)
            signer.link_failed = True
        finally:
            with self.lock:
                self.links_in_flight -= 1

    def idle(self) -> bool:
        with self.lock:
            return self.links_in_flight == 0


class Sink:
    """The mail server (an aiosmtpd handler): accepts everything, at once."""

    def __init__(self, crowd: Crowd):
        self.crowd = crowd

    async def handle_DATA(self, server, session, envelope):
        at = time.monotonic()
        link = confirm_link(envelope.content)
        for address in envelope.rcpt_tos:
            self.crowd.delivered(address.lower(), link, at)
        return "250 OK"


def confirm_link(content: bytes) -> str | None:
    """The confirm link's path: found in the raw message (the text part is sent as 8-bit
    UTF-8), or else in its decoded text part."""
    match = LINK.search(content)
    if not match:
        message = email.message_from_bytes(content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        match = LINK.search(body.get_content().encode()) if body else None
    return match.group(1).decode() if match else None


# The stack ------------------------------------------------------------------------------------


def start_stack(port: int, smtp_port: int, database_url: str, log_path: str) -> subprocess.Popen:
    """bin/stack as bench/run.py starts it, with SMTP to the sink on `smtp_port`."""
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
        # The signer's own X-Forwarded-For entry; bin/stack trusts one more hop, nginx's.
        "TRUSTED_PROXY_COUNT": "1",
        # config/settings.py: SMTP when EMAIL_HOST is set (TLS unless told not to).
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "0",
        "LOG_LEVEL": "WARNING",
    }
    for name in ("EMAIL_PROVIDER", "EMAIL_BACKEND", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"):
        env.pop(name, None)  # any of them would send the mail somewhere else
    with open(log_path, "w") as output:
        stack = subprocess.Popen(
            ["bash", str(ROOT / "bin/stack")],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_healthy(f"http://127.0.0.1:{port}")
        # /healthz answers once gunicorn does; the workers may still be starting.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status = subprocess.run(SUPERVISORCTL + ["status"], capture_output=True, text=True)
            states = [(line.split() + [""])[1] for line in status.stdout.splitlines() if line]
            if states and all(state == "RUNNING" for state in states):
                return stack
            time.sleep(0.5)
        raise SystemExit(f"the stack's processes did not all start:\n{status.stdout}")
    except BaseException:
        stop_stack(stack)
        raise


def stop_stack(stack: subprocess.Popen) -> None:
    os.killpg(stack.pid, signal.SIGTERM)  # supervisord stops every program
    try:
        stack.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(stack.pid, signal.SIGKILL)
        stack.wait()


def browser_form(port: int) -> tuple[dict, dict]:
    """The sign form's fields and headers as a browser sends them once static/js/csrf.js has
    fetched GET /csrf/ (a token, its cookie and a form timestamp of its own); shared by every
    signer (nothing checks that a timestamp is used once)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/csrf/")
    response = connection.getresponse()
    answer = json.loads(response.read())
    cookie = next(
        value.split(";", 1)[0].split("=", 1)[1]
        for name, value in response.getheaders()
        if name.lower() == "set-cookie" and value.startswith("csrftoken=")
    )
    connection.close()
    base = f"http://127.0.0.1:{port}"
    form = {
        "csrfmiddlewaretoken": answer["token"],
        "started": answer["started"],
        "profession": "illustrator",
        "country": "GB",
        "show_name": "on",
    }
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookie}",
        "Origin": base,
        "Sec-Fetch-Site": "same-origin",
        "User-Agent": "undersigned-bench-surge",
    }
    return form, headers


MACHINE = "whole machine"  # beside the roles: kernel time and every process, matched or not


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy since boot (all but idle and iowait), from
    /proc/stat: the roles leave out the kernel's share (loopback networking) and any process
    that did not live through both samples."""
    with open("/proc/stat") as stat:
        fields = [int(n) for n in stat.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def public_count(base: str) -> int | None:
    """The count API's total through the edge, or None while it does not answer."""
    try:
        return count(base)
    except (OSError, ValueError):
        return None


def rows(database_url: str, prefix: str) -> dict:
    """The step's signature rows, and the letter's counted rows (the demo's included)."""
    with psycopg.connect(database_url) as conn:
        stored, due, confirmed, suspected = conn.execute(
            "SELECT count(*), count(email_requested_at), "
            "count(*) FILTER (WHERE state = 'confirmed'), count(*) FILTER (WHERE suspicion <> '') "
            "FROM signatures_signature WHERE email LIKE %s",
            [prefix + "%"],
        ).fetchone()
        counted = conn.execute(
            "SELECT count(*) FROM signatures_signature s JOIN petition_letter l "
            "ON l.id = s.letter_id WHERE l.slug = %s AND s.state = 'confirmed' AND s.approved",
            [SLUG],
        ).fetchone()[0]
    return {
        "stored": stored,
        "due": due,
        "confirmed": confirmed,
        "suspected": suspected,
        "counted": counted,
    }


# One step -------------------------------------------------------------------------------------


def run_step(step: Step, crowd: Crowd, base: str, database_url: str, args) -> Step:
    """Arrivals (and watchers) for the step's seconds, then the drain."""
    step.start_total = count(base)
    load = {}
    if args.watchers and step.seconds >= 2:
        seconds = round(step.seconds)
        load["count"] = wrk(
            base,
            COUNT_PATH,
            duration=seconds,
            connections=args.watch_connections,
            **paced(args.count_rate, args.watch_connections, args.paced_script),
        )
        load["page"] = wrk(
            base,
            f"/letters/{SLUG}/",
            duration=seconds,
            connections=args.watch_connections // 2,
            threads=1,
            **paced(args.page_rate, args.watch_connections // 2, args.paced_script),
        )
    samples = []  # CPU by role, a second in and a second before the last arrival

    def sample() -> None:
        samples.append((time.monotonic(), {**cpu_seconds_by_role(), MACHINE: machine_busy()}))

    timers = [
        threading.Timer(at, sample) for at in ((1, step.seconds - 1) if step.seconds > 3 else ())
    ]
    for timer in timers:
        timer.start()
    futures = crowd.arrive(step)
    last_arrival = time.monotonic()
    for timer in timers:
        timer.join()
    if len(samples) == 2:
        (t0, before), (t1, after) = samples
        step.cpu = {role: (after[role] - before.get(role, 0.0)) / (t1 - t0) for role in after}
    step.watchers = {name: parse_wrk(process.communicate()[0]) for name, process in load.items()}

    # Drain: every POST answered, no email due, every link followed, the rows settled for 5 s.
    wait(futures)
    deadline = time.monotonic() + args.drain_timeout
    stable_since, previous = time.monotonic(), -1
    while time.monotonic() < deadline:
        step.rows = rows(database_url, step.prefix)
        if step.rows["stored"] != previous:
            stable_since, previous = time.monotonic(), step.rows["stored"]
        if not step.rows["due"] and crowd.idle() and time.monotonic() - stable_since >= 5:
            step.drained = True
            break
        time.sleep(1)
    step.drain_seconds = time.monotonic() - last_arrival
    # The public count (through the edge) catches up: at most two folds and an edge second.
    step.counted = rows(database_url, step.prefix)["counted"]
    deadline = time.monotonic() + 30
    while public_count(base) != step.counted and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(2)  # a late change would show now
    step.final_total = public_count(base) or 0
    step.rows = rows(database_url, step.prefix)
    step.counted = step.rows["counted"]
    return step


def figures(step: Step, watcher: CountWatcher, origin_watcher: CountWatcher, slo: float) -> dict:
    """What the report says of a step."""
    signers = step.signers
    statuses = Counter(s.status for s in signers)
    accepted = [s for s in signers if s.status == "303"]
    emailed = [s for s in accepted if s.emailed]
    confirmed = [s.confirmed for s in signers if s.confirmed]
    step.edge_lag = lags(confirmed, watcher.samples, step.start_total)
    step.origin_lag = lags(confirmed, origin_watcher.samples, step.start_total)
    to_email = [s.emailed - s.planned for s in emailed]
    sign_ms = [(s.answered - s.planned) * 1000 for s in signers]
    errors = {status: n for status, n in statuses.items() if status != "303"}
    # The sink's pace: while signers arrived, and from then until the last email.
    arrivals_end = signers[-1].planned + 1 / step.rate
    during = sum(1 for s in emailed if s.emailed <= arrivals_end)
    last_email = max((s.emailed for s in emailed), default=arrivals_end)
    result = {
        "rate": step.rate,
        "seconds": step.seconds,
        "arrivals": len(signers),
        "accepted": len(accepted),
        "errors": errors,
        "sign_p50": percentile(sign_ms, 50),
        "sign_p99": percentile(sign_ms, 99),
        "behind_p99": percentile([(s.started - s.planned) * 1000 for s in signers], 99),
        "email_n": len(emailed),
        "email_p50": percentile(to_email, 50),
        "email_p99": percentile(to_email, 99),
        "email_max": max(to_email, default=float("nan")),
        "emails_during": during / (arrivals_end - signers[0].planned),
        "emails_after": (len(emailed) - during) / (last_email - arrivals_end)
        if last_email > arrivals_end + 0.5
        else float("nan"),
        "missing": len(accepted) - len(emailed),
        "twice": sum(s.copies - 1 for s in signers if s.copies > 1),
        "confirmed": len(confirmed),
        "link_failed": sum(s.link_failed for s in signers),
        "exact": step.final_total == step.counted
        and step.final_total - step.start_total == len(confirmed),
    }
    result["held"] = (
        not errors
        and result["email_p99"] <= slo
        and not result["missing"]
        and not result["twice"]
        and not result["link_failed"]
        and result["exact"]
        and step.drained
    )
    return result


# Report ---------------------------------------------------------------------------------------


def seconds_text(value: float) -> str:
    return "–" if value != value else f"{value:.2f}"  # NaN: nothing measured


def dump(path: str, steps: list[Step]) -> None:
    """Each step's signers as [sent, answered, emailed, confirmed, status]: seconds from the
    step's first planned arrival (null: never), for a closer look than percentiles."""

    def since(t0: float, at: float) -> float | None:
        return round(at - t0, 4) if at else None

    out = []
    for step in steps:
        t0 = step.signers[0].planned
        wall0 = time.time() - time.monotonic() + t0  # confirm times are wall-clock
        out.append(
            {
                "rate": step.rate,
                "seconds": step.seconds,
                "signers": [
                    [
                        since(t0, s.planned),
                        since(t0, s.answered),
                        since(t0, s.emailed),
                        since(wall0, s.confirmed),
                        s.status,
                    ]
                    for s in step.signers
                ],
            }
        )
    with open(path, "w") as output:
        json.dump(out, output)


def print_step(step: Step, f: dict, crowd: Crowd) -> None:
    errors = ", ".join(f"{status} × {n:,}" for status, n in sorted(f["errors"].items()))
    print(
        f"\n{f['rate']:g} signers/s for {f['seconds']:g} s: {f['arrivals']:,} arrivals, "
        f"{f['accepted']:,} answered 303; sign errors: {errors or 'none'}"
    )
    print(
        f"  sign POST          p50 {f['sign_p50']:8.1f} ms   p99 {f['sign_p99']:8.1f} ms   "
        f"(load generator behind schedule: p99 {f['behind_p99']:.1f} ms)"
    )
    print(
        f"  sign → email       p50 {seconds_text(f['email_p50']):>8} s    "
        f"p99 {seconds_text(f['email_p99']):>8} s    max {seconds_text(f['email_max'])} s   "
        f"({f['email_n']:,} emailed)"
    )
    print(
        f"  emails/s at sink   {f['emails_during']:8.1f} while signers arrived, "
        f"{seconds_text(f['emails_after'])} after (the backlog)"
    )
    print(
        f"  confirm → count    origin p50 {seconds_text(step.origin_lag['visible50'])} s, "
        f"p99 {seconds_text(step.origin_lag['visible99'])} s;  edge p50 "
        f"{seconds_text(step.edge_lag['visible50'])} s, p99 "
        f"{seconds_text(step.edge_lag['visible99'])} s   ({f['confirmed']:,} confirmed)"
    )
    print(
        f"  emails missing {f['missing']}; sent twice {f['twice']}; confirm links failed "
        f"{f['link_failed']}; rows {step.rows.get('stored', 0):,}, still due "
        f"{step.rows.get('due', 0)}, suspected {step.rows.get('suspected', 0)}; "
        f"mail to nobody {crowd.strays}"
    )
    verdict = "EXACT" if f["exact"] else "MISMATCH"
    print(
        f"  drained {step.drain_seconds:.0f} s after the last arrival"
        f"{'' if step.drained else ' (TIMED OUT)'}; count {step.final_total:,} = counted rows "
        f"{step.counted:,}, +{step.final_total - step.start_total:,} for {f['confirmed']:,} "
        f"confirmations: {verdict}"
    )
    for name, label in (("count", "count API"), ("page", "letter page")):
        if name in step.watchers:
            w = step.watchers[name]
            print(
                f"  watchers: {label:11} {w['rps']:8.1f} req/s  p50 {w['p50']:.1f} ms  "
                f"p99 {w['p99']:.1f} ms  non-2xx/3xx {w['bad']}"
            )
    if step.cpu:
        shares = sorted(step.cpu.items(), key=lambda item: -item[1])
        print(
            f"  CPU in cores (of {os.cpu_count()}) while signers arrived: "
            + ", ".join(f"{role} {cores:.2f}" for role, cores in shares if cores >= 0.01)
        )
    sys.stdout.flush()


def print_table(results: list[dict], slo: float) -> None:
    print(
        "\n| signers/s | arrivals | sign errors | sign p50 / p99 ms "
        "| sign → email p50 / p99 / max s | emails/s arriving / after | missing | twice "
        f"| confirm → count p99 origin / edge s | count | held (p99 ≤ {slo:g} s, no errors) |"
    )
    print("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for f in results:
        errors = ", ".join(f"{s} × {n}" for s, n in sorted(f["errors"].items())) or "0"
        print(
            f"| {f['rate']:g} | {f['arrivals']:,} | {errors} | {f['sign_p50']:.1f} / "
            f"{f['sign_p99']:.1f} | {seconds_text(f['email_p50'])} / "
            f"{seconds_text(f['email_p99'])} / {seconds_text(f['email_max'])} | "
            f"{f['emails_during']:.1f} / {seconds_text(f['emails_after'])} | {f['missing']} "
            f"| {f['twice']} | {seconds_text(f['origin99'])} / {seconds_text(f['edge99'])} | "
            f"{'exact' if f['exact'] else 'MISMATCH'} | {'yes' if f['held'] else 'NO'} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=60, help="signers arriving a second")
    parser.add_argument("--duration", type=float, default=180, help="seconds of arrivals")
    parser.add_argument("--find", action="store_true", help="step the rate up until a miss")
    parser.add_argument("--start-rate", type=float, default=10)
    parser.add_argument("--rate-step", type=float, default=10)
    parser.add_argument("--step-seconds", type=float, default=60)
    parser.add_argument("--max-rate", type=float, default=1000, help="--find stops here")
    parser.add_argument("--slo", type=float, default=5.0, help="sign → email p99, seconds")
    parser.add_argument("--port", type=int, default=8400)
    parser.add_argument("--max-inflight", type=int, default=400, help="sign POSTs at once")
    parser.add_argument("--sign-timeout", type=int, default=60)
    parser.add_argument("--no-watchers", dest="watchers", action="store_false")
    parser.add_argument("--watch-connections", type=int, default=32)
    parser.add_argument("--count-rate", type=int, default=2500, help="0: as fast as it goes")
    parser.add_argument("--page-rate", type=int, default=600, help="0: as fast as it goes")
    parser.add_argument("--drain-timeout", type=float, default=600)
    parser.add_argument("--stack-log", default=str(VAR / "log/bench-surge.log"))
    parser.add_argument("--dump", help="write every signer's times, by step, to this JSON file")
    args = parser.parse_args()

    if args.find:
        count_of_steps = int((args.max_rate - args.start_rate) // args.rate_step) + 1
        rates = [args.start_rate + k * args.rate_step for k in range(max(1, count_of_steps))]
        seconds = args.step_seconds
    else:
        rates, seconds = [args.rate], args.duration
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as paced_script:
        paced_script.write(PACED_LUA)
    args.paced_script = paced_script.name
    os.makedirs(os.path.dirname(args.stack_log), exist_ok=True)

    base = f"http://127.0.0.1:{args.port}"
    database_url = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
    run_id = str(int(time.time()))
    crowd = Crowd(args.port, {}, {}, max_inflight=args.max_inflight, timeout=args.sign_timeout)
    with socket.socket() as probe:  # a free port on loopback, as tests/smtp_server.py finds
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    controller = Controller(Sink(crowd), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    watcher, origin_watcher = CountWatcher(base), CountWatcher(base, origin_count_body)
    steps, results, stack = [], [], None
    try:
        stack = start_stack(args.port, smtp_port, database_url, args.stack_log)
        crowd.form, crowd.headers = browser_form(args.port)
        fetched = time.monotonic()
        # Steady state, not a cold start: the edge has the page and the count once first.
        for path in (f"/letters/{SLUG}/", COUNT_PATH):
            urllib.request.urlopen(base + path, timeout=30).read()
        watcher.start()
        origin_watcher.start()
        time.sleep(max(0.0, fetched + 3.5 - time.monotonic()))  # SIGN_MIN_SECONDS is 3
        # One warm-up signer, emailed and confirmed before the clock starts: every worker up.
        warm_up = run_step(Step(1, 1, f"bench-surge-{run_id}-w-"), crowd, base, database_url, args)
        if not warm_up.drained or not any(s.confirmed for s in warm_up.signers):
            raise SystemExit(f"the warm-up signer was not emailed and confirmed: {warm_up.rows}")
        watchers = "wrk on the count API and the letter page" if args.watchers else "no watchers"
        print(
            f"\nUndersigned launch-day surge — {time.strftime('%Y-%m-%d')}, "
            f"{os.cpu_count()} cores, stack, SMTP sink, signers and {watchers} on the same "
            "machine; open-loop arrivals, each signer confirming when the email arrives",
            flush=True,
        )
        for number, rate in enumerate(rates, start=1):
            print(f"step {number}: {rate:g} signers/s for {seconds:g} s …", file=sys.stderr)
            step = run_step(
                Step(rate, seconds, f"bench-surge-{run_id}-{number}-"),
                crowd,
                base,
                database_url,
                args,
            )
            steps.append(step)
            result = figures(step, watcher, origin_watcher, args.slo)
            result["origin99"] = step.origin_lag["visible99"]
            result["edge99"] = step.edge_lag["visible99"]
            results.append(result)
            print_step(step, result, crowd)
            if args.find and not result["held"]:
                break
    finally:
        watcher.running = origin_watcher.running = False
        if stack:
            stop_stack(stack)
        controller.stop()
        crowd.signing.shutdown(cancel_futures=True)
        crowd.confirming.shutdown(cancel_futures=True)
        os.unlink(paced_script.name)

    if args.dump:
        dump(args.dump, steps)
    print_table(results, args.slo)
    if args.find:
        held = [r["rate"] for r in results if r["held"]]
        print(
            f"\nsustained signers/s: {max(held):g}" if held else "\nsustained signers/s: none held"
        )
    broken = [r for r in results if r["missing"] or r["twice"] or not r["exact"]]
    if broken:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
