"""Digest periods in Asia/Jakarta: an ISO week (Monday 00:00 to Sunday 24:00 WIB) or, for agencies
that chose daily digests, one day (00:00 to 24:00 WIB). Both answer the same questions, so the
digest's model, templates and ledger work with either."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from aduan.workdays import WIB

_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int
    kind = "weekly"

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """``2026-W48`` → IsoWeek; ValueError for anything else (it comes from a URL or a shell)."""
        match = _WEEK.fullmatch(text.strip())
        if not match:
            raise ValueError(f"week must look like 2026-W48, got {text!r}")
        year, week = int(match[1]), int(match[2])
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValueError(f"{text!r} is not a week of {year}") from None
        return cls(year, week)

    @classmethod
    def containing(cls, moment: datetime) -> IsoWeek:
        year, week, _ = moment.astimezone(WIB).isocalendar()
        return cls(year, week)

    @classmethod
    def previous_to(cls, moment: datetime) -> IsoWeek:
        """The last complete week before ``moment``: what Monday morning's run reports on."""
        return cls.containing(moment).shifted(-1)

    def shifted(self, weeks: int) -> IsoWeek:
        return IsoWeek.containing(self.start + timedelta(weeks=weeks))

    @property
    def first_day(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=6)

    @property
    def start(self) -> datetime:
        """Monday 00:00 WIB, inclusive."""
        return datetime.combine(self.first_day, time(0), WIB)

    @property
    def end(self) -> datetime:
        """The next Monday 00:00 WIB, exclusive (Sunday 24:00)."""
        return self.start + timedelta(days=7)

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


@dataclass(frozen=True, order=True)
class Day:
    day: date
    kind = "daily"

    @classmethod
    def parse(cls, text: str) -> Day:
        """``2026-11-30`` → Day; ValueError for anything else."""
        match = _DAY.fullmatch(text.strip())
        if not match:
            raise ValueError(f"day must look like 2026-11-30, got {text!r}")
        try:
            return cls(date(int(match[1]), int(match[2]), int(match[3])))
        except ValueError:
            raise ValueError(f"{text!r} is not a date") from None

    @classmethod
    def containing(cls, moment: datetime) -> Day:
        return cls(moment.astimezone(WIB).date())

    @classmethod
    def previous_to(cls, moment: datetime) -> Day:
        """Yesterday in WIB: what the morning's daily run reports on."""
        return cls.containing(moment).shifted(-1)

    def shifted(self, days: int) -> Day:
        return Day(self.day + timedelta(days=days))

    @property
    def first_day(self) -> date:
        return self.day

    @property
    def last_day(self) -> date:
        return self.day

    @property
    def start(self) -> datetime:
        return datetime.combine(self.day, time(0), WIB)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=1)

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def __str__(self) -> str:
        return self.day.isoformat()


Period = IsoWeek | Day
