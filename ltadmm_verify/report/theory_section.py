"""The theory section: theorem cards, admissible versus critical step sizes, calibration, certificates.

Every number comes from :mod:`ltadmm_verify.theory` (cards, admissibility, exact analysis,
calibration, certificates); a part whose provider does not exist is listed as "not implemented".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matplotlib.figure import Figure

from . import figures as fg
from .sections import HEADINGS, Instances, ProviderMissing

TheoryPart = Callable[[dict[str, Any], Instances], dict[str, Any]]

#: part name -> (title, provider); filled in as the theory layer provides them
PARTS: dict[str, tuple[str, TheoryPart]] = {}


def compute_theory(config: dict[str, Any], instances: Instances) -> dict[str, Any]:
    """Every theory part's numbers, or the reason it is missing."""
    out: dict[str, Any] = {}
    for name, (title, provider) in PARTS.items():
        try:
            out[name] = {"title": title, "status": "ok", **provider(config, instances)}
        except ProviderMissing as missing:
            out[name] = {"title": title, "status": str(missing)}
    if not PARTS:
        out["theory"] = {"title": "theory layer", "status": "not implemented: ltadmm_verify.theory "
                         "provides no cards, admissible step sizes or exact analysis yet"}
    return out


def draw_theory(data: dict[str, Any]) -> list[Figure]:
    """Pages of the theory section."""
    fig = fg.new_page(HEADINGS["theory"], "Theorem cards, admissible step sizes, calibrated constants.")
    y = fg.BODY_TOP
    for part in data.values():
        if part["status"] != "ok":
            y = fg.text_block(fig, y, f"{part['title']}: {part['status']}", size=10)
    return [fig]
