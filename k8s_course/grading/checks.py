"""Each check kind as a pure function: (check, answer) -> (passed, message).

The message says what the grader saw in the learner's answer, in their
terms; the check's own hint (shown beside it) says what to do.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..access import Request, can
from ..bundle import Bundle, Resource
from ..capacity import admit, hard_limits, show
from ..findings import Finding, Severity
from ..graph import (
    PodTemplate,
    graph_of,
    label_selector_matches,
    mappings_in,
    pod_template_of,
    uses_of,
)
from ..rules._values import digits_as_text, port_name_problem
from . import fieldpath
from .spec import Check

Outcome = tuple[bool, str]
_SHOWN = 60


@dataclass(frozen=True)
class Answer:
    """What the grader looks at: the learner's objects and the findings of each stage."""

    bundle: Bundle
    stages: dict[str, list[Finding]]  # "parse", "schema", "rules" -> findings

    @property
    def findings(self) -> list[Finding]:
        return [f for found in self.stages.values() for f in found]


def _shown(value: Any) -> str:
    """A value as the learner would recognise it, cut short when long.

    Every value comes from the YAML reader (source.py), which gives JSON's types
    only, with text keys and no cycles, so json.dumps takes each one as it is.
    """
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                            sort_keys=True)
    return text if len(text) <= _SHOWN else text[:_SHOWN - 3] + "..."


def _labels(labels: Any) -> str:
    """{"app": "web"} -> "app: web", as the learner wrote it."""
    if not isinstance(labels, dict) or not labels:
        return "no labels"
    return ", ".join(f"{key}: {_shown(value)}" for key, value in labels.items())


def _named(ref: dict) -> str:
    return f"{ref['kind']}/{ref['name']}" + (
        f" in namespace {ref['namespace']}" if ref.get("namespace") else "")


def locate(bundle: Bundle, ref: dict) -> Resource | str:
    """The object a check names, or a sentence saying what is there instead."""
    kind, name, namespace = ref["kind"], ref["name"], ref.get("namespace")
    found = bundle.find(kind, name, namespace)
    if found is not None:
        return found
    elsewhere = bundle.find(kind, name)
    if elsewhere is not None:
        return f"{kind}/{name} is in namespace {elsewhere.namespace}, not in namespace {namespace}"
    others = sorted(r.name for r in bundle.of_kind(kind) if r.name)
    if others:
        return (f"there is no {kind} named {name}; your answer has "
                f"{kind} {', '.join(others[:3])}")
    return f"there is no {kind} named {name} in your answer"


def expect(check: Check, answer: Answer) -> Outcome:
    found = locate(answer.bundle, check.params["expect"])
    if isinstance(found, str):
        return False, found
    return True, f"{_named(check.params['expect'])} is there"


def _same(a: Any, b: Any) -> bool:
    # YAML's true is not 1, and "3" is not 3: compare the types a learner wrote
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) \
        else a == b


def _path_test(check: Check, values: list) -> tuple[bool, str]:
    """Does some value pass the check's test, and what was expected (in words)."""
    params = check.params
    if "exists" in params:
        return bool(values), "present"
    if "absent" in params:
        return not values, "absent"
    if "equals" in params:
        return any(_same(v, params["equals"]) for v in values), _shown(params["equals"])
    if "one_of" in params:
        return (any(_same(v, o) for v in values for o in params["one_of"]),
                "one of " + ", ".join(_shown(o) for o in params["one_of"]))
    return (any(isinstance(v, str | int | float) and not isinstance(v, bool)
                and check.pattern.search(str(v)) for v in values), "of the form the task asks for")


def path(check: Check, answer: Answer) -> Outcome:
    resource = locate(answer.bundle, check.params["resource"])
    if isinstance(resource, str):
        return False, resource
    where = f"{check.params['path']} of {resource.ref}"
    values = list(fieldpath.values_at(resource.body, check.path))
    passed, wanted = _path_test(check, values)
    if passed:
        return True, f"{where} is {wanted}"
    if not values:
        return False, f"{where} is missing"
    if "absent" in check.params:
        return False, f"{where} should not be there"
    if resource.kind == "Secret":  # a Secret's values never appear in feedback
        return False, f"{where} is not {wanted}"
    expected = [e for e in (check.params.get("equals"), *check.params.get("one_of", ()))
                if e is not None]
    if any(_look_alike(v, e) for v in values for e in expected):
        # "false" and false print the same: name the type of each side
        seen = ", ".join(_typed(v) for v in values[:3])
        return False, f"{where} is {seen}; expected {' or '.join(map(_typed, expected))}"
    seen = ", ".join(_shown(v) for v in values[:3])
    return False, f"{where} is {seen}; expected {wanted}"


