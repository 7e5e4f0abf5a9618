"""Legal deadlines of a meublé visit: report within one month, 15-day refusal window, validity in years."""

from __future__ import annotations

import calendar
import datetime as dt

REPORT_MONTHS = 1
REFUSAL_DAYS = 15


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later, clamped to the month's end (31 January + 1 month = 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def report_due(visited_on: dt.date) -> dt.date:
    """Last day to hand the certificat de visite to the owner (one month after the visit, D324-4)."""
    return add_months(visited_on, REPORT_MONTHS)


def refusal_window_end(received_on: dt.date) -> dt.date:
    """Last day on which the owner may refuse the proposed classement (15 days from receipt)."""
    return received_on + dt.timedelta(days=REFUSAL_DAYS)


def acquired_on(received_on: dt.date) -> dt.date:
    """The classement is acquired on the day after the refusal window (the 16th day) without refusal."""
    return refusal_window_end(received_on) + dt.timedelta(days=1)


def valid_until(start: dt.date, years: int) -> dt.date:
    """Last day of validity: the day before the anniversary `years` later."""
    return add_months(start, 12 * years) - dt.timedelta(days=1)
