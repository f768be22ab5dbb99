"""Rules of lesson 10 about CronJob schedules and time zones."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle
from ..findings import Finding
from ..graph import graph_of
from ._cron import schedule_hint, schedule_problem, time_zone_hint, time_zone_problem
from .catalogue import rule


@rule("cron-schedule-invalid", "error", "10-jobs#schedule")
def cron_schedule_invalid(bundle: Bundle) -> Iterator[Finding]:
    """A CronJob schedule the API server cannot parse.

    Why: the schedule has exactly five fields, minute (0-59), hour (0-23),
    day of month (1-31), month (1-12 or jan-dec) and day of week (0-6 or
    sun-sat, Sunday is 0), each a number, a `*`, a range `a-b`, a list
    `a,b` or a step `*/15`; or one macro: @hourly, @daily, @weekly,
    @monthly, @yearly. There is no seconds field, and the time zone goes
    in `timeZone`, not in the schedule.

    Bad (error):

        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: backup
        spec:
          schedule: "0 2 * *"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers:
                    - name: backup
                      image: busybox:1.37
                      command: ["echo", "backup"]

    Bad (error):

        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: backup
        spec:
          schedule: "@dayly"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers:
                    - name: backup
                      image: busybox:1.37
                      command: ["echo", "backup"]

    Good:

        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: backup
        spec:
          schedule: "0 2 * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers:
                    - name: backup
                      image: busybox:1.37
                      command: ["echo", "backup"]
    """
    for cronjob in graph_of(bundle).of_kind("CronJob"):
        schedule = cronjob.get(("spec", "schedule"))
        if not isinstance(schedule, str):
            continue  # missing or not text: the schema's finding
        problem = schedule_problem(schedule)
        if problem:
            yield cronjob.finding(("spec", "schedule"), f"schedule {schedule!r}: {problem}",
                                  schedule_hint(schedule), at_value=True)


@rule("cron-time-zone-invalid", "error", "10-jobs#time-zone")
def cron_time_zone_invalid(bundle: Bundle) -> Iterator[Finding]:
    """A CronJob timeZone that is not a zone of the IANA time zone database.

    Why: `timeZone` names the zone the schedule is read in, spelt as in
    the IANA database (`Europe/Paris`, `America/New_York`, `UTC`), with the
    same capital letters. `Local` and abbreviations that are not zone
    names, such as `PST` or `IST`, are refused. Without timeZone the schedule
    follows the clock of the cluster's controller manager.

    Bad (error):

        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: backup
        spec:
          schedule: "0 2 * * *"
          timeZone: Europe/Pariss
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers:
                    - name: backup
                      image: busybox:1.37
                      command: ["echo", "backup"]

    Good:

        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: backup
        spec:
          schedule: "0 2 * * *"
          timeZone: Europe/Paris
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers:
                    - name: backup
                      image: busybox:1.37
                      command: ["echo", "backup"]
    """
    for cronjob in graph_of(bundle).of_kind("CronJob"):
        zone = cronjob.get(("spec", "timeZone"))
        if not isinstance(zone, str):
            continue
        problem = time_zone_problem(zone)
        if problem:
            yield cronjob.finding(("spec", "timeZone"), f"timeZone: {problem}",
                                  time_zone_hint(zone), at_value=True)