def _look_alike(value: Any, wanted: Any) -> bool:
    """Values of different YAML types that print the same: "3" and 3, "false" and false."""
    return type(value) is not type(wanted) and _shown(value) == _shown(wanted)


def _typed(value: Any) -> str:
    """A value with its YAML type in words: the boolean false, the text "false"."""
    if isinstance(value, bool):
        return f"the boolean {_shown(value)}"
    if isinstance(value, int | float):
        return f"the number {_shown(value)}"
    if isinstance(value, str):
        return f'the text "{_shown(value)}" (in quotes)'
    return _shown(value)


def summarize(findings: list[Finding]) -> str:
    """"line 7: <the first finding's message> (and 2 more)"."""
    first = findings[0]
    more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
    return f"line {first.line}: {first.message}{more}"


def clean(check: Check, answer: Answer) -> Outcome:
    wanted = set(check.params["clean"])
    if not answer.bundle.resources:  # no rule fires on nothing; that earns no points
        return False, "there is no object in your answer to check"
    fired = [f for f in answer.findings
             if f.rule in wanted and f.severity in (Severity.ERROR, Severity.WARNING)]
    if not fired:
        return True, f"no {', '.join(sorted(wanted))} problem"
    return False, summarize(fired)


def valid(check: Check, answer: Answer) -> Outcome:
    """No error at all: the YAML reads, fits the schema, and no rule finds an error.

    Every exercise has such a check, so an answer with an error never scores
    full marks, whatever its other checks look at.
    """
    errors = [f for f in answer.findings if f.severity is Severity.ERROR]
    if not errors:
        return True, "the checker finds no error"
    return False, summarize(errors)


def _relation(check: Check, answer: Answer, kind: str) -> tuple[Resource, PodTemplate] | str:
    """The Service and the workload's pod template a selects/reaches check names, or why
    the answer has no such pair."""
    spec = check.params[kind]
    service_ref = {"kind": "Service", "name": spec["service"], "namespace": spec.get("namespace")}
    service = locate(answer.bundle, service_ref)
    if isinstance(service, str):
        return service
    workload = locate(answer.bundle, spec["workload"])
    if isinstance(workload, str):
        return workload
    template = pod_template_of(workload)
    if template is None:
        return f"{workload.ref} has no pod template"
    return service, template


def selects(check: Check, answer: Answer) -> Outcome:
    found = _relation(check, answer, "selects")
    if isinstance(found, str):
        return False, found
    service, template = found
    workload = template.owner
    if service.namespace != workload.namespace:
        return False, (f"{service.ref} is in namespace {service.namespace} and {workload.ref} "
                       f"in {workload.namespace}; a Service only selects pods in its own")
    targets = graph_of(answer.bundle).service_targets(service)
    if any(target.owner is workload for target in targets):
        return True, f"{service.ref} selects the pods of {workload.ref}"
    selector = service.get(("spec", "selector"))
    if not isinstance(selector, dict) or not selector:
        return False, f"{service.ref} has no selector, so it selects no pods"
    others = ", ".join(sorted(t.owner.ref for t in targets))
    return False, (f"the selector of {service.ref} ({_labels(selector)}) does not match the "
                   f"pod labels of {workload.ref} ({_labels(template.labels)})" +
                   (f"; it selects {others}" if others else ""))


