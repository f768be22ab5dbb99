"""A class list -> learners, each with the namespace they will own on the shared cluster.

The roster is a CSV file with a header; the `name` column is required, a
`namespace` column is optional (default: the prefix and the name in
lower-case letters, digits and dashes, as a namespace name must be).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

DEFAULT_PREFIX = "learner-"
_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
MAX_NAMESPACE = 63  # a namespace name is a DNS label


@dataclass(frozen=True)
class Learner:
    name: str  # as the instructor wrote it: "Ada Lovelace"
    namespace: str  # "learner-ada-lovelace"


class RosterError(Exception):
    """The roster cannot be used; the message names the line and what to change."""


def namespace_for(name: str, prefix: str = DEFAULT_PREFIX) -> str:
    """"Ada Lovelace" -> "learner-ada-lovelace"; accents dropped, at most 63 characters."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    return (prefix + slug)[:MAX_NAMESPACE].rstrip("-")


def read_roster(text: str, prefix: str = DEFAULT_PREFIX) -> list[Learner]:
    """The learners of a roster's CSV text, in its order; RosterError when it cannot be used."""
    # (line number, cells) of every line that is not blank; a name may not span lines
    rows = [(number, row) for number, row in enumerate(
        csv.reader(io.StringIO(text.removeprefix("\ufeff"))), 1)
        if any(cell.strip() for cell in row)]
    if not rows:
        raise RosterError("the roster is empty: write a header line `name` and one learner a line")
    header = [cell.strip().lower() for cell in rows[0][1]]
    if "name" not in header:
        raise RosterError(f"the roster's first line must be a header with a `name` column "
                          f"(found: {', '.join(header) or 'nothing'})")
    name_at = header.index("name")
    namespace_at = header.index("namespace") if "namespace" in header else None
    learners: list[Learner] = []
    used: dict[str, int] = {}
    for line, row in rows[1:]:
        name = row[name_at].strip() if name_at < len(row) else ""
        if not name:
            raise RosterError(f"line {line}: no name")
        if not name.isprintable():
            raise RosterError(f"line {line}: the name holds control characters")
        given = row[namespace_at].strip() if namespace_at is not None and namespace_at < len(
            row) else ""
        if not given and not namespace_for(name, ""):
            raise RosterError(f"line {line}: {name!r} has no letter or digit a namespace name "
                              "can use: give one in a `namespace` column")
        namespace = given or namespace_for(name, prefix)
        if not _LABEL.fullmatch(namespace) or len(namespace) > MAX_NAMESPACE:
            raise RosterError(f"line {line}: {namespace!r} cannot be a namespace name (lower-case "
                              "letters, digits and '-', at most 63): give one in a `namespace` "
                              "column")
        if namespace in used:
            raise RosterError(f"lines {used[namespace]} and {line} both get namespace "
                              f"{namespace}: give one of them another in a `namespace` column")
        used[namespace] = line
        learners.append(Learner(name, namespace))
    return learners
