"""The engines under the checker, the ones we could have used, and where a check's time goes.

Run:  .venv/bin/python benchmarks/candidates.py

YAML: libyaml's event stream alone (the floor for anything built on PyYAML),
the C composer, the C safe loader, and `k8s_course.source.parse` (events ->
values + source map + duplicate keys + traps, with depth and alias caps).
JSON schema, on valid Deployments already parsed: jsonschema-rs (compiled
once, what schema.py uses), fastjsonschema (compiled to Python once) and
jsonschema (the pure-Python engine kubernetes-validate uses).
Stages: parse (`load`), schema, rules and the whole `check()`, with the
cyclic garbage collector on and off.
"""

from __future__ import annotations

import gc
import json
import time

import yaml
from compare import documents_in, make_class

from k8s_course import rules, schema
from k8s_course.pipeline import check, load
from k8s_course.source import Source, parse

LOADER = yaml.CSafeLoader


def per_document(action, items: list, documents: int, repeat: int = 3) -> float:
    """Best-of-`repeat` CPU microseconds per document for running `action` on every item."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for item in items:
            action(item)
        best = min(best, time.process_time() - start)
    return best / documents * 1e6


def yaml_candidates(answers: list[str]) -> None:
    documents = documents_in(answers)
    print(f"YAML, {documents} documents, CPU microseconds per document")
    rows = [
        ("libyaml events only (yaml.parse)", lambda t: list(yaml.parse(t, Loader=LOADER))),
        ("libyaml C composer (compose_all)", lambda t: list(yaml.compose_all(t, Loader=LOADER))),
        ("libyaml C safe loader (load_all)", lambda t: list(yaml.load_all(t, Loader=LOADER))),
        ("k8s_course.source.parse", lambda t: parse(Source("a.yaml", t))),
    ]
    for label, action in rows:
        print(f"  {label:<36} {per_document(action, answers, documents):7.1f}")


def schema_candidates(answers: list[str]) -> None:
    import fastjsonschema
    import jsonschema

    deployments = [d for a in answers for d in yaml.load_all(a, Loader=LOADER)
                   if d.get("kind") == "Deployment" and d.get("apiVersion") == "apps/v1"]
    catalog = schema.catalog(schema.DEFAULT_KUBE_VERSION)
    name = catalog.by_gvk[("apps/v1", "Deployment")]
    whole = {"$defs": catalog.defs, "$ref": f"#/$defs/{name}"}
    start = time.process_time()
    fast = fastjsonschema.compile(json.loads(json.dumps(whole).replace(
        "#/$defs/", "#/definitions/").replace('"$defs"', '"definitions"')))
    fast_compile = time.process_time() - start
    slow = jsonschema.Draft202012Validator(whole)
    ours = schema.validator(schema.DEFAULT_KUBE_VERSION, "apps/v1", "Deployment")
    deployments = [d for d in deployments if ours.is_valid(d)]  # fastjsonschema raises
    count = len(deployments)
    print(f"JSON schema, {count} Deployments, CPU microseconds per document")
    rust = per_document(ours.is_valid, deployments, count)
    print(f"  {'jsonschema-rs is_valid':<36} {rust:7.1f}")
    print(f"  {'fastjsonschema':<36} {per_document(fast, deployments, count):7.1f}"
          f"   (compiling the Deployment schema: {fast_compile * 1e3:.0f} ms)")
    sample = deployments[:50]
    print(f"  {'jsonschema (pure Python)':<36} "
          f"{per_document(slow.is_valid, sample, len(sample), 1):7.1f}")


def stage_costs(answers: list[str]) -> None:
    documents = documents_in(answers)
    bundles = [load(answer)[0] for answer in answers]
    check(answers[0])  # validators compiled, rules imported
    resources = [resource for bundle in bundles for resource in bundle]
    version = schema.DEFAULT_KUBE_VERSION
    print(f"Stages of check(), {documents} documents, CPU microseconds per document")
    print(f"  {'parse (load)':<36} {per_document(load, answers, documents):7.1f}")
    schema_time = per_document(lambda r: schema.check_resource(r, version), resources, documents)
    print(f"  {'schema':<36} {schema_time:7.1f}")
    # rules on fresh bundles each round: building the graph is part of their cost
    best = float("inf")
    for _ in range(3):
        fresh = [load(answer)[0] for answer in answers]
        start = time.process_time()
        for bundle in fresh:
            rules.run(bundle)
        best = min(best, time.process_time() - start)
    print(f"  {'rules (graph included)':<36} {best / documents * 1e6:7.1f}")
    print(f"  {'check()':<36} {per_document(check, answers, documents):7.1f}")
    gc.disable()
    try:
        print(f"  {'check(), cyclic GC off':<36} {per_document(check, answers, documents):7.1f}")
    finally:
        gc.enable()


if __name__ == "__main__":
    answers = make_class(500)
    yaml_candidates(answers)
    schema_candidates(answers)
    stage_costs(answers)
