"""Faster YAML parsing (issue 16, item 3): each candidate's speed, and whether it may be kept.

    .venv/bin/python benchmarks/parse_candidates.py               # speed and identity
    .venv/bin/python benchmarks/parse_candidates.py --against REV # the parser to compare with
    PYTHONPATH=/tmp/cand .venv/bin/python benchmarks/parse_candidates.py  # with the others

A parser may replace today's only if every finding stays byte-identical:
positions of every node, duplicate keys, YAML 1.1 traps (`no`, `0755`,
`12:30`), and libyaml's own syntax messages. The identity part parses every
input the tests know (tests/corpus, tests/hostile with its generated inputs,
exercises, solutions and the manifests in the solution notebooks, and the
realistic corpus) with this checkout's `source.parse` and with a reference,
and compares documents (values, spans, traps) and findings. The reference is
today's parser with the inlined scalar path switched off (the general path
every event took before), or `source.py` at a git revision (`--against`;
that one also differs wherever a message was reworded since).

The other candidates are not dependencies of the course: install them into a
folder of their own (`pip install --target /tmp/cand rapidyaml libfyaml
fastyaml-rs`) and put it on PYTHONPATH; the script times what it finds and
probes each for what the checker needs (a position per node, duplicate keys,
YAML 1.1 booleans and octals).
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.realistic import documents  # noqa: E402
from k8s_course import source  # noqa: E402

BEFORE_LEANER_WALK = "39e64f4"
PROBES = {  # what each must keep, as YAML
    "duplicate key": "a: 1\na: 2\n",
    "YAML 1.1 boolean": "a: no\n",
    "YAML 1.1 octal": "a: 0755\n",
}


def general_path_parser() -> types.ModuleType:
    """Today's `source.py` with every scalar on the general path (no inlining)."""
    text = (ROOT / "k8s_course" / "source.py").read_text(encoding="utf-8")
    name = "k8s_course._general_path_source"
    module = types.ModuleType(name)
    module.__package__ = "k8s_course"
    sys.modules[name] = module
    exec(compile(text, "k8s_course/source.py", "exec"), module.__dict__)
    module.INLINE_SCALARS = False
    return module


