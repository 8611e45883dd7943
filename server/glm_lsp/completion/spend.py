"""The hourly spending cap of inline completion: each suggestion is a paid request."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

HOUR = 3600.0


@dataclass
class HourlySpend:
    """Costs of the last rolling hour. Past `cap` dollars completion pauses until old
    requests leave the window; `paused` turns True once per pause, for one message."""

    clock: Callable[[], float] = time.monotonic
    spent: deque[tuple[float, float]] = field(default_factory=deque)
    told: bool = False  # the user was told about the current pause

    def add(self, cost: float) -> None:
        self.spent.append((self.clock(), cost))

    def last_hour(self) -> float:
        now = self.clock()
        while self.spent and self.spent[0][0] <= now - HOUR:
            self.spent.popleft()
        return sum(cost for _, cost in self.spent)

    def over(self, cap: float) -> bool:
        """Whether the cap is reached; a new pause after a quiet spell is told anew."""
        over = self.last_hour() >= cap
        if not over:
            self.told = False
        return over

    def first_notice(self) -> bool:
        """True the first time it is asked during a pause."""
        first, self.told = not self.told, True
        return first
