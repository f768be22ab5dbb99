"""Kubernetes value grammars the rules share: names, label keys, quantities, images.

Pure functions of one value. Each `*_problem` returns "" when the value is
fine, or a short learner-facing sentence naming the first offending character.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS_1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_PORT_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")
_QUALIFIED = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")

# name grammar -> (allowed characters, maximum length, words for messages)
NAME_GRAMMARS = {
    "dns-1123-subdomain": (set("abcdefghijklmnopqrstuvwxyz0123456789-."), 253,
                           "lowercase letters, digits, '-' and '.'"),
    "dns-1123-label": (set("abcdefghijklmnopqrstuvwxyz0123456789-"), 63,
                       "lowercase letters, digits and '-'"),
    "dns-1035-label": (set("abcdefghijklmnopqrstuvwxyz0123456789-"), 63,
                       "lowercase letters, digits and '-', starting with a letter"),
}


def _first_bad(value: str, allowed: set[str]) -> str:
    return next((c for c in value if c not in allowed), "")


def _show(char: str) -> str:
    return "a space" if char == " " else repr(char)


@lru_cache(maxsize=4096)  # pure, and the same strings recur across a bundle
def name_problem(value: str, grammar: str) -> str:
    """Why `value` is not a valid name of that grammar ("" when it is)."""
    allowed, limit, words = NAME_GRAMMARS[grammar]
    if not value:
        return "the name is empty"
    if len(value) > limit:
        return f"the name is {len(value)} characters long; the limit is {limit}"
    bad = _first_bad(value, allowed)
    if bad:
        upper = " (uppercase is not allowed)" if bad.isupper() else ""
        return f"the name contains {_show(bad)}{upper}; use only {words}"
    parts = value.split(".") if grammar == "dns-1123-subdomain" else [value]
    pattern = _DNS_1035 if grammar == "dns-1035-label" else _DNS_LABEL
    for part in parts:
        if not pattern.fullmatch(part):
            if grammar == "dns-1035-label" and part[:1].isdigit():
                return "the name starts with a digit; it must start with a letter"
            return "the name must start and end with a letter or digit" + (
                " (and so must each part between dots)" if len(parts) > 1 else "")
    return ""


def suggest_name(name: str) -> str:
    """A valid DNS label close to `name`: `Web_Server` -> `web-server`."""
    cleaned = "".join(c if c.isalnum() and c.isascii() else "-" for c in name.lower())
    return "-".join(part for part in cleaned.split("-") if part)[:63] or "my-app"


_CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")


@lru_cache(maxsize=4096)  # pure, and the same keys recur across a bundle
def config_key_problem(key: str) -> str:
    """Why a ConfigMap or Secret key is invalid: `[-._a-zA-Z0-9]+`, not `.`, `..` or `..x`."""
    if not key:
        return "the key is empty"
    if len(key) > 253:
        return f"the key is {len(key)} characters long; the limit is 253"
    bad = next((c for c in key if not _CONFIG_KEY.fullmatch(c)), "")
    if bad:
        return f"it contains {_show(bad)}; use only letters, digits, '-', '_' and '.'"
    if key in (".", "..") or key.startswith(".."):
        return "a key cannot be '.' or '..', nor start with '..'"
    return ""


def suggest_key(key: str) -> str:
    """A valid ConfigMap key close to `key`: `log level` -> `log_level`."""
    cleaned = "".join(c if _CONFIG_KEY.fullmatch(c) else "_" for c in key).lstrip(".")
    return cleaned[:253] or "key"


def path_segment_problem(value: str) -> str:
    """RBAC objects only forbid '/', '%' and the names '.' and '..'."""
    if value in (".", ".."):
        return f"the name cannot be {value!r}"
    bad = next((c for c in value if c in "/%"), "")
    return f"the name contains {_show(bad)}, which RBAC names cannot hold" if bad else ""


def _qualified_problem(name: str, what: str) -> str:
    if not name:
        return f"the {what} is empty"
    if len(name) > 63:
        return f"the {what} is {len(name)} characters long; the limit is 63"
    bad = next((c for c in name if not (c.isascii() and (c.isalnum() or c in "-_."))), "")
    if bad:
        return f"the {what} contains {_show(bad)}; use letters, digits, '-', '_' and '.'"
    if not _QUALIFIED.fullmatch(name):
        return f"the {what} must start and end with a letter or digit"
    return ""


@lru_cache(maxsize=4096)  # pure, and the same strings recur across a bundle
def label_key_problem(key: str) -> str:
    """Why a label (or annotation) key is invalid: `[prefix/]name`."""
    prefix, slash, name = key.rpartition("/")
    if slash:
        if not prefix:
            return "the key starts with '/'; write `prefix/name` or just `name`"
        problem = name_problem(prefix, "dns-1123-subdomain")
        if problem:
            return "the prefix before '/' is not a DNS name: " + problem.replace(
                "the name", "it")
    return _qualified_problem(name, "key" if not slash else "part after '/'")


@lru_cache(maxsize=4096)  # pure, and the same strings recur across a bundle
def label_value_problem(value: str) -> str:
    """Why a label value is invalid (an empty value is allowed)."""
    return _qualified_problem(value, "value") if value else ""


@lru_cache(maxsize=1024)  # pure, and the same names recur across a bundle
def port_name_problem(name: str) -> str:
    """Why `name` is not a port name (an IANA service name), "" when it is.

    The API server's rule for container port names and named targetPorts:
    1-15 characters of a-z, 0-9 and '-', at least one letter, no '-' at
    either end and no two '-' in a row.
    """
    if not name:
        return "the port name is empty"
    bad = _first_bad(name, _PORT_NAME_CHARS)
    if bad:
        upper = " (uppercase is not allowed)" if bad.isupper() else ""
        return f"the port name contains {_show(bad)}{upper}; use only lowercase letters, " \
            "digits and '-'"
    if len(name) > 15:
        return f"the port name is {len(name)} characters long; the limit is 15"
    if not any(c.isalpha() for c in name):
        return "the port name has no letter; it needs at least one"
    if name[0] == "-" or name[-1] == "-":
        return "the port name must not start or end with '-'"
    if "--" in name:
        return "the port name must not contain '--'"
    return ""


def digits_as_text(value: object) -> bool:
    """Is this a port written as text of digits ("8080"), which Kubernetes reads as a
    port *name* and refuses, since a port name must contain a letter?"""
    return isinstance(value, str) and re.fullmatch(r"\s*[0-9]+\s*", value) is not None


# --- quantities -------------------------------------------------------------

_QUANTITY = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))((?:[KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$")
_SUFFIX = {
    "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
    "k": Decimal("1e3"), "M": Decimal("1e6"), "G": Decimal("1e9"), "T": Decimal("1e12"),
    "P": Decimal("1e15"), "E": Decimal("1e18"),
    "Ki": Decimal(2**10), "Mi": Decimal(2**20), "Gi": Decimal(2**30), "Ti": Decimal(2**40),
    "Pi": Decimal(2**50), "Ei": Decimal(2**60),
}
# Unit spellings learners bring from elsewhere -> the Kubernetes suffixes they meant
# (powers of 1000, powers of 1024).
_LOOKALIKES = {"K": ("k", "Ki"), "KB": ("k", "Ki"), "MB": ("M", "Mi"), "GB": ("G", "Gi"),
               "TB": ("T", "Ti"), "KI": ("Ki",), "KIB": ("Ki",), "MI": ("Mi",), "MIB": ("Mi",),
               "GI": ("Gi",), "GIB": ("Gi",), "TI": ("Ti",), "TIB": ("Ti",)}


def parse_quantity(value: object) -> Decimal | None:
    """A Kubernetes quantity as a number (`"512Mi"` -> 536870912), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value)) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    return _parse_quantity_text(value)


