"""The load benchmark (`make bench`): the whole signing flow against `bin/stack` on loopback.

    python bench/run.py [--duration 60] [--sign-connections 32] [--port 8100]

It starts the production-shaped stack on a fresh PostgreSQL database, then for --duration
seconds runs, at once, from separate processes:
  - wrk POSTing the sign form as a browser does (CSRF cookie and token, the form's
    timestamp, Sec-Fetch-Site; a new address each time, a forwarded client address so
    per-IP limits apply per simulated signer), so no signing is suspected,
  - wrk GETting the count API, and wrk GETting the letter page (the watchers),
  - this process: reading every confirmation email the worker writes to the mailbox,
    following its confirm link, and polling the count to time confirm → visible.
Then it drains (every email sent, every link followed) and checks that the final count
equals the confirmed signatures exactly and that no signature is missing its email.
Traffic goes to 127.0.0.1 only.
"""

import argparse
import http.client
import http.cookiejar
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "undersigned_loadtest"
ADMIN_URL = "postgres://undersigned:undersigned@127.0.0.1:5432/postgres"
LINK = re.compile(rb"http://127\.0\.0\.1:\d+(/letters/[^/]+/confirm/[^/\s]+/)")

SIGN_LUA = r"""
local counter = 0
local thread_id = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  run, token, cookie, started = args[1], args[2], args[3], args[4]
end
request = function()
  counter = counter + 1
  local email = string.format("bench-%s-%d-%d@example.org", run, tid, counter)
  -- A distinct client address per signer (198.18.0.0/15 is the benchmarking range).
  local ip = string.format("198.%d.%d.%d", 18 + tid % 2, math.floor(counter / 250) % 250,
    counter % 250 + 1)
  local body = "csrfmiddlewaretoken=" .. token .. "&name=Bench+Signer+" .. counter ..
    "&email=" .. email .. "&profession=illustrator&country=GB&show_name=on" ..
    "&started=" .. started
  local headers = {}
  headers["Sec-Fetch-Site"] = "same-origin"
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Cookie"] = "csrftoken=" .. cookie
  headers["X-Forwarded-For"] = ip
  return wrk.format("POST", "/letters/ai-training/sign/", headers, body)
end
"""


# Watchers: each connection waits between requests so the offered load is about --count-rate
# and --page-rate requests/s (a CDN's misses and a crowd's reloads), not all the CPU there is.
PACED_LUA = r"""
function init(args)
  pause = tonumber(args[1])
end
function delay()
  return pause
end
"""


def sh(*args, **kwargs):
    return subprocess.run(args, check=True, **kwargs)


def fresh_database() -> str:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME


