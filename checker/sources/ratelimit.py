"""A client-side rate limit that never sends faster than allowed and slows down when throttled.

Each operation gets its own limiter. Every request (first attempts and retries alike) waits
for its slot; slots are spaced at the current rate, which starts at the configured maximum,
drops by DECREASE on throttling and climbs back by INCREASE of the maximum per second
(additive increase, multiplicative decrease, as TCP and botocore's adaptive mode do).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

MIN_RATE = 0.5
"""Requests per second never drop below this: progress continues however hard we're throttled."""
DECREASE = 0.7
"""Factor applied to the rate on throttling."""
INCREASE = 0.05
"""Share of the maximum rate regained per second without throttling."""
DEBOUNCE = 0.5
"""Seconds within which further throttling answers count as the same event."""


class RateLimiter:
    """Thread-safe token bucket whose rate adapts to throttling, capped at `max_rate`."""

    def __init__(
        self,
        max_rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_rate <= 0:
            raise ValueError("max_rate must be positive")
        self.max_rate = max_rate
        self.rate = max_rate
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_free = clock()
        self._last_adjust = clock()
        self._last_decrease = float("-inf")

    def acquire(self) -> None:
        """Block until this caller may send one request.

        Requests are spaced 1/rate apart (a bucket of one token): however many threads wait,
        no second of wall time ever sees more than `max_rate` requests.
        """
        with self._lock:
            now = self._clock()
            self._recover(now)
            start = max(now, self._next_free)
            self._next_free = start + 1.0 / self.rate
        delay = start - now
        if delay > 0:
            self._sleep(delay)

    def throttled(self) -> None:
        """The service said slow down: cut the rate by DECREASE, once per DEBOUNCE seconds.

        Several threads hit by the same burst report it together: that is one decrease.
        """
        with self._lock:
            now = self._clock()
            if now - self._last_decrease < DEBOUNCE:
                return
            self._last_decrease = self._last_adjust = now
            self.rate = max(MIN_RATE, self.rate * DECREASE)
            self._next_free = max(self._next_free, now + 1.0 / self.rate)

    def _recover(self, now: float) -> None:
        if self.rate < self.max_rate:
            gained = INCREASE * self.max_rate * (now - self._last_adjust)
            self.rate = min(self.max_rate, self.rate + gained)
        self._last_adjust = now
