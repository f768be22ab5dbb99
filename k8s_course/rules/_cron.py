"""CronJob schedules and time zones, as the API server reads them.

The API server parses `spec.schedule` with the standard parser of the Go
library robfig/cron (v3): exactly five fields, or one of its `@` macros, and
it refuses `TZ=` / `CRON_TZ=` in the schedule (the `timeZone` field says
that). `spec.timeZone` must name a zone of the IANA time zone database.
This module re-implements those grammars; each `*_problem` returns "" when
the value is fine, or a sentence for a learner.
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from dataclasses import dataclass
from functools import cache

FIELD_ORDER = "minute hour day-of-month month day-of-week"
MACROS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
_GO_DURATION = re.compile(r"[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+|[-+]?0")
_INTEGER = re.compile(r"[+-]?\d+")
# A zone name part, as the API server checks it before looking the zone up.
_ZONE_PART = re.compile(r"[A-Za-z.\-_0-9+]{1,14}")

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int]


_FIELDS = (
    _Field("minute", 0, 59, {}),
    _Field("hour", 0, 23, {}),
    _Field("day-of-month", 1, 31, {}),
    _Field("month", 1, 12, {name: i + 1 for i, name in enumerate(_MONTHS)}),
    # The Go library stops at 6 (Saturday): unlike some crons, 7 is not Sunday.
    _Field("day-of-week", 0, 6, {name: i for i, name in enumerate(_DAYS)}),
)


def _number(text: str, field: _Field) -> int | str:
    """The value of one bound (a number or, for months and days, a name), or a problem."""
    if text.lower() in field.names:
        return field.names[text.lower()]
    if not _INTEGER.fullmatch(text):
        words = " or a name such as " + ("jan" if field.name == "month" else "mon") \
            if field.names else ""
        return f"{text!r} in the {field.name} field is not a number{words}"
    if int(text) < 0:
        return f"negative numbers are not allowed ({text} in the {field.name} field)"
    return int(text)


def _range_problem(expression: str, field: _Field) -> str:
    """One comma-separated piece of a field: `*`, `N`, `N-M`, each with an optional `/step`."""
    span, *steps = expression.split("/")
    if len(steps) > 1:
        return f"{expression!r} has more than one '/'"
    bounds = span.split("-")
    if bounds[0] in ("*", "?"):
        start, end = field.low, field.high
    else:
        if len(bounds) > 2:
            return f"{expression!r} has more than one '-'"
        if "" in bounds:
            return (f"{expression!r} in the {field.name} field is not a number or a range "
                    "(negative numbers are not allowed)")
        values = [_number(bound, field) for bound in bounds]
        problem = next((v for v in values if isinstance(v, str)), "")
        if problem:
            return problem
        start, end = values[0], values[-1]
        if steps and len(bounds) == 1:
            end = field.high  # `5/15` means 5, 20, 35, 50: from 5 to the end, every 15
    if steps:
        step = _number(steps[0], _Field(field.name, 0, 0, {}))
        if isinstance(step, str):
            return step
        if step == 0:
            return f"the step in {expression!r} must be a positive number"
    if start < field.low or end > field.high:
        wrong = start if start < field.low else end
        return (f"{wrong} is out of range for the {field.name} field "
                f"({field.low}-{field.high})")
    if start > end:
        return f"the range {span!r} in the {field.name} field goes backwards"
    return ""


@cache
def schedule_problem(schedule: str) -> str:
    """Why the API server refuses this CronJob schedule ("" when it accepts it)."""
    if not schedule:
        return "the schedule is empty"
    if "TZ" in schedule:
        return "a time zone cannot be written in the schedule (TZ= or CRON_TZ=)"
    if schedule.startswith("@"):
        if schedule in MACROS:
            return ""
        if schedule.startswith("@every "):
            if _GO_DURATION.fullmatch(schedule[len("@every "):]):
                return ""
            return f"{schedule[len('@every '):]!r} is not a duration such as 90s, 15m or 1h30m"
        return f"{schedule.split()[0]!r} is not one of the schedule macros ({', '.join(MACROS)})"
    fields = schedule.split()
    if len(fields) != 5:
        return (f"the schedule has {len(fields)} field{'s' if len(fields) != 1 else ''}; "
                f"it needs exactly 5: {FIELD_ORDER}")
    for text, field in zip(fields, _FIELDS, strict=True):
        for piece in (p for p in text.split(",") if p):
            problem = _range_problem(piece, field)
            if problem:
                return problem
    return ""


def schedule_hint(schedule: str) -> str:
    """A corrected schedule, or the grammar, for a schedule the server refuses."""
    if "TZ" in schedule:
        zone = re.search(r"TZ=(\S+)", schedule)
        rest = re.sub(r"^\s*(CRON_)?TZ=\S*\s*", "", schedule)
        return (f"write `schedule: \"{rest}\"` and `timeZone: {zone.group(1)}` as its own field"
                if zone else "move the time zone to the `timeZone` field")
    if schedule.startswith("@every"):
        return "write a Go duration after `@every `, e.g. `@every 30m` or `@every 1h30m`"
    meant = difflib.get_close_matches(schedule.split()[0].lower(), MACROS, n=1) \
        if schedule.startswith("@") else []
    if meant:
        return f"did you mean `{meant[0]}`?"
    fields = schedule.split()
    if len(fields) == 6:
        return ("a CronJob has no seconds field: drop the first field, e.g. "
                f"`\"{' '.join(fields[1:])}\"`")
    if len(fields) == 5 and re.search(r"(^|[-,])7($|[-,/])", fields[4]):
        return "Sunday is 0 (or `sun`) in the day-of-week field; 7 is refused"
    return (f"five fields: {FIELD_ORDER}; e.g. `\"0 2 * * *\"` runs every day at 02:00, "
            "`\"*/15 * * * *\"` every 15 minutes")


@cache
def _zones() -> frozenset[str]:
    try:
        return frozenset(zoneinfo.available_timezones())
    except (OSError, ValueError):  # no time zone database on this machine
        return frozenset()


def time_zone_problem(zone: str) -> str:
    """Why the API server refuses this `timeZone` ("" when it accepts it)."""
    if not zone:
        return "the time zone is empty; leave timeZone out to use the controller's zone"
    if zone.lower() == "local":
        return "'Local' is not allowed; name an explicit zone such as Europe/Paris"
    parts = zone.split("/")
    if any(p in (".", "..") or p.startswith("-") or not _ZONE_PART.fullmatch(p) for p in parts):
        return f"{zone!r} is not a time zone name (like Europe/Paris or UTC)"
    zones = _zones()
    if zones and zone not in zones and zone != "UTC":
        return f"{zone!r} is not a zone of the IANA time zone database"
    return ""


def time_zone_hint(zone: str) -> str:
    """The zone the learner probably meant."""
    zones = _zones()
    by_lower = {z.lower(): z for z in zones}
    meant = by_lower.get(zone.lower()) or next(iter(difflib.get_close_matches(
        zone.lower(), list(by_lower), n=1, cutoff=0.8)), "")
    if meant:
        return f"did you mean `timeZone: {by_lower.get(meant, meant)}`?"
    return "write an IANA zone name: `Europe/Paris`, `America/New_York`, `Asia/Tokyo` or `UTC`"
