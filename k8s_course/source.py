"""YAML/JSON text -> documents with a source map, safely.

We build values from libyaml's event stream ourselves instead of calling
`yaml.load`: it lets one pass catch duplicate keys (PyYAML keeps the last
silently), YAML-1.1 traps, unsafe tags, alias bombs and runaway nesting, and
it never recurses (libyaml's C composer crashes the process on deep nesting).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path as FsPath
from typing import Any

import yaml
from yaml import events as ev
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from .findings import Finding, Path, Severity

MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 100
MAX_NODES_PER_DOCUMENT = 100_000
LESSON_YAML = "01-manifest-anatomy#yaml"
# Plain scalars take an inlined copy of the general path (_scalar and what it
# calls), the event walk's hot spot. The general path is the reference: with
# this False every event takes it, and tests/test_source_paths.py and
# benchmarks/parse_candidates.py check that both give the same documents and findings.
INLINE_SCALARS = True

try:  # libyaml's parser alone: the loader around it builds a constructor we never use
    from yaml._yaml import CParser as _Loader
except ImportError:  # PyYAML without libyaml: the same events, from Python
    _Loader = yaml.SafeLoader
# A document starts at a `---` line, or at the directives (`%YAML`, `%TAG`) that
# lead it when they open the text or follow a `...` line.
_DOC_START = re.compile(
    r"^(?:(?:\A|(?<=^\.\.\.\n)|(?<=^\.\.\.\r\n))(?:%[^\r\n]*(?:\r\n|\r|\n))+)?"
    r"---(?=[ \t\r\n]|$)", re.MULTILINE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n|\x85|\u2028|\u2029")
_PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_PLAIN_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_SAFE_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:omap", "tag:yaml.org,2002:set", "!",
}
_MERGE = "tag:yaml.org,2002:merge"


@dataclass(slots=True)
class Source:
    """One input the learner gave us: a file, a cell, or stdin."""

    name: str
    text: str


@dataclass(slots=True)
class Document:
    """One YAML document, with where each of its fields was written.

    `spans[path] = (key_line, key_col, value_line, value_col)`, 1-based; for
    list items the key position is the value position (the root's is `line`
    and `column`).
    `traps[path]` holds the spelling of plain scalars that YAML 1.1 turned
    into a non-string (`no`, `0755`, `12:30`), for the schema stage to explain.
    """

    file: str
    index: int
    value: Any
    line: int
    column: int
    spans: dict[Path, tuple[int, int, int, int]] = field(default_factory=dict)
    traps: dict[Path, str] = field(default_factory=dict)

    def locate(self, path: Path, *, key: bool = True) -> tuple[int, int]:
        """Line and column of `path`, or of its nearest written ancestor."""
        spans = self.spans
        while path:
            span = spans.get(path)
            if span is not None:
                return (span[0], span[1]) if key else (span[2], span[3])
            path = path[:-1]
        return self.line, self.column


def split_lines(text: str) -> list[str]:
    """Lines as YAML counts them (so positions and carets agree)."""
    return _LINE_BREAK.split(text)


def position_of(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    before = text[:index]
    breaks = list(_LINE_BREAK.finditer(before))
    if not breaks:
        return 1, index + 1
    return len(breaks) + 1, index - breaks[-1].end() + 1


def decode(name: str, data: bytes) -> tuple[Source | None, list[Finding]]:
    """Bytes -> text, or a finding that says why it is not text we can read."""
    if len(data) > MAX_BYTES:
        return None, [_too_large(name, len(data))]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return Source(name, data.decode("utf-16")), []
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        return None, [_binary(name, data[:data.index(b"\x00")].decode("utf-8", "replace"))]
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        # error.start counts from after the byte order mark; the offset told counts the file's bytes
        start = bom + error.start
        good = data[bom:start].decode("utf-8")  # all valid: the first bad byte is at start
        line, column = position_of(good, len(good))
        return None, [Finding(
            "yaml-invalid-utf8", Severity.ERROR,
            f"byte 0x{data[start]:02x} at offset {start} is not valid UTF-8 text",
            "save the file as UTF-8 (most editors have it under 'Save with encoding'); "
            "if this is not a YAML file, check that you picked the right one",
            name, line, column, lesson=LESSON_YAML,
        )]
    return Source(name, text), []


def _binary(name: str, before: str) -> Finding:
    """The finding for a NUL character; `before` is the text in front of it."""
    line, column = position_of(before, len(before))
    return Finding(
        "yaml-binary", Severity.ERROR,
        "this looks like a binary file, not YAML text (it contains a NUL byte)",
        "open the manifest you wrote (a .yaml file), not an image, archive or program",
        name, line, column, lesson=LESSON_YAML,
    )


def _surrogate(name: str, line: int, column: int) -> Finding:
    return Finding(
        "yaml-invalid-utf8", Severity.ERROR,
        "the text contains a broken character (half of a UTF-16 pair) that no file can hold",
        "delete the character and type it again; it usually comes from a bad copy and paste",
        name, line, column, lesson=LESSON_YAML,
    )


def _too_large(name: str, size: int) -> Finding:
    return Finding(
        "yaml-too-large", Severity.ERROR,
        f"the input is {size / 1048576:.1f} MB; the checker reads at most "
        f"{MAX_BYTES // 1048576} MB",
        "split it into smaller files; a manifest is rarely more than a few kilobytes",
        name, lesson=LESSON_YAML,
    )


def read_path(path: FsPath) -> tuple[Source | None, list[Finding]]:
    """Read a file as a Source, or say why it cannot be read."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, [_too_large(name, size)]
        with path.open("rb") as handle:
            # at most one byte past the cap: a device (/dev/zero) or a pipe has no size
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return None, [Finding(
            "file-unreadable", Severity.ERROR, f"cannot read {name}: {reason}",
            "check the file name and that the file exists", name,
        )]
    return decode(name, data)


