"""How many processors a big parse may use: the ones nobody else keeps busy.

A worker process only pays on a processor that is free. On a busy one, starting it costs
its boot (~0.25 s of imports and query compiling) and gains nothing: two processes on two
cores shared with two other busy ones took 4.2 s on ansible where one process alone took
3.1-3.6 s. The 1-minute load average answers late: a build that just ended, or the
benchmark's own single-core run, still counts for most of a minute. So where the system
says how busy its processors were (`/proc/stat` on Linux), the answer is what the other
processes used since a recent `CpuSample`, this process and its finished children (git)
left out, and so is work at a lower priority than ours; elsewhere it is the load average.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

SHORTEST = 0.05  # seconds: a shorter look at /proc/stat (100 ticks a second) says little
LONGEST = 5.0  # seconds: an older sample says how busy the machine was, not is


@dataclass(frozen=True)
class CpuSample:
    """The machine's busy processor-seconds and this process's own, at one moment."""

    at: float
    busy: float
    own: float


def sample() -> CpuSample | None:
    """None where the system does not say (not Linux, no /proc)."""
    try:
        with open("/proc/stat", "rb") as stat:
            ticks = [int(value) for value in stat.readline().split()[1:9]]
        per_second = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None
    idle = ticks[3] + ticks[4]  # idle, iowait
    if os.getpriority(os.PRIO_PROCESS, 0) <= 0:
        idle += ticks[1]  # niced work (a backup, an indexer) yields the processor to ours
    times = os.times()
    own = times.user + times.system + times.children_user + times.children_system
    return CpuSample(time.monotonic(), (sum(ticks) - idle) / per_second, own)


def count() -> int:
    try:
        return len(os.sched_getaffinity(0))  # honours taskset and container CPU limits
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def free(since: CpuSample | None = None) -> int:
    """Processors this process may parse on, itself included (at least 1)."""
    processors = count()
    busy = _others_busy(since)
    if busy is None:
        try:
            busy = os.getloadavg()[0]
        except (AttributeError, OSError):  # Windows; no load figure
            return processors
    return max(1, min(processors, 1 + int(processors - 1 - busy + 0.5)))


def _others_busy(since: CpuSample | None) -> float | None:
    """How many processors the other processes kept busy since `since`, on average. A
    look shorter than `SHORTEST` is made that long first: a cold start that lists its
    files in 30 ms (mypy) otherwise asked the load average, which still counted the
    minute before, and parsed 1,300 files on one processor of two idle ones."""
    if since is None:
        return None
    short = SHORTEST - (time.monotonic() - since.at)
    if short > 0:
        time.sleep(short)
    now = sample()
    if now is None or not SHORTEST <= now.at - since.at <= LONGEST:
        return None
    return max(0.0, (now.busy - since.busy) - (now.own - since.own)) / (now.at - since.at)