def previous_parser(revision: str) -> types.ModuleType:
    """`k8s_course/source.py` as it was at `revision`, loaded beside today's."""
    text = subprocess.run(["git", "show", f"{revision}:k8s_course/source.py"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout
    name = "k8s_course._previous_source"
    module = types.ModuleType(name)
    module.__package__ = "k8s_course"
    sys.modules[name] = module
    exec(compile(text, f"{revision}:k8s_course/source.py", "exec"), module.__dict__)
    return module


def _notebook_manifests(path: Path) -> Iterator[tuple[str, str]]:
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    for number, cell in enumerate(cells):
        text = "".join(cell.get("source", []))
        if cell.get("cell_type") == "code" and text.startswith("%%manifest"):
            yield f"{path}#cell{number}", text.split("\n", 1)[1] if "\n" in text else ""


def inputs() -> Iterator[tuple[str, str | bytes]]:
    """Every text the tests feed the parser, by name."""
    for folder in ("tests/corpus", "tests/hostile", "tests/fixtures", "exercises", "solutions"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in (".yaml", ".yml", ".json"):
                yield str(path.relative_to(ROOT)), path.read_bytes()
            elif path.suffix == ".ipynb":
                yield from _notebook_manifests(path)
    from tests.test_hostile import GENERATED

    for name, (make, _) in GENERATED.items():
        yield f"generated:{name}", make()
    yield "realistic-5000", "---\n".join(documents(5000))


def _parsed(module: types.ModuleType, name: str, data: str | bytes) -> tuple:
    if isinstance(data, bytes):
        text, problems = module.decode(name, data)
        if text is None:
            return (), tuple(map(repr, problems))
    else:
        text, problems = module.Source(name, data), []
    docs, findings = module.parse(text)
    return (tuple((d.file, d.index, repr(d.value), d.line, d.column, d.spans, d.traps)
                  for d in docs), tuple(map(repr, [*problems, *findings])))


def identity(revision: str | None) -> None:
    """Today's parser against the reference: the general path, or the parser at `revision`
    (which also differs wherever others changed a message since)."""
    reference = previous_parser(revision) if revision else general_path_parser()
    label = revision or "the general path (INLINE_SCALARS = False)"
    checked = differ = 0
    for name, data in inputs():
        checked += 1
        if _parsed(reference, name, data) != _parsed(source, name, data):
            differ += 1
            print(f"  DIFFERS: {name}")
    print(f"identity against {label}: {checked} inputs, {differ} differ"
          + (" (byte-identical)" if not differ else ""))


def _cpu_per_document(function: Callable[[], object], count: int, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        start = time.process_time()
        function()
        best = min(best, time.process_time() - start)
    return best / count * 1e6


def speed(revision: str) -> None:
    import yaml
    from yaml._yaml import CParser

    count = 5000
    whole = "---\n".join(documents(count))
    previous = previous_parser(revision)

    def events() -> None:
        parser = CParser(whole)
        for _ in iter(parser.get_event, None):
            pass
        parser.dispose()

    rows: list[tuple[str, Callable[[], object], str]] = [
        ("libyaml events only (the floor under any libyaml walk)", events, "floor"),
        ("PyYAML C safe loader (values only, no positions)",
         lambda: list(yaml.load_all(whole, Loader=yaml.CSafeLoader)), "values only"),
        (f"source.parse at {revision} (event walk)",
         lambda: previous.parse(previous.Source("f", whole)), "baseline"),
        ("source.parse, leaner event walk (this checkout)",
         lambda: source.parse(source.Source("f", whole)), "kept"),
    ]
    rows += _other_candidates(whole)
    gc.freeze()
    print(f"CPU µs per document, {count:,} realistic documents in one text, best of 3:")
    for label, function, verdict in rows:
        try:
            cost = _cpu_per_document(function, count)
        except Exception as error:  # a candidate that cannot read the corpus says so
            print(f"  {label:<62} failed: {type(error).__name__}: {error}"[:160])
            continue
        print(f"  {label:<62} {cost:7.1f}   {verdict}")


def _probe(load: Callable[[str], object]) -> str:
    answers = []
    for label, text in PROBES.items():
        try:
            value = load(text)
        except Exception as error:
            answers.append(f"{label}: raises {type(error).__name__}")
            continue
        if label == "duplicate key":
            answers.append(f"{label}: {'silently kept last' if value == {'a': 2} else value}")
        else:
            answers.append(f"{label}: {value}")
    return "; ".join(answers)


def _other_candidates(whole: str) -> list[tuple[str, Callable[[], object], str]]:
    rows = []
    data = whole.encode()
    try:
        import ryml

        def ryml_values() -> None:
            """The least a walk must do: read each node's key and value into Python."""
            tree = ryml.parse_in_arena(data)
            for node in range(tree.size()):
                if tree.has_key(node):
                    bytes(tree.key(node))
                if tree.has_val(node):
                    bytes(tree.val(node))

        rows.append(("rapidyaml (ryml.parse_in_arena: a C++ tree, no Python values)",
                     lambda: ryml.parse_in_arena(data), "tree only"))
        rows.append(("rapidyaml + reading each node's key and value into Python",
                     ryml_values, "not kept: more than libyaml's events before any dict, "
                     "path or position is built; syntax errors are not libyaml's"))
    except ImportError:
        print("  rapidyaml not installed (pip install --target DIR rapidyaml)")
    try:
        import libfyaml

        rows.append(("libfyaml (loads_all: generic values)",
                     lambda: list(libfyaml.loads_all(whole)),
                     "not kept: " + _probe(lambda t: libfyaml.loads(t))))
    except ImportError:
        print("  libfyaml not installed (pip install --target DIR libfyaml)")
    try:
        import fast_yaml

        rows.append(("fastyaml-rs, Rust (safe_load_all: values only)",
                     lambda: list(fast_yaml.safe_load_all(whole)),
                     "not kept: " + _probe(fast_yaml.safe_load)))
    except ImportError:
        print("  fastyaml-rs not installed (pip install --target DIR fastyaml-rs)")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default=None, metavar="REV",
                        help="compare with source.py at this git revision (default: with "
                             f"today's general path; the walk before this work is "
                             f"{BEFORE_LEANER_WALK})")
    parser.add_argument("--part", choices=("identity", "speed", "both"), default="both")
    args = parser.parse_args()
    if args.part in ("identity", "both"):
        identity(args.against)
    if args.part in ("speed", "both"):
        speed(args.against or BEFORE_LEANER_WALK)


if __name__ == "__main__":
    main()
