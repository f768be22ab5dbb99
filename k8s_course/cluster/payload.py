"""What we send for one object: the learner's own text of its YAML document.

Sending the text as written (not our parse of it) lets the server judge what
the learner wrote, with its own YAML reader, and its line numbers (a
duplicate key is reported as "line 8") map straight back to the file. When
the text cannot be cut out cleanly (two objects in one chunk, a bundle built
in code) we send the parsed object as JSON, which is YAML too.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections import Counter
from typing import NamedTuple

from ..bundle import Bundle
from ..source import document_chunks  # the same `---` split the parser used


class Payload(NamedTuple):
    """The body of one apply call and the learner's line where it starts (0: not their text)."""

    text: str
    first_line: int


def payloads(bundle: Bundle) -> dict[int, Payload]:
    """id(resource) -> Payload, for every resource of the bundle."""
    chunks_by_file = {source.name: document_chunks(source.text.removeprefix("\ufeff"))
                      for source in bundle.sources}
    starts_by_file = {name: [chunk[0] for chunk in chunks]
                      for name, chunks in chunks_by_file.items()}
    chunk_of = {id(r): _chunk_of(chunks_by_file.get(r.file, []),
                                 starts_by_file.get(r.file, []), r.document.line)
                for r in bundle}
    # a chunk holding two objects (after a `...` end marker) cannot be sent as one
    shared = Counter((r.file, chunk_of[id(r)]) for r in bundle if chunk_of[id(r)])
    result = {}
    for resource in bundle:
        chunk = chunk_of[id(resource)]
        if chunk is not None and shared[(resource.file, chunk)] == 1:
            result[id(resource)] = Payload(chunk[1], chunk[0] + 1)
        else:
            result[id(resource)] = Payload(json.dumps(resource.body, default=str), 0)
    return result


def _chunk_of(chunks: list[tuple[int, str]], starts: list[int],
              line: int) -> tuple[int, str] | None:
    """The chunk (0-based first line, text) holding the given 1-based line.

    `starts` are the chunks' first lines, in order: a binary search keeps a
    file of thousands of documents linear overall.
    """
    index = bisect_left(starts, line) - 1
    return chunks[index] if index >= 0 else None
