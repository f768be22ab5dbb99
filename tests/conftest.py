"""Shared test helpers."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def yaml_text(text: str) -> str:
    """Dedent a triple-quoted YAML snippet written inside a test."""
    return textwrap.dedent(text).lstrip("\n")


@pytest.fixture
def seed_bundle_path() -> Path:
    return FIXTURES / "seed" / "mlops.yaml"
