"""ISO weeks in Asia/Jakarta: a digest covers Monday 00:00 to Sunday 24:00 WIB."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from aduan.workdays import WIB

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """``2026-W48`` → IsoWeek; ValueError for anything else (it comes from a URL or a shell)."""
        match = _WEEK.match(text.strip())
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