@lru_cache(maxsize=4096)  # pure, and "100m" or "128Mi" recur in every workload
def _parse_quantity_text(value: str) -> Decimal | None:
    match = _QUANTITY.match(value.strip())
    if not match or value != value.strip():
        return None
    number, suffix = match.group(1), match.group(2) or ""
    try:
        if suffix not in _SUFFIX:  # an exponent, `1e3`; `E` and `Ei` are exa and exbi
            return Decimal(number + suffix)
        return Decimal(number) * _SUFFIX[suffix]
    except (InvalidOperation, KeyError):
        return None


def quantity_hint(value: str) -> str:
    """A corrected spelling for a quantity Kubernetes cannot parse."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*", value)
    suffixes = _LOOKALIKES.get(match.group(2).upper(), ()) if match else ()
    if match and suffixes:
        number = match.group(1)
        if len(suffixes) == 2:
            return (f"write `{number}{suffixes[0]}` (powers of 1000) or `{number}{suffixes[1]}` "
                    "(powers of 1024, what memory sizes usually mean)")
        return f"write `{number}{suffixes[0]}`"
    return ("write a number with an optional suffix: `500m` or `2` for CPU, "
            "`512Mi` or `1Gi` for memory and storage")


# --- Secrets and images ------------------------------------------------------

def is_base64(value: str) -> bool:
    """Does the API server accept this as a Secret `data` value?"""
    # Go's decoder, like the API server, skips line breaks inside the value.
    compact = value.replace("\r", "").replace("\n", "")
    try:
        base64.b64decode(compact.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return False
    return True


def image_tag(image: str) -> str | None:
    """The tag of an image reference ("" for none), or None when pinned by digest."""
    if "@" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    return last.rpartition(":")[2] if ":" in last else ""