def parse(source: Source) -> tuple[list[Document], list[Finding]]:
    """All documents of one source, and every finding about its YAML."""
    text = source.text
    findings: list[Finding] = []
    if len(text) > MAX_BYTES:
        return [], [_too_large(source.name, len(text))]
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        return [], [_binary(source.name, text[:text.index("\x00")])]
    documents: list[Document] = []
    index = 0
    chunks = []  # (first line, text, starts without its `---`)
    for start_line, chunk in document_chunks(text):
        parts = _run_together(chunk)
        chunks += [(start_line + line, part, i > 0) for i, (line, part) in enumerate(parts)]
    for start_line, chunk, run_together in chunks:
        if run_together:
            findings.append(_missing_separator(source.name, start_line, chunk, index))
        builder = _Builder(source.name, start_line, index, findings)
        try:
            builder.run(chunk)
        except yaml.MarkedYAMLError as error:
            findings.append(syntax_finding(source.name, error, start_line, chunk))
        except yaml.reader.ReaderError as error:  # control characters
            findings.append(_reader_finding(source.name, error, start_line, chunk))
        except UnicodeEncodeError as error:  # a str with lone surrogates cannot reach libyaml
            line, column = position_of(chunk, error.start)
            findings.append(_surrogate(source.name, start_line + line, column))
            break
        documents.extend(builder.documents)
        index = builder.index
    if not documents and not any(f.severity is Severity.ERROR for f in findings):
        findings.append(Finding(
            "empty-file", Severity.ERROR,
            "there is no Kubernetes object here: the text is empty or only comments",
            "write a manifest: apiVersion, kind, metadata and spec",
            source.name, lesson="01-manifest-anatomy#anatomy",
        ))
    return documents, _inside(findings, text)


def _inside(findings: list[Finding], text: str) -> list[Finding]:
    """Findings moved onto the last line where libyaml points below it.

    libyaml reports "end of stream" at the first column of the line below a
    last line that has no line break; a caret there would point at nothing.
    """
    if not findings:
        return findings
    last = len(split_lines(text))
    return [replace(finding, line=min(finding.line, last)) for finding in findings]


