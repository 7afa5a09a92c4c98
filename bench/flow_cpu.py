"""What one signer costs, step by step, in CPU: the Django process, PostgreSQL and Redis.

    python bench/flow_cpu.py [--signers 400] [--rounds 3] [--profile sign|signed|email|confirm|fold]

In-process through Django's whole stack (middleware included, DEBUG off) against PostgreSQL
(the `undersigned_bench` database) and Redis (db 13, emptied: the cache, the rate-limit
windows, the broker a sign POST asks for an email batch through; no worker takes it), with
emails sent over SMTP to a sink in another process (aiosmtpd), so the figures are the
process's own. For --signers new signers of the demo letter, one step at a time, --rounds
times:
  sign     the sign POST as a browser sends it (its own address and client address);
  signed   the check-your-inbox page the 303 leads to;
  email    the email worker's batches (signatures.outbox), rendering and sending every email;
  confirm  the link in the email (GET), the confirmed page included;
  fold     the counts worker folding the confirmations into the count.
Each step's CPU is divided by the signers: this process's (time.process_time) beside
PostgreSQL's and Redis's server processes (from /proc). The surge benchmark (bench/surge.py)
says what the whole machine sustains; this says where each signer's milliseconds go. With
--profile STEP, that step runs under cProfile and the functions taking most time are printed
(py-spy works too: `py-spy record -o flow.svg -- python bench/flow_cpu.py`).
"""

import argparse
import cProfile
import os
import pstats
import socket
import subprocess
import sys
import time
import uuid
from urllib.parse import urlencode

from common import free_port, setup_django
from run import cpu_seconds_by_role

STEPS = ("sign", "signed", "email", "confirm", "fold")
SLUG = "ai-training"


def cpu_now() -> tuple[float, float, float]:
    """CPU seconds so far: this process, PostgreSQL's server processes, Redis's."""
    servers = cpu_seconds_by_role()
    return time.process_time(), servers.get("postgresql", 0.0), servers.get("redis", 0.0)


def start_sink(port: int) -> subprocess.Popen:
    """An SMTP server that accepts and drops everything, in its own process."""
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink"]
        + ["-l", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return sink
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the SMTP sink did not start")


class Flow:
    def __init__(self, signers: int):
        from django.test import Client

        self.n = signers
        self.run = uuid.uuid4().hex[:8]
        self.client = Client()
        self.client.cookies["csrftoken"] = "c" * 32
        self.headers = {"Sec-Fetch-Site": "same-origin", "User-Agent": "undersigned-bench-flow"}
        answer = self.client.get("/csrf/").json()
        self.form = {
            "csrfmiddlewaretoken": answer["token"],
            "started": answer["started"],
            "profession": "illustrator",
            "country": "GB",
            "show_name": "on",
        }
        self.links: list[str] = []

    def address(self, i: int) -> str:
        return f"flow-{self.run}-{i}@example.org"

    def sign(self) -> None:
        for i in range(self.n):
            response = self.client.post(
                f"/letters/{SLUG}/sign/",
                urlencode({**self.form, "name": f"Flow Signer {i}", "email": self.address(i)}),
                content_type="application/x-www-form-urlencoded",  # as a browser sends it
                headers=self.headers,
                REMOTE_ADDR=f"198.18.{i >> 8 & 255}.{i & 255}",
            )
            assert response.status_code == 303, (response.status_code, response.content[:300])

    def signed(self) -> None:
        for _ in range(self.n):
            assert self.client.get(f"/letters/{SLUG}/signed/").status_code == 200

    def email(self) -> None:
        from signatures.outbox import signatures_email_due

        run = signatures_email_due()
        assert run.sent >= self.n, run

    def prepare_confirm(self) -> None:
        """The links the emails carried (made outside the timed step)."""
        from signatures.models import Signature
        from signatures.outbox import signature_links

        rows = Signature.objects.filter(email__startswith=f"flow-{self.run}-").select_related(
            "letter"
        )
        self.links = [signature_links(s)["confirm_url"].split("://", 1)[1] for s in rows]
        self.links = ["/" + link.split("/", 1)[1] for link in self.links]
        assert len(self.links) == self.n

    def confirm(self) -> None:
        for link in self.links:
            response = self.client.get(link)
            assert response.status_code == 200, response.status_code

    def fold(self) -> None:
        from signatures.counting import tally_fold_all

        tally_fold_all()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--signers", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of new signers")
    parser.add_argument("--profile", choices=STEPS, help="run this step under cProfile")
    parser.add_argument("--top", type=int, default=35, help="functions --profile prints")
    args = parser.parse_args()

    port = free_port()
    os.environ.update(
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_USE_TLS="0",
        LOG_LEVEL="WARNING",
        RATELIMIT_SIGN_IP_BURST="1000/m",
    )
    sink = start_sink(port)
    try:
        setup_django()
        from django.core.cache import cache
        from django.core.management import call_command

        call_command("seed_demo", verbosity=0)
        cache.clear()
        flow = Flow(args.signers)
        flow.sign()  # a warm-up round: templates loaded, connections open, caches filled
        flow.email()
        flow.prepare_confirm()
        flow.confirm()
        flow.fold()
        results: dict[str, list[list[float]]] = {step: [] for step in STEPS}
        profile = None
        for round_number in range(args.rounds):
            flow = Flow(args.signers)
            for step in STEPS:
                if step == "confirm":
                    flow.prepare_confirm()
                profiling = args.profile == step and round_number == 0
                profiler = cProfile.Profile() if profiling else None
                before = cpu_now()
                if profiler:
                    profiler.enable()
                getattr(flow, step)()
                if profiler:
                    profiler.disable()
                    profile = profiler
                after = cpu_now()
                if not profiling:
                    ms = [(b - a) * 1000 / args.signers for a, b in zip(before, after, strict=True)]
                    results[step].append(ms)
        # This machine's speed wanders from run to run (shared cores): the best round of each
        # step is the steadiest estimate of what the code costs, the median says how it wanders.
        print(
            f"One signer's flow in-process, ms of CPU a signer: the best of {args.rounds} rounds "
            f"of {args.signers} signers (median in brackets)"
        )
        print(f"{'step':<9} {'django':>15} {'postgres':>13} {'redis':>7} {'total':>7}")
        totals = [0.0, 0.0, 0.0]
        for step, rounds in results.items():
            if not rounds:
                print(f"{step:<9} (profiled: see below)")
                continue
            best = min(rounds, key=sum)
            middle = sorted(rounds, key=sum)[len(rounds) // 2]
            totals = [t + b for t, b in zip(totals, best, strict=True)]
            print(
                f"{step:<9} {best[0]:6.2f} ({middle[0]:5.2f}) {best[1]:6.2f} ({middle[1]:4.2f}) "
                f"{best[2]:7.2f} {sum(best):7.2f}"
            )
        django, postgres, redis = totals
        line = f"{'flow':<9} {django:6.2f} {'':7} {postgres:6.2f} {'':6} {redis:7.2f}"
        print(f"{line} {sum(totals):7.2f}")
        if profile:
            stats = pstats.Stats(profile).sort_stats("cumulative")
            stats.print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)
    finally:
        sink.terminate()


if __name__ == "__main__":
    main()
