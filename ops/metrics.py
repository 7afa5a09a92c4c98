"""Prometheus metrics (prometheus-client): what each process counts as it goes (requests and
their latencies, signings, confirmations), and the exposition `/metrics` serves.

Gunicorn runs several processes: with PROMETHEUS_MULTIPROC_DIR set (bin/stack and the compose
file set it), each writes its counters to files there and the exposition adds them up
(prometheus-client's multiprocess mode); without it, this process's own counters.
Figures read from the database at scrape time (emails due, count lag…) are a collector the
pages layer registers (front/status.py)."""

import os
import time

from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # each process writes its counters there
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

REQUESTS = Counter("undersigned_http_requests", "HTTP requests answered", ["method", "status"])
LATENCY = Histogram(
    "undersigned_http_request_seconds",
    "Time to answer an HTTP request, by view",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
SIGNINGS = Counter("undersigned_signings", "Sign form submissions accepted (303)")
CONFIRMATIONS = Counter("undersigned_confirmations", "Signatures confirmed from their email")


class _ThisProcess:
    """This process's own counters (the default registry), when not in multiprocess mode."""

    def collect(self):
        yield from REGISTRY.collect()


def exposition(*collectors) -> HttpResponse:
    """The Prometheus text of every process's counters and of `collectors`, in a registry of
    this request's own (nothing is registered globally per scrape)."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    for collector in collectors:
        registry.register(collector)
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


class RequestMetricsMiddleware:
    """Counts every answer by method and status, and times it by view (the URL pattern's
    name, never the path: a path would make a series per letter and per token)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        began = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None else "unmatched"
        LATENCY.labels(view=view).observe(time.perf_counter() - began)
        REQUESTS.labels(method=request.method, status=str(response.status_code)).inc()
        return response
