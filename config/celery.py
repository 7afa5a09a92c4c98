"""The Celery app. Workers register the tasks of the modules in CELERY_IMPORTS; each task
names its own queue; beat runs config.beat.Scheduler, whose schedule is built from the task
objects (so a renamed task fails at start, not silently)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("undersigned")
app.config_from_object("django.conf:settings", namespace="CELERY")
