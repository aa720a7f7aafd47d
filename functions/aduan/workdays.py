"""Working-day deadlines in Asia/Jakarta: weekends and Indonesian national holidays off.

The national LAPOR! service's targets: 3 working days to take a report up, then 5
more to follow it up. Holidays come from the maintained ``holidays`` package
(public holidays and the government's collective leave days, cuti bersama).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

WIB = ZoneInfo("Asia/Jakarta")
RESPONSE_DAYS = 3
FOLLOW_UP_DAYS = 5


@lru_cache(maxsize=8)
def _holidays(year: int) -> frozenset[date]:
    days = holidays.country_holidays("ID", years=year, categories=("public", "government"))
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: datetime, days: int) -> datetime:
    """The end (23:59:59 WIB) of the ``days``-th working day after ``start``'s day, as an aware datetime."""
    current = start.astimezone(WIB).date()
    remaining = days
    for _ in range(days * 7 + 60):  # bounded: no stretch of holidays is longer than this
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
            if remaining == 0:
                return datetime.combine(current, time(23, 59, 59), WIB)
    raise ValueError(f"no {days} working days found after {start.isoformat()}")


def due_dates(received: datetime) -> tuple[datetime, datetime]:
    """(taken-up by, followed-up by) for a report received at ``received``."""
    response = add_working_days(received, RESPONSE_DAYS)
    return response, add_working_days(response, FOLLOW_UP_DAYS)