def reaches(check: Check, answer: Answer) -> Outcome:
    found = _relation(check, answer, "reaches")
    if isinstance(found, str):
        return False, found
    service, template = found
    wanted = check.params["reaches"]["port"]
    entries = [port for _, port in mappings_in(service.get(("spec", "ports")))]
    key = "name" if isinstance(wanted, str) else "port"
    entry = next((p for p in entries if _same(p.get(key), wanted)), None)
    if entry is None:
        return False, f"{service.ref} has no port {wanted}"
    target = entry.get("targetPort", entry.get("port"))
    if digits_as_text(target):
        return False, (f"port {wanted} of {service.ref} sends traffic to \"{target}\" in quotes: "
                       "Kubernetes reads quoted digits as a port name, not a number, and refuses "
                       f"it (remove the quotes: targetPort: {target.strip()})")
    problem = port_name_problem(target) if isinstance(target, str) else ""
    if problem:
        return False, (f"port {wanted} of {service.ref} sends traffic to the port name "
                       f"{_shown(target)}, which the API server refuses "
                       f"({problem.replace('the port name', 'it')})")
    if template.has_port(target):
        return True, f"port {wanted} of {service.ref} reaches containerPort {_shown(target)}"
    declared = sorted({_shown(p.get("containerPort")) for _, p in template.ports()})
    return False, (f"port {wanted} of {service.ref} sends traffic to {_shown(target)}, but the "
                   f"pods of {template.owner.ref} declare "
                   f"{'containerPort ' + ', '.join(declared) if declared else 'no containerPort'}")


# --- lesson 08: what scales, protects and fits which workload -------------------------

def _scaling_pair(check: Check, answer: Answer, kind: str, key: str
                  ) -> tuple[Resource, Resource] | str:
    """The HPA or PDB a scales/protects check names and the workload it should cover, or why
    the answer has no such pair."""
    spec = check.params[key]
    name_key = "hpa" if key == "scales" else "pdb"
    found = locate(answer.bundle, {"kind": kind, "name": spec[name_key],
                                   "namespace": spec.get("namespace")})
    if isinstance(found, str):
        return found
    workload = locate(answer.bundle, spec["workload"])
    if isinstance(workload, str):
        return workload
    if found.namespace != workload.namespace:
        return (f"{found.ref} is in namespace {found.namespace} and {workload.ref} "
                f"in {workload.namespace}; it only covers its own namespace")
    return found, workload


def scales(check: Check, answer: Answer) -> Outcome:
    pair = _scaling_pair(check, answer, "HorizontalPodAutoscaler", "scales")
    if isinstance(pair, str):
        return False, pair
    hpa, workload = pair
    ref = hpa.get(("spec", "scaleTargetRef"))
    if not isinstance(ref, dict) or not ref:
        return False, f"{hpa.ref} has no scaleTargetRef, so it scales nothing"
    named = f"{_shown(ref.get('kind'))}/{_shown(ref.get('name'))}"
    if (ref.get("kind"), ref.get("name")) != (workload.kind, workload.name):
        return False, f"the scaleTargetRef of {hpa.ref} names {named}, not {workload.ref}"
    group = workload.api_version.rpartition("/")[0]
    written = ref.get("apiVersion")
    if not isinstance(written, str) or written.rpartition("/")[0] != group:
        return False, (f"the scaleTargetRef of {hpa.ref} says apiVersion {_shown(written)}, but "
                       f"{workload.ref} is {workload.api_version}")
    return True, f"{hpa.ref} scales {workload.ref}"


def protects(check: Check, answer: Answer) -> Outcome:
    pair = _scaling_pair(check, answer, "PodDisruptionBudget", "protects")
    if isinstance(pair, str):
        return False, pair
    pdb, workload = pair
    template = pod_template_of(workload)
    if template is None:
        return False, f"{workload.ref} has no pod template"
    selector = pdb.get(("spec", "selector"))
    if not isinstance(selector, dict):
        return False, f"{pdb.ref} has no selector, so it protects no pod"
    if label_selector_matches(selector, template.labels):
        return True, f"{pdb.ref} protects the pods of {workload.ref}"
    wanted = selector.get("matchLabels")
    return False, (f"the selector of {pdb.ref} ({_labels(wanted)}) does not match the pod labels "
                   f"of {workload.ref} ({_labels(template.labels)})")


def fits_quota(check: Check, answer: Answer) -> Outcome:
    namespace = check.params["fits-quota"]["namespace"]
    verdict = admit(answer.bundle, namespace)
    if not verdict.quotas:
        return False, f"there is no ResourceQuota in namespace {namespace} in your answer"
    if not verdict.groups:
        return False, f"your answer runs no pods in namespace {namespace}"
    if not verdict.fits:
        first, more = verdict.refusals[0], len(verdict.refusals) - 1
        said = first.reason if first.owner.kind == "ResourceQuota" else \
            f"the pods of {first.owner.ref} would be refused: {first.reason}"
        return False, said + (f" (and {more} more)" if more else "")
    used = "; ".join(f"{name} {show(name, verdict.used[quota.name][name])} of {show(name, hard)}"
                     for quota in verdict.quotas for name, hard in hard_limits(quota).items()
                     if name in verdict.used[quota.name])
    return True, f"every pod fits the quota of namespace {namespace}: {used}"


