"""Whatever is referenced by name resolves: beat's tasks, the queues tasks are sent to, the
modules workers import, dotted paths in settings, and every template the code names."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.template.loader import get_template
from django.utils.module_loading import import_string

from config.beat import beat_schedule
from config.celery import app
from signatures import signing

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def registered() -> set[str]:
    app.loader.import_default_modules()  # what a worker does at start (CELERY_IMPORTS)
    return set(app.tasks.keys())


def test_every_scheduled_task_is_registered_with_the_worker(registered):
    schedule = beat_schedule()
    assert schedule
    for name, entry in schedule.items():
        assert entry["task"] in registered, f"beat entry {name!r} names an unknown task"


def test_the_daily_purge_is_scheduled_and_registered(registered):
    tasks = {entry["task"]: entry["schedule"] for entry in beat_schedule().values()}
    assert signing.purge_unconfirmed_task.name in registered
    assert tasks[signing.purge_unconfirmed_task.name] == 86400


def test_beat_runs_the_scheduler_that_builds_the_schedule():
    assert import_string(settings.CELERY_BEAT_SCHEDULER.replace(":", "."))


def _task_queues(registered) -> set[str]:
    ours = [name for name in registered if not name.startswith("celery.")]
    return {getattr(app.tasks[name], "queue", None) or "celery" for name in ours}


def _consumed_queues(commands: list[str]) -> set[str]:
    return {match for command in commands for match in re.findall(r"-Q[ =](\S+)", command)}


def test_every_queue_a_task_is_sent_to_has_a_worker_in_compose(registered):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    commands = [" ".join(s.get("command", [])) for s in compose["services"].values()]
    assert _task_queues(registered) <= _consumed_queues(commands)


def test_every_queue_a_task_is_sent_to_has_a_worker_in_the_stack(registered):
    stack = (ROOT / "bin" / "stack").read_text()
    assert _task_queues(registered) <= _consumed_queues([stack])


def test_dotted_paths_in_settings_resolve():
    assert import_string("ops.redis_transport.Transport").Channel.close
    for path in [
        settings.CSRF_FAILURE_VIEW,
        settings.ACCOUNT_ADAPTER,
        settings.CACHES["default"]["BACKEND"],
        settings.EMAIL_BACKEND,
        *settings.MIDDLEWARE,
        *settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
    ]:
        assert import_string(path), path


def test_every_template_the_code_names_exists():
    pattern = re.compile(
        r"""["']((?:front|organise|emails|account|mfa)/[\w/.-]+\.(?:html|txt))["']"""
    )
    names = set()
    for source in ROOT.glob("*/**/*.py"):
        if ".venv" in source.parts or "tests" in source.parts:
            continue
        names.update(pattern.findall(source.read_text()))
    assert len(names) > 10
    for name in sorted(names):
        get_template(name)


def test_every_email_template_trio_is_complete():
    emails = ROOT / "templates" / "emails"
    stems = {p.name.removesuffix("-subject.txt") for p in emails.glob("*-subject.txt")}
    for stem in stems:
        for part in ("subject.txt", "body.txt", "body.html"):
            assert (emails / f"{stem}-{part}").is_file(), f"{stem}-{part}"