def document_chunks(text: str) -> list[tuple[int, str]]:
    """Split at `---` lines so one broken document does not hide the next.

    A `---` at the start of a line always starts a document in YAML, even
    inside a block scalar, so splitting there never changes the meaning.
    """
    starts = [m.start() for m in _DOC_START.finditer(text)]
    if not starts or starts[0]:  # the text before the first `---` is a chunk too
        starts.insert(0, 0)
    chunks = []
    line = 0
    for begin, end in pairwise([*starts, len(text)]):
        chunks.append((line, text[begin:end]))
        line += len(_LINE_BREAK.findall(text, begin, end))
    return chunks


# A top-level `apiVersion:` or `kind:` key: written at the first column of a block mapping.
_IDENTITY_KEY = re.compile(r"^(apiVersion|kind)[ \t]*:(?=[ \t\r\n]|$)", re.MULTILINE)


def _run_together(chunk: str) -> list[tuple[int, str]]:
    """A chunk cut where a second top-level apiVersion or kind starts another object.

    Two objects with no `---` between them read as one mapping whose keys are
    all written twice; cut apart, each is checked as the object it is. A
    top-level key sits at column 0, where a block scalar's lines never are.
    (first line within the chunk, 0-based; text) for each part.
    """
    if chunk.count("apiVersion") < 2 and chunk.count("kind") < 2:
        return [(0, chunk)]  # the usual chunk: one object, and no scan needed
    seen: set[str] = set()
    cuts: list[int] = []
    keys = list(_IDENTITY_KEY.finditer(chunk))
    for found, after in pairwise([*keys, None]):
        key = found.group(1)
        # a new object brings its other identity key next; else it is one key written twice
        if key in seen and after is not None and after.group(1) != key:
            cuts.append(found.start())
            seen = set()
        seen.add(key)
    if not cuts:
        return [(0, chunk)]
    parts, line = [], 0
    for begin, end in pairwise([0, *cuts, len(chunk)]):
        parts.append((line, chunk[begin:end]))
        line += len(_LINE_BREAK.findall(chunk, begin, end))
    return parts


def _missing_separator(file: str, line: int, part: str, document: int) -> Finding:
    """The finding for an object cut from the one above it (`part` starts at its key)."""
    key = part.partition(":")[0].strip()
    return Finding(
        "yaml-missing-separator", Severity.ERROR,
        f"a second `{key}:` starts another object on line {line + 1}, but no `---` line "
        "separates it from the one above, so YAML reads both as one object",
        f"put a line with `---` above line {line + 1}", file, line + 1, 1,
        lesson="01-manifest-anatomy#anatomy", document=document)


# --- building values from events -------------------------------------------

_resolver = Resolver()
_constructor = SafeConstructor()
_plain_cache: dict[str, tuple[Any, bool]] = {}
# Booleans of YAML 1.1 that kubectl's YAML reader (sigs.k8s.io/yaml) knows and PyYAML does not.
_GO_YAML_BOOLEANS = frozenset({"y", "Y", "n", "N"})


def _plain(value: str) -> tuple[Any, bool]:
    """Value of an unquoted scalar, and whether it is a trap: YAML 1.1 made it a non-string.

    Callers look in `_plain_cache` first (a call costs more than the lookup); this fills it.
    """
    tag = _resolver.resolve(ScalarNode, value, (True, False))
    if value in _GO_YAML_BOOLEANS:  # PyYAML keeps these as text; kubectl's reader does not
        tag = "tag:yaml.org,2002:bool"
    result: tuple[Any, bool]
    if tag == "tag:yaml.org,2002:null":
        result = (None, False)
    elif tag == "tag:yaml.org,2002:bool":
        parsed = value.lower() in ("yes", "true", "on", "y")
        result = (parsed, value.lower() not in ("true", "false"))
    elif tag in _NUMBER_TAGS:
        result = _number(tag, value)
    elif tag == _MERGE:
        result = (_MergeKey, False)
    elif tag == "tag:yaml.org,2002:str" and _PLAIN_FLOAT.fullmatch(value):
        result = _go_yaml_float(value)
    else:  # text; and timestamps and `=`, which Kubernetes reads as strings
        result = (value, False)
    if len(_plain_cache) > 4096:
        _plain_cache.clear()
    _plain_cache[value] = result
    return result


