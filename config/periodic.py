"""`make run`'s stand-in for celery beat. With no broker (the embedded default) nothing else
would run beat's schedule, so a scheduled update would never go out and the sweeps would
never sweep: this runs each scheduled task in-process when it is due.

    python -m config.periodic        (make run starts it beside runserver)
"""

import logging
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from config.beat import beat_schedule  # noqa: E402 - the apps must be ready first
from config.celery import app  # noqa: E402

log = logging.getLogger("config.periodic")
logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # a line per run, every 2 s


def run_due(next_runs: dict[str, float], now: float) -> list[str]:
    """Run every entry of beat's schedule whose time has come; returns their names."""
    ran = []
    for name, entry in beat_schedule().items():
        if now < next_runs.get(name, 0.0):
            continue
        try:
            app.tasks[entry["task"]].apply(throw=True)
        except Exception:  # noqa: BLE001 - one failing task must not stop the others
            log.exception("periodic task %s failed", name)
        next_runs[name] = now + entry["schedule"]
        ran.append(name)
    return ran


def main() -> None:
    next_runs: dict[str, float] = {}
    log.info("running beat's schedule in-process (no broker)")
    while True:
        run_due(next_runs, time.monotonic())
        time.sleep(1)


if __name__ == "__main__":
    main()
