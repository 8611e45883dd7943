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

import math
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
    own = _own_cpu() + _children_busy(per_second)
    return CpuSample(time.monotonic(), (sum(ticks) - idle) / per_second, own)


def _own_cpu() -> float:
    """The processor-seconds of this process and its ended children, to the microsecond:
    `os.times` rounds each figure down to a tick (10 ms), which in a 50 ms look made our
    own work look like someone else's."""
    import resource  # Unix only, as is /proc/stat

    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(part.ru_utime + part.ru_stime for part in usage)


def _children_busy(per_second: int) -> float:
    """The processor-seconds of this process's running children (worker processes, git),
    which `os.times` counts only once they have ended and been waited for: a parser
    started early (`RepoIndex.prestart_early`) boots while the machine is sampled, and is
    not someone else."""
    seconds = 0.0
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return seconds
    for task in tasks:
        try:
            with open(f"/proc/self/task/{task}/children", "rb") as children:
                pids = children.read().split()
        except OSError:
            continue
        for pid in pids:
            try:
                with open(b"/proc/%s/stat" % pid, "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
                seconds += (int(fields[11]) + int(fields[12])) / per_second  # utime, stime
            except (OSError, ValueError, IndexError):
                continue
    return seconds


def count() -> int:
    try:
        return len(os.sched_getaffinity(0))  # honours taskset and container CPU limits
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def free(since: CpuSample | None = None, *, booted: bool = False) -> int:
    """Processors this process may parse on, itself included (at least 1). A processor
    counts when the others left most of it idle; with `booted` (a worker has started
    already and its boot is paid for), when they left any of it idle, since half a
    processor still takes half the parse off this one. A 50 ms look is ±0.3 processors
    of noise, and a booted worker dropped at 0.6 made a cold start 10-25 % slower."""
    processors = count()
    busy = _others_busy(since)
    if busy is None:
        try:
            busy = os.getloadavg()[0]
        except (AttributeError, OSError):  # Windows; no load figure
            return processors
    spare = processors - busy
    return max(1, min(processors, math.ceil(spare - 0.05) if booted else int(spare + 0.5)))


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