_NUMBER_TAGS = {"tag:yaml.org,2002:int": ("construct_yaml_int", _PLAIN_INT),
                "tag:yaml.org,2002:float": ("construct_yaml_float", _PLAIN_FLOAT)}


def _number(tag: str, value: str) -> tuple[Any, bool]:
    """A plain scalar YAML 1.1 resolves as a number; kept as text if Python cannot read it.

    The resolver accepts spellings its constructor rejects (`0x_`) and numbers
    longer than Python converts (over 4,300 digits); Kubernetes would refuse
    both, and the schema stage says so when it sees text where a number goes.
    """
    method, plain = _NUMBER_TAGS[tag]
    if ":" in value:
        # base 60 (`12:30` = 750) is YAML 1.1 only: kubectl's reader keeps it as text,
        # so that is the value we check; the spelling is kept for a warning
        return value, True
    try:
        parsed = getattr(_constructor, method)(ScalarNode(tag, value))
    except ValueError:
        return value, False
    return parsed, not plain.fullmatch(value)


def _go_yaml_float(value: str) -> tuple[Any, bool]:
    """`1e3`: text to PyYAML (its floats need a dot and a signed exponent), a number to
    kubectl's reader, whose JSON writes 1000 for it; too large for a float stays text."""
    number = float(value)
    if math.isinf(number):
        return value, False
    return (int(number) if number.is_integer() else number), True


class _MergeKey:
    """Marker for the YAML merge key `<<`."""


class _Abort(Exception):
    """Stop building this document; a finding has been recorded."""


class _TooDeep(Exception):
    """Stop reading this chunk (libyaml is quadratic on deep nesting); a finding says why."""


@dataclass(slots=True)
class _Frame:
    container: dict | list
    path: Path
    size: int = 1
    key: Any = None
    key_mark: Any = None
    key_line: int = 0
    key_column: int = 0
    has_key: bool = False
    anchor: str | None = None
    start_mark: Any = None
    merges: list = field(default_factory=list)
    skip: bool = False  # a key (then dropped) or a merge's value: built, never placed


