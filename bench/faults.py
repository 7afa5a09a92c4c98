"""Fault injection under load: does signing lose nothing when a part of the stack fails?

    python bench/faults.py [--scenario NAME ...] [--port 8300] [--rate 80] [--seconds 40]

For each scenario (all of SCENARIOS by default) it starts `bin/stack` afresh, on a fresh
PostgreSQL database (`undersigned_faults`) and a Redis database of its own (db 9, emptied),
sending email over SMTP to an aiosmtpd server in this process (tests/smtp_server.py). Beat
sweeps due emails every 5 s, those due for 5 s, and a worker's lease on an email lasts 20 s
(defaults 60, 30 and 300 s), so that a drain takes seconds rather than minutes. Then:
  - for --seconds, threads POST the sign form at about --rate signings/s, each with a new
    address (every other one @bigmail.example, the rest @example.org) and its own
    X-Forwarded-For, while a confirmer follows the confirm link of every message the SMTP
    server accepts (retrying a link for a minute while it gets no answer or a 5xx);
  - the scenario injects its fault FAULT_AT s into the load; when the fault is over, the
    origin's count is polled every 0.2 s until it shows the rows counted at that moment;
  - after the load, it drains (bounded by --drain-timeout): the rows stop changing, no email
    is due in the database, every link found has been followed; then it waits (30 s at most)
    for the public count to equal the counted rows.

Columns of the Markdown table it prints:
  attempted   sign POSTs sent
  303         answered 303 (the signing was accepted)
  other       the other answers: HTTP status × n, "err" for none (timeout, reset)
  stored      signature rows for the scenario's addresses
  emailed     distinct addresses the SMTP server accepted a message for
  dup         messages beyond the first for an address
  confirmed   rows in state confirmed
  counted     rows that count (confirmed and approved)
  public      the count API's "signatures" (through nginx) minus its value before the load
  catch-up s  from the fault's end until the origin's count reached the rows counted then
  lost        303 answers without a row, plus rows never emailed after the drain
The exit status is 1 if a scenario lost a signing, ended with public != counted, sent more
duplicates than its fault explains, or left a process of the stack not RUNNING.

Traffic goes to 127.0.0.1 only. The Redis and PostgreSQL faults stop the machine's servers:
whatever else uses them sees the outage too.
"""

import argparse
import contextlib
import http.client
import itertools
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.message import EmailMessage

import psycopg
from run import ADMIN_URL, LINK, ROOT, count_body, csrf_pair, origin_count_body, wait_healthy

sys.path.insert(0, str(ROOT))
from tests.smtp_server import SMTPServer  # noqa: E402 - needs the repository root on the path

DB_NAME = "undersigned_faults"  # not run.py's: both benchmarks may run at once
REDIS_DB = 9
DOMAINS = ("example.org", "bigmail.example")
SIGN_PATH = "/letters/ai-training/sign/"
FAULT_AT = 8.0  # seconds into the load
EMAIL_TIMING = {
    "EMAIL_SWEEP_SECONDS": "5",
    "EMAIL_SWEEP_AFTER_SECONDS": "5",
    "EMAIL_LEASE_SECONDS": "20",
}
SUPERVISORCTL = [str(ROOT / ".venv/bin/supervisorctl"), "-c", str(ROOT / "var/supervisord.conf")]
SUPERVISOR_LOG = ROOT / "var/log/supervisord.log"
NO_ANSWER = (OSError, http.client.HTTPException, ValueError)  # ValueError: a body not JSON
EMAIL_PROCESSES = ((os.cpu_count() or 1) + 1) // 2  # bin/stack's email worker concurrency


def sh(*command: str, check: bool = True) -> str:
    return subprocess.run(command, check=check, capture_output=True, text=True).stdout


