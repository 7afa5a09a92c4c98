"""Beat's schedule, built from the task objects themselves: every periodic task is imported
here, so a task that is renamed or removed breaks beat's start (and tests/test_wiring.py),
rather than being queued by name for ever and never run."""

from celery.beat import PersistentScheduler
from django.conf import settings

from petition import life, mail
from signatures import counting, imports, letter_pdf, outbox, signing
from updates import sending

DAY = 86400.0


def beat_schedule() -> dict[str, dict]:
    entries = [
        ("fold-tallies", counting.tally_fold_all_task, settings.COUNT_FOLD_SWEEP_SECONDS),
        ("recount-tallies", counting.tally_recount_all_task, settings.COUNT_RECOUNT_SECONDS),
        (
            "send-pending-confirmations",
            outbox.send_pending_confirmations_task,
            settings.EMAIL_SWEEP_SECONDS,
        ),
        ("send-due-mail", mail.send_mail_sweep_task, settings.EMAIL_SWEEP_SECONDS),
        ("purge-unconfirmed", signing.purge_unconfirmed_task, DAY),
        ("send-updates", sending.send_updates_sweep_task, settings.UPDATE_SWEEP_SECONDS),
        ("finish-imports", imports.import_sweep_task, settings.EMAIL_SWEEP_SECONDS),
        ("finish-letter-pdfs", letter_pdf.letter_pdf_sweep_task, 300.0),
        (
            "apply-letter-schedules",
            life.schedule_apply_task,
            settings.LETTER_SCHEDULE_SWEEP_SECONDS,
        ),
    ]
    return {name: {"task": task.name, "schedule": every} for name, task, every in entries}


class Scheduler(PersistentScheduler):
    """`celery beat` with beat_schedule() (CELERY_BEAT_SCHEDULER names this class)."""

    def setup_schedule(self) -> None:
        self.app.conf.beat_schedule = beat_schedule()
        super().setup_schedule()