class _Builder:
    """Turns one chunk's events into Documents, recording findings."""

    def __init__(self, file: str, line_offset: int, first_index: int, findings: list[Finding]):
        self.file = file
        self.offset = line_offset
        self.index = first_index
        self.findings = findings
        self.documents: list[Document] = []

    def pos(self, mark) -> tuple[int, int]:
        return mark.line + 1 + self.offset, mark.column + 1

    def add(self, rule: str, mark, message: str, hint: str,
            severity: Severity = Severity.ERROR, path: Path = ()) -> None:
        line, column = self.pos(mark)
        self.findings.append(Finding(
            rule, severity, message, hint, self.file, line, column, path,
            lesson=LESSON_YAML, document=self.index,
        ))

    def run(self, chunk: str) -> None:
        loader = _Loader(chunk)
        # get_event straight from the C parser (None after the stream ends): yaml.parse
        # wraps it in a generator that costs a fifth of the parse on typical manifests.
        events = iter(loader.get_event, None)
        try:
            # (a chunk holds one document at most: after the first, YAML wants a `---`)
            for event in events:
                if type(event) is ev.DocumentStartEvent:
                    self._document(events, event)
        except _TooDeep:  # read no further
            self.index += 1
        finally:
            loader.dispose()

    def _document(self, events, start: ev.DocumentStartEvent) -> None:
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.root: Any = None
        self.root_mark: Any = None
        self.nodes = 0
        self.doc = Document(self.file, self.index, None, *self.pos(start.start_mark))
        self.spans = self.doc.spans
        handlers = {ev.MappingStartEvent: self._start, ev.SequenceStartEvent: self._start,
                    ev.MappingEndEvent: self._end, ev.SequenceEndEvent: self._end,
                    ev.AliasEvent: self._alias}
        scalar = self._scalar
        stack, spans, traps, offset = self.stack, self.spans, self.doc.traps, self.offset
        scalar_event, plain_cache, inline = ev.ScalarEvent, _plain_cache, INLINE_SCALARS
        try:
            for event in events:
                kind = type(event)
                if kind is not scalar_event:
                    if kind is ev.DocumentEndEvent:
                        break
                    handlers[kind](event)
                    continue
                # Most events are untagged scalars inside a mapping or list: they take
                # this inlined path (the same steps as _scalar -> _add_value -> _place
                # -> _attach); anything unusual takes the general one.
                top = stack[-1] if stack and inline else None
                if top is None or top.skip or event.anchor is not None or (
                        event.tag is not None):
                    scalar(event)
                    continue
                value = event.value
                trap = False
                if event.implicit[0]:  # plain, not quoted
                    value, trap = plain_cache.get(value) or _plain(value)
                    if value is _MergeKey:
                        scalar(event)
                        continue
                container = top.container
                if type(container) is list:
                    mark = event.start_mark
                    line, column = mark.line + 1 + offset, mark.column + 1
                    path = (*top.path, len(container))
                    spans[path] = (line, column, line, column)
                elif not top.has_key:
                    if type(value) is not str or value in container:
                        scalar(event)  # an odd or duplicate key: the general path says so
                        continue
                    mark = event.start_mark
                    top.has_key = True
                    top.key_line = mark.line + 1 + offset
                    top.key_column = mark.column + 1
                    top.key = value
                    self.nodes += 1
                    top.size += 1
                    if self.nodes > MAX_NODES_PER_DOCUMENT:
                        self._too_many(mark)
                    continue
                else:
                    key = top.key
                    if key is _MergeKey or key is _SKIP:
                        scalar(event)
                        continue
                    mark = event.start_mark
                    path = (*top.path, key)
                    spans[path] = (top.key_line, top.key_column, mark.line + 1 + offset,
                                   mark.column + 1)
                    top.has_key = False
                self.nodes += 1
                if self.nodes > MAX_NODES_PER_DOCUMENT:
                    self._too_many(mark)
                if trap:
                    traps[path] = event.value  # the spelling, for the schema stage's message
                top.size += 1
                if type(container) is list:
                    container.append(value)
                else:
                    container[path[-1]] = value
        except _Abort:  # run() reads on to the end of the chunk, past this document's events
            self.index += 1
            return
        self.doc.value = self.root
        self._judge_root()
        self.index += 1

    def _judge_root(self) -> None:
        doc, value = self.doc, self.doc.value
        # every document has a root node (an empty one, a null scalar), so root_mark is set
        if isinstance(value, dict):
            doc.line, doc.column = self.pos(self.root_mark)
            self.documents.append(doc)
        elif value is None:
            self.add("yaml-empty-document", self.root_mark,
                     f"document {self.index + 1} is empty; kubectl skips it",
                     "remove the extra `---`, or write an object under it", Severity.INFO)
        else:
            shape = "a list" if isinstance(value, list) else f"the plain value {value!r}"
            self.add("yaml-not-a-mapping", self.root_mark,
                     f"document {self.index + 1} is {shape}, not a Kubernetes object",
                     "a manifest is a mapping that starts with `apiVersion:` and `kind:`; "
                     "to write several objects, separate them with `---` lines")

    # The builder is a loop over events with an explicit stack, never a recursion.
    # Scalars are most of the events, so their path (_scalar -> _add_value -> _attach)
    # is kept short.

    def _unsafe_tag(self, event) -> None:
        shown = event.tag.replace("tag:yaml.org,2002:", "!!")
        self.add("yaml-unsafe-tag", event.start_mark,
                 f"the tag {shown} is not part of Kubernetes YAML; it is ignored here",
                 "remove the tag: Kubernetes reads plain YAML values only")

    def _scalar(self, event: ev.ScalarEvent) -> None:
        value: Any = event.value
        trap = False
        tag = event.tag
        if tag is None:  # `!` (the non-specific tag) keeps a scalar as text, as in kubectl
            if event.implicit[0]:  # plain, not quoted
                value, trap = _plain_cache.get(value) or _plain(value)
        elif tag in _TYPED_SCALAR_TAGS:
            value = _plain(value)[0]
        elif tag not in _SAFE_TAGS:
            self._unsafe_tag(event)
        self._add_value(value, event, 1, event.value if trap else None, event.value)

    def _alias(self, event: ev.AliasEvent) -> None:
        anchored = self.anchors.get(event.anchor)
        if anchored is None:
            self.add("yaml-undefined-alias", event.start_mark,
                     f"*{event.anchor} refers to an anchor &{event.anchor} that is not "
                     "defined before it (or is still being defined)",
                     f"define `&{event.anchor}` earlier in the same document, or write the "
                     "value out in full")
            anchored = (None, 1)
        value, size = anchored
        self._add_value(value, event, size, None, None)

    def _too_many(self, mark, alias: bool = False) -> None:
        """The document holds more values than the cap (counted by the caller): stop it."""
        if alias:
            self.add("yaml-alias-bomb", mark,
                     "aliases here expand to more than "
                     f"{MAX_NODES_PER_DOCUMENT:,} values (a 'billion laughs' file)",
                     "write the values out instead of nesting aliases of aliases")
        else:
            self.add("yaml-too-large", mark,
                     f"this document has more than {MAX_NODES_PER_DOCUMENT:,} values",
                     "split it into smaller documents")
        raise _Abort

    def _start(self, event) -> None:
        if event.tag and event.tag not in _SAFE_TAGS:
            self._unsafe_tag(event)
        stack = self.stack
        mark = event.start_mark
        if len(stack) >= MAX_DEPTH:
            line, column = self.pos(mark)
            self.findings.append(_too_deep(self.file, line, column, self.index))
            raise _TooDeep
        self.nodes += 1
        if self.nodes > MAX_NODES_PER_DOCUMENT:
            self._too_many(mark)
        path = self._place(mark)
        skip = path is None
        if skip:  # a key, or inside one: what is found in it is told on the mapping it sits in
            path = stack[-1].path
        container: dict | list = {} if type(event) is ev.MappingStartEvent else []
        stack.append(_Frame(container, path, anchor=event.anchor, skip=skip, start_mark=mark))
        if len(stack) == 1:
            self.root_mark = mark

    def _place(self, mark) -> Path | None:
        """Path of the node about to be added, its span recorded; None: a key, or dropped."""
        if not self.stack:
            return ()  # the root: its position is the document's
        line, column = mark.line + 1 + self.offset, mark.column + 1
        top = self.stack[-1]
        if top.skip:
            return None
        container = top.container
        if type(container) is list:
            path = (*top.path, len(container))
            self.spans[path] = (line, column, line, column)
            return path
        key = top.key
        if not top.has_key or key is _MergeKey or key is _SKIP:
            return None
        path = (*top.path, key)
        self.spans[path] = (top.key_line, top.key_column, line, column)
        return path

    def _end(self, _event=None) -> None:
        frame = self.stack.pop()
        container = frame.container
        if frame.merges:  # only a mapping has merges
            for merged, mark in frame.merges:
                for key, value in merged.items():
                    if key not in container:
                        container[key] = value
                        if not frame.skip:
                            line, column = self.pos(mark)
                            self.spans[(*frame.path, key)] = (line, column, line, column)
        if frame.anchor:
            self.anchors[frame.anchor] = (container, frame.size)
        self._attach(container, frame.size, frame.start_mark, None)

    def _add_value(self, value: Any, event, size: int, trap: str | None,
                   spelling: str | None) -> None:
        """A scalar or an alias: count it, remember its anchor, record its span, place it."""
        self.nodes += size
        if self.nodes > MAX_NODES_PER_DOCUMENT:
            self._too_many(event.start_mark, spelling is None)  # no spelling: an alias
        if spelling is not None and event.anchor:
            self.anchors[event.anchor] = (value, 1)
        mark = event.start_mark
        if not self.stack:
            self.root_mark = mark
        path = self._place(mark)
        if trap is not None and path is not None:
            self.doc.traps[path] = trap
        self._attach(value, size, mark, spelling)

    def _attach(self, value: Any, size: int, mark, spelling: str | None) -> None:
        """Put a finished node into its parent; `spelling` is a scalar's source text."""
        if value is _MergeKey and (not self.stack or type(self.stack[-1].container) is list
                                   or self.stack[-1].has_key):
            value = "<<"  # `<<` merges only as a key; anywhere else it is the text itself
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        top.size += size
        container = top.container
        if type(container) is list:
            container.append(value)
        elif not top.has_key:
            self._take_key(top, value, mark, spelling)
        else:
            key = top.key
            top.has_key = False
            if key is _MergeKey:
                self._merge(top, value, top.key_mark)
            elif key is not _SKIP:
                container[key] = value

    def _take_key(self, top: _Frame, key: Any, mark, spelling: str | None) -> None:
        top.has_key = True
        top.key_mark = mark
        line = top.key_line = mark.line + 1 + self.offset
        top.key_column = mark.column + 1
        if type(key) is not str:
            key = self._odd_key(top, key, mark, spelling)  # the merge key, _SKIP or text
        if key in top.container and not top.skip:
            first = self.spans[(*top.path, key)][0]  # recorded when its value was placed
            dotted = ".".join(str(p) for p in (*top.path, key))
            self.add("yaml-duplicate-key", mark,
                     f"{dotted} is written twice: first on line {first}, again on line {line}; "
                     "kubectl silently keeps only the last one",
                     "delete one of the two; if both were meant, one of them is "
                     "probably indented wrongly",
                     path=(*top.path, key))
        top.key = key

    def _odd_key(self, top: _Frame, key: Any, mark, spelling: str | None) -> Any:
        """A key that is not text: the merge key, a collection (dropped) or a number/bool."""
        if key is _MergeKey:
            return key
        if isinstance(key, dict | list):
            self.add("yaml-complex-key", mark,
                     "a list or mapping is used as a key; Kubernetes keys are plain text",
                     "write the key as plain text followed by a colon, e.g. `name: web`",
                     path=top.path)
            return _SKIP
        spelled = spelling if spelling is not None else str(key)  # an alias has no spelling
        self.add("yaml-non-string-key", mark,
                 f"the key {spelled} is read as {_KIND_OF_VALUE[type(key)]}"
                 ", not as text",
                 f'quote it: "{spelled}": ... (Kubernetes field names and data keys are text)',
                 Severity.WARNING, path=top.path)
        return spelled

    def _merge(self, top: _Frame, value: Any, mark) -> None:
        merged = value if isinstance(value, list) else [value]
        for item in merged:
            if isinstance(item, dict):
                top.merges.append((item, mark))
            else:
                self.add("yaml-bad-merge", mark,
                         "`<<` merges a mapping (usually `<<: *anchor`), but this value is not one",
                         "point `<<` at an anchored mapping, or remove it")