def python(check: Check, answer: Answer) -> Outcome:
    result = check.function(answer.bundle)  # a crash is caught and explained by run()
    if isinstance(result, tuple) and len(result) == 2:
        return bool(result[0]), str(result[1])
    return bool(result), ""


# --- who may do what, and what a workload uses (lessons 05-07) ----------------------

def _request(params: dict) -> Request:
    return Request(params["as"], params["verb"], params["resource"],
                   params.get("namespace", ""), params.get("group", ""), params.get("name", ""))


def _asked(request: Request) -> str:
    """"get configmaps/app-settings in namespace mlops", as the learner would say it."""
    group = f" (group {request.api_group})" if request.api_group else ""
    name = f"/{request.name}" if request.name else ""
    where = f" in namespace {request.namespace}" if request.namespace else " cluster-wide"
    return f"{request.verb} {request.resource}{name}{group}{where}"


def may(check: Check, answer: Answer) -> Outcome:
    """`can:` (expect true by default) and `cannot:`: the RBAC authorizer's answer."""
    params = check.params.get("can") or check.params["cannot"]
    wanted = "can" in check.params and params.get("expect", True)
    request = _request(params)
    decision = can(answer.bundle, request)
    asked = _asked(request)
    if decision.unsure:
        return False, decision.reason
    if decision.allowed == wanted:
        return True, (f"{request.user} may {asked}: {decision.reason}" if wanted
                      else f"{request.user} may not {asked}")
    if wanted:
        return False, decision.reason
    return False, f"{request.user} may {asked}, and should not: {decision.reason}"


_USED_KINDS = {"configmap": "ConfigMap", "secret": "Secret", "claim": "PersistentVolumeClaim"}


def uses(check: Check, answer: Answer) -> Outcome:
    """`uses:` (env, envFrom or a mounted volume) and `mounts:` (a mounted volume only)."""
    kind_of_check = "uses" if "uses" in check.params else "mounts"
    spec = check.params[kind_of_check]
    field = next(key for key in _USED_KINDS if key in spec)
    kind, name, at = _USED_KINDS[field], spec[field], spec.get("path")
    workload = locate(answer.bundle, spec["workload"])
    if isinstance(workload, str):
        return False, workload
    template = pod_template_of(workload)
    if template is None:
        return False, f"{workload.ref} has no pod template"
    found = [use for use in uses_of(template) if (use.kind, use.name) == (kind, name)]
    volumes = [use for use in found if use.how == "volume"]
    mounted = [path for use in volumes for path in use.mount_paths]
    if kind_of_check == "uses" and any(use.how != "volume" for use in found):
        return True, f"the pods of {workload.ref} read the {kind} {name} into the environment"
    if mounted and (at is None or at in mounted):
        return True, f"the pods of {workload.ref} mount the {kind} {name} at {mounted[0]}"
    if mounted:
        return False, (f"the pods of {workload.ref} mount the {kind} {name} at "
                       f"{', '.join(mounted)}, not at {at}")
    if volumes:
        return False, (f"the pods of {workload.ref} declare a volume for the {kind} {name}, "
                       "but no container mounts it (add a volumeMounts entry with its name)")
    if found:
        return False, (f"the pods of {workload.ref} read the {kind} {name} into the "
                       "environment, but do not mount it as files")
    return False, f"the pods of {workload.ref} do not use the {kind} {name}"


RUNNERS: dict[str, Callable[[Check, Answer], Outcome]] = {
    "expect": expect, "path": path, "clean": clean, "valid": valid,
    "selects": selects, "reaches": reaches, "python": python,
    "scales": scales, "protects": protects, "fits-quota": fits_quota,
    "can": may, "cannot": may, "uses": uses, "mounts": uses,
}


def run(check: Check, answer: Answer) -> Outcome:
    """Run one check; a crash in the grader costs nobody points silently."""
    try:
        return RUNNERS[check.kind](check, answer)
    except Exception as error:
        return False, (f"the grader could not run this check ({type(error).__name__}); "
                       "this is a bug in the course, please report it")
