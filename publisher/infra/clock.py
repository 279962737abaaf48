"""The build's one clock: which episodes are out, for the feed, the website and the
up-to-date record alike. Small on purpose: the no-op rebuild reads it before anything heavy
is imported."""

from __future__ import annotations

import calendar
import datetime as dt
import os
from collections.abc import Sequence

from publisher.errors import BuildError
from publisher.model.config import INTERVALS, Config

# Dates when the book gives none: fixed, so two builds of the same source are identical.
FALLBACK_DATE = dt.date(2000, 1, 1)


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


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def episode_date(config: Config, slug: str, number: int) -> dt.datetime:
    """When episode ``number`` (1-based) is published, in UTC.

    ``podcast.dates[slug]`` if set; else ``podcast.start`` plus ``number - 1`` intervals
    (monthly steps keep the day of the month); else the book's ``date`` (or a fixed date) for
    every episode, the whole book published at once. The time of day is ``number - 1``
    minutes after midnight, so episodes of the same day still sort in reading order.
    """
    podcast = config.podcast
    if slug in podcast.dates:
        day = podcast.dates[slug]
    elif podcast.start is not None:
        if podcast.interval == "monthly":
            day = _add_months(podcast.start, number - 1)
        else:
            day = podcast.start + dt.timedelta(days=INTERVALS[podcast.interval] * (number - 1))
    else:
        day = config.date or FALLBACK_DATE
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return start + dt.timedelta(minutes=number - 1)


def next_release(
    config: Config, chapters: Sequence[tuple[str, int]], now: dt.datetime
) -> dt.datetime | None:
    """When the next episode not out at ``now`` comes out (midnight UTC of its day), or None.

    ``chapters``: ``(slug, number)`` of each chapter. A build's output changes at that
    moment, so the up-to-date record expires then.
    """
    days = [episode_date(config, slug, number).date() for slug, number in chapters]
    future = [day for day in days if not released(day, now.date())]
    if not future:
        return None
    day = min(future)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