_TYPED_SCALAR_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                                "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"})


# What a key that is not text reads as: every scalar YAML 1.1 resolves to one of these
# (or to text: timestamps and `=` stay text here, and `<<` is the merge key).
_KIND_OF_VALUE = {bool: "true/false", int: "a number", float: "a number",
                  type(None): "an empty value"}
_SKIP = object()


def _too_deep(file: str, line: int, column: int, document: int) -> Finding:
    return Finding(
        "yaml-too-deep", Severity.ERROR,
        f"the nesting here is more than {MAX_DEPTH} levels deep",
        "a manifest is rarely more than 15 levels deep; look for runaway brackets "
        "or indentation",
        file, line, column, lesson=LESSON_YAML, document=document,
    )


# --- syntax errors in a learner's words ------------------------------------

def syntax_finding(file: str, error: yaml.MarkedYAMLError, line_offset: int,
                   chunk: str) -> Finding:
    """A libyaml error, rephrased with its likely cause."""
    # libyaml and PyYAML give every scanner and parser error a problem and its mark;
    # a context mark comes with its context
    lines = split_lines(chunk)
    mark = error.problem_mark
    if error.context_mark is not None and (
            "quoted scalar" in error.context or _only_blank_after(chunk, mark.index)):
        # where the quote or bracket opened, not the end of the file
        mark = error.context_mark
    line = mark.line + 1 + line_offset
    column = mark.column + 1
    problem = error.problem
    context = error.context or ""
    message, hint = _explain(problem, context, lines, mark)
    return Finding("yaml-syntax", Severity.ERROR, message, hint, file, line, column,
                   lesson=LESSON_YAML)


