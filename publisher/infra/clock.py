"""The build's one clock: which episodes are out, for the feed, the website and the
up-to-date record alike. Small on purpose: the no-op rebuild reads it before anything heavy
is imported."""

from __future__ import annotations

import datetime as dt
import os

from publisher.errors import BuildError


def build_now() -> dt.datetime:
    """The moment that decides which episodes are out: ``SOURCE_DATE_EPOCH`` (seconds since 1970,
    the reproducible-builds convention) if set, else the clock; in UTC. The feed and the
    website both ask this one function, so they agree, and a build is reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None or not epoch.strip():
        return dt.datetime.now(dt.UTC)
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise BuildError(f"SOURCE_DATE_EPOCH={epoch!r}: not a number of seconds") from None


def released(day: dt.date, today: dt.date) -> bool:
    """Whether an episode dated ``day`` is out on ``today``: from its day on (UTC)."""
    return day <= today
