"""Fault injection with real parts: a Redis server of the test's own (so stopping it leaves
the suite's Redis alone), real Celery worker and beat processes on PostgreSQL."""

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from config.celery import app as celery_app

from ..conftest import need
from ..processes import database_url, stop, use_broker, wait_for

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """redis-server on a port of its own, stopped and started at will."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = tmp_path / "redis.log"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                str(self.log),
            ]
        )
        wait_for(self.answers, timeout=10, what="redis-server")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()  # as an outage does: no goodbye to the clients
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    need(shutil.which("redis-server") is not None, "redis-server (apt-get install redis-server)")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def background(settings, tmp_path, redis_server):
    """Start `celery worker` / `celery beat` processes as bin/stack runs them, on this test's
    database and Redis; this process publishes to that Redis too. All stopped at the end."""
    need(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    saved = celery_app.conf.broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    use_broker(redis_server.url)
    processes: dict[str, subprocess.Popen] = {}
    logs = []

    def start(name: str, *arguments: str, **extra_env) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_server.url,
            "MAILBOX_DIR": str(settings.MAILBOX_DIR),
            "SECRET_KEY": settings.SECRET_KEY,
            "SITE_URL": settings.SITE_URL,
            "EMAIL_HOST": "",
            "DEBUG": "1",
            "COUNT_FOLD_SWEEP_SECONDS": "1",
            **extra_env,
        }
        log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115
        logs.append(log)
        processes[name] = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *arguments],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        return processes[name]

    start.processes = processes
    start.logs = tmp_path
    yield start
    stop(processes.values())
    for log in logs:
        log.close()
    celery_app.conf.task_always_eager = True
    use_broker(saved)


def start_like_the_stack(background, tmp_path) -> None:
    """The counts worker, an email worker and beat, with bin/stack's options."""
    common = ["--without-gossip", "--without-mingle", "--loglevel", "INFO"]
    background("counts", "worker", "-Q", "counts", "--pool", "solo", "-n", "counts@%h", *common)
    background("email", "worker", "-Q", "celery", "--concurrency", "1", "-n", "email@%h", *common)
    background("beat", "beat", "--loglevel", "INFO", "--schedule", str(tmp_path / "beat"))
    wait_for(lambda: len(celery_app.control.ping(timeout=0.5)) >= 2, timeout=60, what="the workers")
