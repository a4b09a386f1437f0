# SPDX-License-Identifier: MIT
"""Waiting for a condition, for the attestd tests: the condition decides, the deadline only ends a wait that failed."""
import time


def wait_for(cond, seconds):
    """Polls cond until it holds or the deadline passes; returns its last value."""
    end = time.monotonic() + seconds
    while True:
        v = cond()
        if v or time.monotonic() > end:
            return v
        time.sleep(0.05)
