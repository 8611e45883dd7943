"""Worker processes are started only for processors that nobody else keeps busy."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from glm_lsp.context import processors
from glm_lsp.context.processors import CpuSample


@pytest.mark.parametrize(
    ("cores", "load", "expected"),
    [(2, 0.0, 2), (2, 0.4, 2), (2, 0.6, 1), (2, 3.9, 1), (8, 1.5, 7), (8, 0.0, 8), (1, 0.0, 1)],
)
def test_without_a_recent_sample_the_load_average_decides(
    cores: int, load: float, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(processors, "count", lambda: cores)
    monkeypatch.setattr(processors.os, "getloadavg", lambda: (load, load, load))
    assert processors.free() == expected


@pytest.mark.parametrize(
    ("others", "own", "expected"),
    [
        (0.0, 0.2, 2),  # only this process (and git) worked: both processors are free
        (0.18, 0.2, 1),  # someone else kept most of a processor busy
        (0.4, 0.0, 1),  # two other busy processes
    ],
)
def test_a_recent_sample_decides_whatever_the_load_average_says(
    others: float, own: float, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over 0.2 s: `others` and `own` are processor-seconds of work."""
    monkeypatch.setattr(processors, "count", lambda: 2)
    monkeypatch.setattr(processors.os, "getloadavg", lambda: (0.9, 0.9, 0.9))  # stale
    since = CpuSample(at=100.0, busy=50.0, own=3.0)
    now = CpuSample(at=100.2, busy=50.0 + others + own, own=3.0 + own)
    monkeypatch.setattr(processors, "sample", lambda: now)
    assert processors.free(since) == expected


def test_a_sample_just_taken_is_waited_on_not_replaced_by_the_load_average(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A cold start that lists mypy in 30 ms asks right after its first sample; the load
    # average still counts the minute before (say, a build that has ended) and said "busy".
    monkeypatch.setattr(processors, "count", lambda: 2)
    monkeypatch.setattr(processors.os, "getloadavg", lambda: (1.9, 1.4, 0.8))
    monkeypatch.setattr(processors, "sample", lambda: CpuSample(time.monotonic(), 50.0, 3.0))
    since = CpuSample(time.monotonic(), 50.0, 3.0)
    assert processors.free(since) == 2  # nobody worked since: both processors are free
    assert time.monotonic() - since.at >= processors.SHORTEST


def test_an_old_sample_is_not_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(processors, "count", lambda: 2)
    monkeypatch.setattr(processors.os, "getloadavg", lambda: (3.0, 3.0, 3.0))
    since = CpuSample(at=100.0, busy=50.0, own=3.0)
    monkeypatch.setattr(processors, "sample", lambda: CpuSample(160.0, 50.0, 3.0))
    assert processors.free(since) == 1  # a minute of idle long ago; the load average says busy


@pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="Linux only")
def test_this_machine_gives_a_sample() -> None:
    first, second = processors.sample(), processors.sample()
    assert first is not None and second is not None
    assert second.at >= first.at and second.busy >= first.busy and second.own >= first.own


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="Linux only")
def test_a_running_child_is_this_process_own_work() -> None:
    """A parser process started early boots while the machine is sampled: its work is
    ours, not someone else's, though `os.times` counts it only once it has ended."""
    burn = "import time\nwhile time.process_time() < 0.3: pass\nprint(flush=True)\ntime.sleep(5)"
    child = subprocess.Popen([sys.executable, "-c", burn], stdout=subprocess.PIPE)
    try:
        before = processors.sample()
        assert child.stdout is not None and child.stdout.readline()  # 0.3 s of work done
        after = processors.sample()
        assert child.poll() is None  # still running: not in os.times yet
    finally:
        child.kill()
        child.wait()
    assert before is not None and after is not None
    assert after.own - before.own >= 0.25


@pytest.mark.parametrize(("others", "new", "booted"), [(0.3, 2, 2), (0.7, 1, 2), (1.2, 1, 1)])
def test_a_worker_already_booting_is_kept_on_a_processor_partly_free(
    others: float, new: int, booted: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its boot is paid for, and what the others leave of a processor still takes part
    of the parse off this one; a new worker needs most of a processor."""
    monkeypatch.setattr(processors, "count", lambda: 2)
    since = CpuSample(at=100.0, busy=50.0, own=3.0)
    now = CpuSample(at=100.2, busy=50.0 + others * 0.2, own=3.0)
    monkeypatch.setattr(processors, "sample", lambda: now)
    assert processors.free(since) == new
    assert processors.free(since, booted=True) == booted