def wait_healthy(base: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the stack did not become healthy")


def csrf_pair(base: str) -> tuple[str, str]:
    """A form token and its cookie, as static/js/csrf.js gets them for a shared page."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    token = json.load(opener.open(base + "/csrf/"))["token"]
    cookie = next(c.value for c in jar if c.name == "csrftoken")
    return token, cookie


COUNT_PATH = "/api/letters/ai-training/count"
# bin/stack's origin behind nginx, in the stack's VAR_DIR (var/ unless set).
ORIGIN_SOCKET = ROOT / (os.environ.get("VAR_DIR") or "var") / "gunicorn-watchers.sock"


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str):
        super().__init__("localhost", timeout=5)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(5)
        self.sock.connect(self.path)


def count_body(base: str) -> dict:
    """The count as watchers see it: through the edge cache when there is one."""
    with urllib.request.urlopen(base + COUNT_PATH, timeout=5) as response:
        return json.load(response)


def origin_count_body(base: str) -> dict:
    """The count as Django answers it, behind the edge cache (or without one)."""
    if not ORIGIN_SOCKET.exists():
        return count_body(base)
    connection = UnixHTTPConnection(str(ORIGIN_SOCKET))
    try:
        connection.request("GET", COUNT_PATH, headers={"Host": "127.0.0.1"})
        return json.load(connection.getresponse())
    finally:
        connection.close()


def count(base: str) -> int:
    return count_body(base)["signatures"]


def wrk(base, path, *, duration, connections, threads=2, script=None, script_args=()):
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{duration}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if script:
        command += ["-s", script]
    command.append(base + path)
    if script_args:
        command += ["--", *script_args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def paced(rate: int, connections: int, script: str) -> dict:
    """wrk arguments that pause each connection so all of them offer about `rate` req/s."""
    if not rate:
        return {}
    return {"script": script, "script_args": (str(max(0, round(connections * 1000 / rate))),)}


def parse_wrk(output: str) -> dict:
    def ms(value: str) -> float:
        number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.M))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": ms(latency["50"]),
        "p99": ms(latency["99"]),
        "requests": requests,
        "bad": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


class Confirmer:
    """Follows every confirmation link the worker writes to the mailbox, timing each."""

    def __init__(self, base: str, mailbox: Path):
        self.base, self.mailbox = base, mailbox
        self.seen: set[str] = set()
        self.confirm_times: list[float] = []
        self.failures = 0
        self.lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=8)

    def _confirm(self, path: str) -> None:
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as response:
                ok = response.status == 200
        except OSError:
            ok = False
        with self.lock:
            if ok:
                self.confirm_times.append(time.time())
            else:
                self.failures += 1

    def scan(self) -> int:
        new = 0
        for entry in os.scandir(self.mailbox):
            if not entry.name.endswith(".eml") or entry.name in self.seen:
                continue
            self.seen.add(entry.name)
            match = LINK.search(Path(entry.path).read_bytes())
            if match:
                self.pool.submit(self._confirm, match.group(1).decode())
                new += 1
        return new


class CountWatcher(threading.Thread):
    """Polls the count every 50 ms: when did each total first become visible, and when had
    it been folded (the body's updated_at)? Wall-clock times: all on this machine."""

    def __init__(self, base: str, read=count_body):
        super().__init__(daemon=True)
        self.base, self.read, self.samples, self.running = base, read, [], True

    def run(self) -> None:
        while self.running:
            try:
                body = self.read(self.base)
                folded = datetime.fromisoformat(body["updated_at"]).timestamp()
                self.samples.append((time.time(), body["signatures"], folded))
            except OSError:
                pass
            time.sleep(0.05)


ROLES = [  # (role, words the process's command line must all contain), first match wins
    ("web: cache refreshes", ("gunicorn", "watchers")),
    ("web: gunicorn", ("gunicorn",)),
    ("email worker", ("celery", "-Q celery")),
    ("counts worker", ("celery", "-Q counts")),
    ("beat", ("celery", "beat")),
    ("postgresql", ("postgres",)),
    ("redis", ("redis-server",)),
    ("nginx", ("nginx",)),
    ("load: wrk", ("wrk",)),
    ("load: confirmer and poller", ("bench/run.py",)),
]


def cpu_seconds_by_role() -> dict[str, float]:
    """CPU seconds each part of the stack has used so far, from /proc (Linux only)."""
    tick = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            command = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode()
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        role = next((r for r, words in ROLES if all(w in command for w in words)), None)
        if role:
            totals[role] = totals.get(role, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return totals


def lags(confirm_times: list[float], samples: list[tuple], start_total: int) -> dict:
    """For the n-th confirmation, the first sample whose total includes it: confirm → folded
    (the counter's updated_at) and confirm → visible through the edge, as p50/p99."""
    visible, folded = [], []
    index = 0
    for n, confirmed_at in enumerate(sorted(confirm_times), start=1):
        while index < len(samples) and samples[index][1] < start_total + n:
            index += 1
        if index == len(samples):
            break
        seen_at, _total, folded_at = samples[index]
        visible.append(max(0.0, seen_at - confirmed_at))
        folded.append(max(0.0, folded_at - confirmed_at))

    def pick(values: list[float], p: int) -> float:
        values = sorted(values)
        return values[min(len(values) - 1, int(p / 100 * len(values)))] if values else math.nan

    return {
        "n": len(visible),
        **{f"visible{p}": pick(visible, p) for p in (50, 99)},
        **{f"folded{p}": pick(folded, p) for p in (50, 99)},
    }


def db_facts(database_url: str) -> dict:
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = dict(
            conn.execute(
                "SELECT s.state, count(*) FROM signatures_signature s JOIN petition_letter l "
                "ON l.id = s.letter_id WHERE l.slug = 'ai-training' GROUP BY s.state"
            ).fetchall()
        )
        unsent = conn.execute(
            "SELECT count(*) FROM signatures_signature WHERE email_sent_at IS NULL "
            "AND email LIKE 'bench-%%'"
        ).fetchone()[0]
        counted = conn.execute(
            "SELECT count(*) FROM signatures_signature s "
            "JOIN petition_letter l ON l.id = s.letter_id "
            "WHERE l.slug = 'ai-training' AND s.state = 'confirmed' AND s.approved"
        ).fetchone()[0]
        bench_rows, suspected = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE suspicion <> '') "
            "FROM signatures_signature WHERE email LIKE 'bench-%%'"
        ).fetchone()
    return {
        "states": rows,
        "unsent": unsent,
        "counted": counted,
        "bench_rows": bench_rows,
        "suspected": suspected,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--sign-connections", type=int, default=32)
    parser.add_argument("--watch-connections", type=int, default=32)
    parser.add_argument("--count-rate", type=int, default=2500, help="0: as fast as it goes")
    parser.add_argument("--page-rate", type=int, default=600, help="0: as fast as it goes")
    parser.add_argument("--drain-timeout", type=int, default=600)
    parser.add_argument("--dump", help="write confirm times and count samples to this JSON file")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")

    sys.path.insert(0, str(ROOT))
    sh("bash", str(ROOT / ".ci/services.sh"), stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    mailbox = Path(tempfile.mkdtemp(prefix="undersigned-bench-mail-"))
    env = {
        **os.environ,
        "PORT": str(args.port),
        "DATABASE_URL": fresh_database(),
        "MAILBOX_DIR": str(mailbox),
        "TRUSTED_PROXY_COUNT": "1",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("EMAIL_HOST", None)
    stack = subprocess.Popen(
        ["bash", str(ROOT / "bin/stack")], cwd=ROOT, env=env, start_new_session=True
    )
    try:
        wait_healthy(base)
        token, cookie = csrf_pair(base)
        # The form's timestamp, as a browser's page holds it (no signing is suspected).
        form_started = json.load(urllib.request.urlopen(base + "/csrf/", timeout=30))["started"]
        # Steady state, not a cold start: the edge has the page and the count once first.
        for path in ("/letters/ai-training/", COUNT_PATH):
            urllib.request.urlopen(base + path, timeout=30).read()
        start_total = count(base)
        time.sleep(4)  # longer than SIGN_MIN_SECONDS: a person takes that long to fill the form
        run_id = str(int(time.time()))
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(SIGN_LUA)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as paced_script:
            paced_script.write(PACED_LUA)
        watcher = CountWatcher(base)
        origin_watcher = CountWatcher(base, origin_count_body)
        watcher.start()
        origin_watcher.start()
        confirmer = Confirmer(base, mailbox)
        started = time.monotonic()
        cpu_samples = []  # (when, CPU by role): after the first second, before the last
        load = {
            "sign": wrk(
                base,
                "/letters/ai-training/sign/",
                duration=args.duration,
                connections=args.sign_connections,
                script=script.name,
                script_args=(run_id, token, cookie, form_started),
            ),
            "count": wrk(
                base,
                "/api/letters/ai-training/count",
                duration=args.duration,
                connections=args.watch_connections,
                **paced(args.count_rate, args.watch_connections, paced_script.name),
            ),
            "page": wrk(
                base,
                "/letters/ai-training/",
                duration=args.duration,
                connections=args.watch_connections // 2,
                threads=1,
                **paced(args.page_rate, args.watch_connections // 2, paced_script.name),
            ),
        }
        while any(p.poll() is None for p in load.values()):
            confirmer.scan()
            elapsed = time.monotonic() - started
            if (not cpu_samples and elapsed > 1) or (
                len(cpu_samples) == 1 and elapsed > args.duration - 1
            ):
                cpu_samples.append((time.monotonic(), cpu_seconds_by_role()))
            time.sleep(0.2)
        load_seconds = time.monotonic() - started
        (t0, before), (t1, after) = cpu_samples
        cpu = {role: (after[role] - before.get(role, 0.0)) / (t1 - t0) for role in after}
        confirmed_during_load = len(confirmer.confirm_times)
        results = {name: parse_wrk(p.stdout.read()) for name, p in load.items()}
        accepted = results["sign"]["requests"] - results["sign"]["bad"]

        # Drain: every signature the stack stored gets its email and its link followed.
        # Requests queued when wrk stopped still land: the total must hold for 5 s first.
        deadline = time.monotonic() + args.drain_timeout
        stable_since, previous = time.monotonic(), -1
        while time.monotonic() < deadline:
            confirmer.scan()
            facts = db_facts(env["DATABASE_URL"])
            if facts["bench_rows"] != previous:
                stable_since, previous = time.monotonic(), facts["bench_rows"]
            settled = time.monotonic() - stable_since >= 5
            done = len(confirmer.confirm_times) + confirmer.failures >= facts["bench_rows"]
            if settled and not facts["unsent"] and done:
                break
            time.sleep(1)
        drained = time.monotonic() - started
        confirmer.pool.shutdown(wait=True)
        time.sleep(4)  # two fold periods
        watcher.running = origin_watcher.running = False
        final_total = count(base)
        facts = db_facts(env["DATABASE_URL"])
        lag = lags(confirmer.confirm_times, watcher.samples, start_total)
        origin_lag = lags(confirmer.confirm_times, origin_watcher.samples, start_total)
        if args.dump:
            Path(args.dump).write_text(
                json.dumps(
                    {
                        "start_total": start_total,
                        "confirm_times": confirmer.confirm_times,
                        "samples": watcher.samples,
                    }
                )
            )
    finally:
        os.killpg(stack.pid, signal.SIGTERM)
        stack.wait(timeout=60)
        shutil.rmtree(mailbox, ignore_errors=True)

    sign, count_api, page = results["sign"], results["count"], results["page"]
    print(
        f"\nUndersigned load benchmark — {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
        f"{args.duration} s of load, stack and load on the same machine"
    )
    print(
        f"accepted signatures/s   {accepted / load_seconds:8.1f}   ({accepted:,} accepted, "
        f"{sign['bad']:,} refused, p50 {sign['p50']:.1f} ms, p99 {sign['p99']:.1f} ms)"
    )
    print(
        f"confirmations/s (load)  {confirmed_during_load / load_seconds:8.1f}   "
        f"({confirmed_during_load:,} during load; all {len(confirmer.confirm_times):,} "
        f"after {drained:.0f} s)"
    )
    print(
        f"count API               {count_api['rps']:8.1f} req/s  p50 {count_api['p50']:.1f} ms  "
        f"p99 {count_api['p99']:.1f} ms"
    )
    print(
        f"letter page             {page['rps']:8.1f} req/s  p50 {page['p50']:.1f} ms  "
        f"p99 {page['p99']:.1f} ms"
    )
    print(
        f"confirm → count at origin p50 {origin_lag['visible50']:.2f} s  "
        f"p99 {origin_lag['visible99']:.2f} s  ({origin_lag['n']:,} confirmations)"
    )
    print(
        f"confirm → count at edge   p50 {lag['visible50']:.2f} s  p99 {lag['visible99']:.2f} s  "
        "(what a watcher polling through the 1 s edge cache sees)"
    )
    expected = facts["counted"]
    print(
        f"final count {final_total:,}; counted rows {expected:,}: "
        f"{'EXACT' if final_total == expected else 'MISMATCH'}"
    )
    print(
        f"signatures without their email: {facts['unsent']}; confirm failures: {confirmer.failures}"
    )
    print(f"states: {facts['states']}; suspected (bot traps): {facts['suspected']}")
    print(f"CPU during the load, in cores (of {os.cpu_count()}):")
    for role, cores in sorted(cpu.items(), key=lambda item: -item[1]):
        print(f"  {role:28} {cores:5.2f}")
    if final_total != expected or facts["unsent"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
