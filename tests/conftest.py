"""Fixtures shared by several test modules of ``tests/``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ltadmm_verify.theory import cards


@pytest.fixture
def clean_registry() -> Iterator[None]:
    """Restore the theorem-card registry after a test that registers cards."""
    before = dict(cards._REGISTRY)
    yield
    cards._REGISTRY.clear()
    cards._REGISTRY.update(before)