def wait_until(predicate: Callable[[], bool], timeout: float, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


@dataclass
class Run:
    """One scenario's run: its stack, its SMTP server, its addresses and the load's clock."""

    name: str
    base: str
    database_url: str
    smtp: SMTPServer
    prefix: str  # of every address signed in this run
    started: float = 0.0  # time.monotonic() when the load began

    def at(self, seconds: float) -> None:
        """Sleep until `seconds` into the load."""
        time.sleep(max(0.0, self.started + seconds - time.monotonic()))

    def log(self, what: str) -> None:
        elapsed = time.monotonic() - self.started
        print(f"  [{self.name} {elapsed:5.1f} s] {what}", file=sys.stderr, flush=True)


# Faults -------------------------------------------------------------------------------------


def processes() -> dict[str, tuple[str, str]]:
    """supervisord's programs: name -> (state, uptime)."""
    lines = sh(*SUPERVISORCTL, "status", check=False).splitlines()
    found = [re.match(r"(\S+)\s+(\S+)\s*(?:pid \d+, uptime (\S+))?", line) for line in lines]
    return {m[1]: (m[2], m[3] or "-") for m in found if m}


def all_running() -> bool:
    return all(state == "RUNNING" for state, _uptime in processes().values())


def descendants(pid: int) -> list[int]:
    children = [int(child) for child in sh("pgrep", "-P", str(pid), check=False).split()]
    return children + [grandchild for child in children for grandchild in descendants(child)]


def redis_start() -> None:
    """As .ci/services.sh starts it."""
    options = ["--bind", "127.0.0.1", "--port", "6379", "--daemonize", "yes"]
    sh("redis-server", *options, "--save", "", "--appendonly", "no")
    wait_until(lambda: sh("redis-cli", "-p", "6379", "ping", check=False).strip() == "PONG", 10)


@dataclass(frozen=True)
class Scenario:
    inject: Callable[[Run], None]  # injects the fault; returns when it is over
    duplicates_allowed: int = 0  # second emails the fault can cause
    duplicates_why: str = ""
    timing: dict[str, str | None] = field(default_factory=dict)  # over EMAIL_TIMING; None: default


SCENARIOS: dict[str, Scenario] = {}
IN_FLIGHT = (
    "the message in flight when {what} was accepted by the SMTP server but its row not marked "
    "sent; the lease ran out and it was sent again (outbox.py, step 4: at most one per email "
    "process)"
)


def scenario(
    name: str, duplicates_allowed: int = 0, duplicates_why: str = "", timing: dict | None = None
) -> Callable:
    """Register a fault under `name` (`--scenario name`); add one by writing one more."""

    def register(inject: Callable[[Run], None]) -> Callable[[Run], None]:
        SCENARIOS[name] = Scenario(inject, duplicates_allowed, duplicates_why, timing or {})
        return inject

    return register


@scenario("baseline")
def baseline(run: Run) -> None:
    """No fault; its "fault" ends FAULT_AT s in, for a reference catch-up figure."""
    run.at(FAULT_AT)


@scenario("redis-outage")
def redis_outage(run: Run) -> None:
    """Redis (broker, cache, rate limits) shut down for 20 s, then started again empty."""
    run.at(FAULT_AT)
    sh("redis-cli", "-p", "6379", "shutdown", "nosave", check=False)
    run.log("redis shut down")
    run.at(FAULT_AT + 20)
    redis_start()
    run.log("redis started again")


def kill(run: Run, kills: tuple[tuple[float, str], ...]) -> None:
    """SIGKILL each program with its pool at its time into the load, then wait for
    supervisord to have them all running again."""
    for seconds, program in kills:
        run.at(seconds)
        pid = int(sh(*SUPERVISORCTL, "pid", program).strip())
        doomed = [pid, *descendants(pid)]
        for each in doomed:
            with contextlib.suppress(ProcessLookupError):
                os.kill(each, signal.SIGKILL)
        run.log(f"killed {program}: pids {doomed}")
    if not wait_until(all_running, 30):
        run.log("a process is still not RUNNING 30 s after the kill")


@scenario("worker-kill", EMAIL_PROCESSES, IN_FLIGHT.format(what="the email worker was killed"))
def worker_kill(run: Run) -> None:
    """SIGKILL the email worker with its pool, then 7 s later the counts worker."""
    kill(run, ((FAULT_AT, "email"), (FAULT_AT + 7, "counts")))


@scenario(
    "worker-kill-default-lease",
    EMAIL_PROCESSES,
    IN_FLIGHT.format(what="the email worker was killed"),
    timing={"EMAIL_LEASE_SECONDS": None, "EMAIL_SWEEP_SECONDS": None},
)
def worker_kill_default_lease(run: Run) -> None:
    """SIGKILL the email worker with its pool, with the production lease and sweep (60 s
    each): how long its claimed emails then wait."""
    kill(run, ((FAULT_AT, "email"),))


def smtp_replies(run: Run, replies: dict[str, str], seconds: float) -> None:
    """The SMTP server answers RCPT TO with `replies` (by domain) for `seconds`."""
    run.at(FAULT_AT)
    run.smtp.handler.replies.update(replies)
    run.log(f"SMTP answers {replies}")
    run.at(FAULT_AT + seconds)
    run.smtp.handler.replies.clear()
    run.log("SMTP accepts again")


@scenario("smtp-defer")
def smtp_defer(run: Run) -> None:
    """The SMTP server answers 451 to every recipient for 15 s."""
    smtp_replies(run, dict.fromkeys(DOMAINS, "451 try later"), 15)


@scenario("smtp-provider-incident")
def smtp_provider_incident(run: Run) -> None:
    """The SMTP server refuses every @bigmail.example recipient with 550 for 14 s."""
    smtp_replies(run, {DOMAINS[1]: "550 no such user"}, 14)


@scenario("postgres-restart", EMAIL_PROCESSES, IN_FLIGHT.format(what="PostgreSQL went away"))
def postgres_restart(run: Run) -> None:
    """PostgreSQL restarted (pg_ctlcluster, fast mode) 10 s into the load."""
    run.at(FAULT_AT + 2)
    version, cluster = sh("pg_lsclusters", "--no-header").split()[:2]
    sh("pg_ctlcluster", version, cluster, "restart")
    wait_until(lambda: subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0, 30)
    run.log(f"PostgreSQL {version}/{cluster} restarted")


# Load and observation -----------------------------------------------------------------------


class SigningLoad:
    """Threads POSTing the sign form at about `rate` signings/s, each a new address."""

    def __init__(self, run: Run, *, rate: float, seconds: float, token: str, cookie: str):
        self.run, self.rate, self.seconds = run, rate, seconds
        self.form = {"csrfmiddlewaretoken": token, "profession": "illustrator", "country": "GB"}
        self.cookie = cookie
        self.answers: dict[str, str] = {}  # address -> "303", another status, or "err"
        self.sent_at: dict[str, float] = {}  # address -> time.monotonic() of its 303
        self.numbers = itertools.count()
        self.threads = [threading.Thread(target=self._sign) for _ in range(max(4, rate // 10))]

    def _sign(self) -> None:
        port = urllib.parse.urlsplit(self.run.base).port
        while (n := next(self.numbers)) / self.rate < self.seconds:
            self.run.at(n / self.rate)
            address = f"{self.run.prefix}{n}@{DOMAINS[n % 2]}"
            body = urllib.parse.urlencode(
                {**self.form, "name": f"Fault Signer {n}", "email": address, "show_name": "on"}
            )
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={self.cookie}",
                # 198.18.0.0/15, the benchmarking range: a client address per signer.
                "X-Forwarded-For": f"198.{18 + (n >> 16) % 2}.{(n >> 8) & 255}.{n & 255}",
            }
            self.answers[address] = "err"
            # A connection per signing: a failure is never a kept-alive connection gone stale.
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                connection.request("POST", SIGN_PATH, body, headers)
                response = connection.getresponse()
                response.read()
                self.answers[address] = str(response.status)
                self.sent_at[address] = time.monotonic()
            except NO_ANSWER:
                pass
            finally:
                connection.close()


class Confirmer:
    """Follows the confirm link of every message the SMTP server accepts."""

    def __init__(self, run: Run):
        self.run, self.scanned = run, 0
        self.links: set[str] = set()
        self.followed: set[str] = set()  # set.add is atomic: the pool's threads share these
        self.given_up: set[str] = set()
        self.pool = ThreadPoolExecutor(max_workers=4)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._scan, daemon=True)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()
        self.pool.shutdown(cancel_futures=True)

    def _scan(self) -> None:
        while not self.stopped.is_set():
            received = self.run.smtp.handler.received
            for message in received[self.scanned : len(received)]:
                link = confirm_link(message)
                if link and link not in self.links:
                    self.links.add(link)
                    self.pool.submit(self._follow, link)
                self.scanned += 1
            time.sleep(0.2)

    def _follow(self, link: str) -> None:
        for _attempt in range(60):
            try:
                with urllib.request.urlopen(self.run.base + link, timeout=10) as response:
                    if response.status == 200:
                        self.followed.add(link)
                        return
            except urllib.error.HTTPError as exc:
                if exc.code < 500:
                    break
            except NO_ANSWER:
                pass
            time.sleep(1)
        self.given_up.add(link)
        self.run.log(f"gave up on {link}")

    def idle(self) -> bool:
        """Every message scanned, every link found followed or given up on."""
        settled = len(self.followed) + len(self.given_up)
        return self.scanned == len(self.run.smtp.handler.received) and settled == len(self.links)


def confirm_link(message: EmailMessage) -> str | None:
    match = LINK.search(message.get_body(preferencelist=("plain",)).get_content().encode())
    return match.group(1).decode() if match else None


@dataclass
class Rows:
    """The scenario's signature rows, as the database has them."""

    emails: set[str]
    confirmed: int
    counted: int
    due: int  # still waiting for their email
    failed: int  # recorded as permanently refused


def rows(run: Run) -> Rows | None:
    """None while the database does not answer."""
    try:
        with psycopg.connect(run.database_url, connect_timeout=3) as conn:
            emails, *figures = conn.execute(
                "SELECT array_agg(email), count(*) FILTER (WHERE state = 'confirmed'), "
                "count(*) FILTER (WHERE state = 'confirmed' AND approved), "
                "count(email_requested_at), count(email_failed_at) "
                "FROM signatures_signature WHERE email LIKE %s",
                [run.prefix + "%"],
            ).fetchone()
    except psycopg.Error:
        return None
    return Rows(set(emails or ()), *figures)


def public_count(run: Run, *, origin: bool = False) -> int | None:
    try:
        return (origin_count_body if origin else count_body)(run.base)["signatures"]
    except NO_ANSWER:
        return None


def rows_when_up(run: Run, timeout: float = 60) -> Rows:
    deadline = time.monotonic() + timeout
    while (now := rows(run)) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    if now is None:
        raise SystemExit(f"{run.name}: the database did not answer for {timeout:.0f} s")
    return now


def catch_up(run: Run, before: int, timeout: float = 120) -> float | None:
    """Seconds from now (the fault's end) until the origin's count shows every row counted
    now; None if it does not within `timeout`."""
    ended = time.monotonic()
    target = before + rows_when_up(run).counted

    def reached() -> bool:
        shown = public_count(run, origin=True)
        return shown is not None and shown >= target

    return time.monotonic() - ended if wait_until(reached, timeout) else None


def drain(run: Run, confirmer: Confirmer, timeout: float) -> None:
    """Until the rows have stopped changing for 5 s, no email is due and every link found
    has been followed (or `timeout` s)."""
    deadline, stable_since, previous = time.monotonic() + timeout, time.monotonic(), -1
    while time.monotonic() < deadline:
        now = rows(run)
        if now and len(now.emails) != previous:
            stable_since, previous = time.monotonic(), len(now.emails)
        if now and not now.due and confirmer.idle() and time.monotonic() - stable_since >= 5:
            return
        time.sleep(1)
    run.log(f"drain timed out after {timeout:.0f} s")


TITLES = (
    "scenario|attempted|303|other|stored|emailed|dup|confirmed|counted|public|catch-up s"
    "|longest email wait s|lost"
)


@dataclass
class Result:
    """A row of the table (its cells in the order of TITLES), and what to say below it."""

    cells: list[object]
    notes: list[str]
    failed: bool

    def row(self) -> str:
        shown = [
            "never" if c is None else f"{c:.1f}" if isinstance(c, float) else c for c in self.cells
        ]
        return "| " + " | ".join(map(str, shown)) + " |"


# One scenario -------------------------------------------------------------------------------


def start_stack(run: Run, port: int, timing: dict[str, str | None]) -> subprocess.Popen:
    sh("bash", str(ROOT / ".ci/services.sh"))  # a fault earlier may have left one down
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    sh("redis-cli", "-p", "6379", "-n", str(REDIS_DB), "flushdb")
    chosen = {**EMAIL_TIMING, **timing}
    env = {
        **os.environ,
        **{key: value for key, value in chosen.items() if value is not None},
        "PORT": str(port),
        "DATABASE_URL": run.database_url,
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "TRUSTED_PROXY_COUNT": "1",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(run.smtp.port),
        "EMAIL_USE_TLS": "0",
        "LOG_LEVEL": "INFO",
    }
    (ROOT / "var/log").mkdir(parents=True, exist_ok=True)
    with open(ROOT / f"var/log/faults-{run.name}.log", "w") as output:
        stack = subprocess.Popen(
            ["bash", str(ROOT / "bin/stack")],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    wait_healthy(run.base)
    if not wait_until(all_running, 60):
        raise SystemExit(f"{run.name}: the stack's processes did not all start: {processes()}")
    return stack


def stop_stack(stack: subprocess.Popen) -> None:
    os.killpg(stack.pid, signal.SIGTERM)  # supervisord stops every program
    try:
        stack.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(stack.pid, signal.SIGKILL)
        stack.wait()


def run_scenario(name: str, args: argparse.Namespace, run_id: str) -> Result:
    scenario, smtp = SCENARIOS[name], SMTPServer().start()
    database_url = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
    run = Run(name, f"http://127.0.0.1:{args.port}", database_url, smtp, f"f{run_id}-{name}-")
    print(f"{name}: {scenario.inject.__doc__}", file=sys.stderr, flush=True)
    log_start = SUPERVISOR_LOG.stat().st_size if SUPERVISOR_LOG.exists() else 0
    stack = start_stack(run, args.port, scenario.timing)
    try:
        uptimes = {program: uptime for program, (_state, uptime) in processes().items()}
        token, cookie = csrf_pair(run.base)
        before = public_count(run)
        load = SigningLoad(run, rate=args.rate, seconds=args.seconds, token=token, cookie=cookie)
        confirmer, injecting = Confirmer(run), ThreadPoolExecutor(max_workers=1)

        def fault() -> float | None:
            scenario.inject(run)
            return catch_up(run, before)

        run.started = time.monotonic()
        for thread in (*load.threads, confirmer.thread):
            thread.start()
        injected = injecting.submit(fault)
        for thread in load.threads:
            thread.join()
        run.log(f"load over: {len(load.answers)} signings attempted")
        caught_up = injected.result()  # the fault's own errors are raised here
        drain(run, confirmer, args.drain_timeout)
        confirmer.stop()
        run.log("drained")
        final = rows_when_up(run)
        wait_until(lambda: public_count(run) == before + final.counted, 30)
        public = (public_count(run) or 0) - before
        after = processes()
    finally:
        stop_stack(stack)
        smtp.stop()
    exits = re.findall(r"exited: (\S+) ", SUPERVISOR_LOG.read_text()[log_start:])
    sent = Counter(str(message["To"]).lower() for message in smtp.handler.received)
    emailed = {address for address in sent if address.startswith(run.prefix)}
    accepted = {address for address, answer in load.answers.items() if answer == "303"}
    unstored, duplicates = accepted - final.emails, sum(sent[a] - 1 for a in emailed)
    others = Counter(answer for answer in load.answers.values() if answer != "303")
    other = ", ".join(f"{answer}×{n}" for answer, n in sorted(others.items())) or "–"
    lost = len(unstored) + len(final.emails - emailed)
    first_email: dict[str, float] = {}
    for message, arrived in zip(smtp.handler.received, smtp.handler.arrived, strict=True):
        first_email.setdefault(str(message["To"]).lower(), arrived)
    waits = [first_email[a] - t for a, t in load.sent_at.items() if a in first_email]
    longest_wait = max(waits, default=None)
    unexplained = duplicates > scenario.duplicates_allowed
    why = "more than the fault explains" if unexplained else scenario.duplicates_why
    notes = {
        f"{len(unstored)} answered 303 without a row": unstored,
        f"{final.failed} rows recorded as permanently refused": final.failed,
        f"{final.due} rows still due after the drain": final.due,
        f"{len(confirmer.given_up)} confirm links given up on": confirmer.given_up,
        f"{duplicates} duplicate emails: {why}": duplicates,
        "processes (uptime before → after, unexpected exits): "
        + ", ".join(
            f"{program} {uptimes.get(program, '-')}→{uptime} {exits.count(program)}"
            + ("" if state == "RUNNING" else f" {state}")
            for program, (state, uptime) in after.items()
        ): True,
    }
    stopped = any(state != "RUNNING" for state, _uptime in after.values())
    return Result(
        [name, len(load.answers), len(accepted), other, len(final.emails), len(emailed)]
        + [duplicates, final.confirmed, final.counted, public, caught_up, longest_wait, lost],
        notes=[text for text, shown in notes.items() if shown],
        failed=bool(lost or public != final.counted or unexplained or stopped),
    )


# Report -------------------------------------------------------------------------------------


def report(results: list[Result], args: argparse.Namespace) -> None:
    timing = ", ".join(f"{key}={value}" for key, value in EMAIL_TIMING.items())
    print(
        f"\nUndersigned fault injection — {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores; "
        f"stack, SMTP server and load on one machine; {args.rate} signings/s for "
        f"{args.seconds:g} s per scenario, faults from {FAULT_AT:g} s in; a fresh stack and "
        f"database per scenario; {timing} (defaults 60, 30, 60) unless a scenario says\n"
    )
    print("| " + TITLES.replace("|", " | ") + " |")
    print("|" + " --- |" * (TITLES.count("|") + 1))
    for result in results:
        print(result.row())
    print()
    for result in results:
        for note in result.notes + ["FAILED"] * result.failed:
            print(f"- {result.cells[0]}: {note}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenario", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--port", type=int, default=8300)
    parser.add_argument("--rate", type=int, default=80, help="signings per second")
    parser.add_argument("--seconds", type=float, default=40, help="of load per scenario")
    parser.add_argument("--drain-timeout", type=float, default=240)
    args = parser.parse_args()
    run_id, results = str(int(time.time())), []
    try:
        for name in args.scenario:
            results.append(run_scenario(name, args, run_id))
    finally:
        sh("bash", str(ROOT / ".ci/services.sh"))  # Redis and PostgreSQL up, whatever happened
        report(results, args)
    if any(result.failed for result in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
