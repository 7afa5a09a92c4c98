"""The load benchmark's own arithmetic (bench/run.py): what it reports must mean what the
README says. Figures themselves are never asserted; these are pure functions."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module
    spec.loader.exec_module(module)
    return module


WRK_OUTPUT = """Running 20s test @ http://127.0.0.1:8100/letters/ai-training/sign/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   230.10ms  120.00ms   1.20s    70.00%
  Latency Distribution
     50%  224.50ms
     75%  300.00ms
     90%  400.00ms
     99%    1.02s
  3188 requests in 20.10s, 1.00MB read
  Non-2xx or 3xx responses: 12
Requests/sec:    158.61
"""


def test_wrk_output_is_read_in_milliseconds(run):
    parsed = run.parse_wrk(WRK_OUTPUT)
    assert parsed == {
        "rps": 158.61,
        "p50": 224.5,
        "p99": 1020.0,
        "requests": 3188,
        "bad": 12,
        "socket_errors": "",
    }


def test_pacing_spreads_the_target_rate_over_the_connections(run):
    assert run.paced(2500, 32, "x.lua") == {"script": "x.lua", "script_args": ("13",)}
    assert run.paced(0, 32, "x.lua") == {}  # flat out


def test_lag_is_from_each_confirmation_to_the_first_count_that_includes_it(run):
    confirms = [10.0, 10.1, 11.0]
    # (seen at, total, folded at): the third confirmation shows only at 12.5
    samples = [(10.05, 5, 9.0), (10.40, 7, 10.3), (11.20, 7, 10.3), (12.50, 8, 12.2)]
    lag = run.lags(confirms, samples, start_total=5)
    assert lag["n"] == 3
    assert lag["visible50"] == pytest.approx(0.4)  # sorted lags 0.3, 0.4, 1.5
    assert lag["visible99"] == pytest.approx(1.5)
    assert lag["folded99"] == pytest.approx(1.2)


def test_a_confirmation_never_seen_is_not_counted_as_a_lag(run):
    lag = run.lags([1.0, 2.0], [(1.5, 1, 1.2)], start_total=0)
    assert lag["n"] == 1