def _only_blank_after(text: str, index: int) -> bool:
    """Nothing but blank lines, comments and a `...` end marker from `index` on."""
    return all(not line.strip() or line.lstrip().startswith("#") or line.strip() == "..."
               for line in text[index:].splitlines())


def _explain(problem: str, context: str, lines: list[str], mark) -> tuple[str, str]:
    said = f"YAML cannot read this: {problem}" + (f" ({context})" if context else "")
    text_line = lines[mark.line] if mark.line < len(lines) else ""  # libyaml's end: one below
    if "\t" in text_line[: mark.column + 1]:  # at or before where YAML stopped
        return ("a tab character is used for indentation; YAML allows only spaces",
                "replace the tab with spaces (2 per level is usual); most editors can "
                "show tabs and convert them")
    if _missing_space(lines, mark.line):
        return (f"{said}; a key is followed by a colon with no space after it",
                "put a space after the colon: `key: value`, not `key:value`")
    if "could not find expected ':'" in problem:
        return (f"{said}; a line is missing its colon, or it continues a value that "
                "is indented wrongly",
                "each field is `key: value`; a long text value needs quotes or a `|` block")
    if "mapping values are not allowed" in problem:
        return (f"{said}; a colon followed by a space appears inside a value, or this "
                "line is indented deeper than the key above it",
                "quote values that contain `: ` (e.g. `command: \"echo a: b\"`), and line up "
                "keys of the same mapping at the same column")
    if "while scanning a quoted scalar" in context:  # the end of the text or a `...` came first
        return ("a quote is opened but never closed",
                "add the closing quote (\" or ') at the end of the value")
    if ("did not find expected key" in problem or "expected <block end>" in problem
            or "did not find expected '-'" in problem):
        return (f"{said}; the indentation is inconsistent",
                "line up entries of the same mapping at the same column, and list items "
                "(`- `) under their key at one column")
    if "expected ',' or ']'" in problem or "expected ',' or '}'" in problem:
        return (f"{said}; a bracket is not closed, or a comma is missing between items",
                "close every `[` with `]` and every `{` with `}`, with commas between items")
    if "cannot start any token" in problem and text_line[mark.column:mark.column + 1] in ("@", "`"):
        return (f"{said}; values cannot start with @ or ` unless quoted",
                "put the value in quotes")
    return (said, "compare the line with a working example of the same kind; "
            "indentation and colons are the usual suspects")


_NO_SPACE_AFTER_COLON = re.compile(r"^\s*(- )?[A-Za-z][\w.-]*:[^\s/:]")


def _missing_space(lines: list[str], line: int) -> bool:
    """Does this line or the one before hold `key:value` (no space)?"""
    near = [text for text in lines[max(line - 1, 0): line + 1] if text.strip()]
    return any(_NO_SPACE_AFTER_COLON.match(text) for text in near)


def _reader_finding(file: str, error: yaml.reader.ReaderError, line_offset: int,
                    chunk: str) -> Finding:
    """A character YAML forbids (control characters, mostly), at its place."""
    character = error.character
    # The first occurrence of the character is the one reported (both readers stop at the
    # first character they refuse); error.position would be a byte offset from libyaml but
    # a character offset from PyYAML.
    line, column = position_of(chunk, chunk.index(chr(character)))
    return Finding(
        "yaml-control-character", Severity.ERROR,
        f"the text contains the invisible character U+{character:04X}, which YAML does not allow",
        "delete it and retype the text around it; such characters come from pasting "
        "out of a web page, a PDF or a terminal",
        file, line + line_offset, column, lesson=LESSON_YAML,
    )
