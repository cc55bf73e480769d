"""Fixtures shared by several test modules of ``tests/``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ltadmm_verify.theory import claims


@pytest.fixture
def clean_registry() -> Iterator[None]:
    """Restore the theorem-card registry after a test that registers cards."""
    before = dict(claims._REGISTRY)
    yield
    claims._REGISTRY.clear()
    claims._REGISTRY.update(before)
