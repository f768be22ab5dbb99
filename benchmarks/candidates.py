"""The engines under the checker, and the ones we could have used: per-document costs.

Run:  .venv/bin/python benchmarks/candidates.py

YAML: libyaml's event stream alone (the floor for anything built on PyYAML),
the C composer, the C safe loader, and `k8s_course.source.parse` (events ->
values + source map + duplicate keys + traps, with depth and alias caps).
JSON schema, on valid Deployments already parsed: jsonschema-rs (compiled
once, what schema.py uses), fastjsonschema (compiled to Python once) and
jsonschema (the pure-Python engine kubernetes-validate uses).
"""

from __future__ import annotations

import json
import time

import yaml
from compare import documents_in, make_class

from k8s_course import schema
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
    print(f"  {'jsonschema-rs is_valid':<36} {per_document(ours.is_valid, deployments, count):7.1f}")
    print(f"  {'fastjsonschema':<36} {per_document(fast, deployments, count):7.1f}"
          f"   (compiling the Deployment schema: {fast_compile * 1e3:.0f} ms)")
    sample = deployments[:50]
    print(f"  {'jsonschema (pure Python)':<36} "
          f"{per_document(slow.is_valid, sample, len(sample), 1):7.1f}")


if __name__ == "__main__":
    answers = make_class(500)
    yaml_candidates(answers)
    schema_candidates(answers)
