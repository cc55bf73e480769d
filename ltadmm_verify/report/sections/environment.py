"""The environment section: package versions, platform, seed, commit, run time, configuration."""

from __future__ import annotations

import importlib.metadata
import json
import platform
import subprocess
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from .. import figures as fg
from .common import HEADINGS

#: distributions whose versions the environment page lists
PACKAGES = ("ltadmm-verify", "numpy", "scipy", "networkx", "sympy", "matplotlib", "scikit-learn",
            "cvxpy", "clarabel", "pypdf")


def git_commit() -> str | None:
    """The commit of the source tree the package runs from (with ``+dirty``), or ``None``."""
    root = Path(__file__).resolve().parents[3]
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+dirty" if dirty else "")


def compute_environment(config: dict[str, Any]) -> dict[str, Any]:
    """Package versions, Python, platform, seed.

    The run time and the git commit of the source tree (which changes under a working copy without
    changing any number) live in the JSON's ``runtime`` key, see :func:`run_context`.
    """
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "versions": versions,
        "seed": config["report"]["seed"],
        "quick": config["report"]["quick"],
    }


def draw_environment(data: dict[str, Any], config: dict[str, Any], runtime: dict[str, Any]) -> list[Figure]:
    """Versions, seed, commit, run time, and the effective configuration."""
    fig = fg.new_page(HEADINGS["environment"], "What produced this report.")
    rows = [["Python", data["python"]], ["platform", data["platform"]],
            *[[k, v] for k, v in data["versions"].items()],
            ["git commit", runtime["git_commit"] or "not available (not a git checkout)"],
            ["seed", str(data["seed"])], ["--quick", str(data["quick"])],
            ["computation time", f"{runtime['total_seconds']:.1f} s (wall clock; JSON key runtime)"]]
    y = fg.table(fig, fg.BODY_TOP, ["item", "value"], rows, [1, 3], size=8)
    y = fg.text_block(fig, y, "Effective configuration (default.toml merged with the user's file):",
                      weight="bold")
    middle = (fg.LEFT + fg.RIGHT) / 2
    width = fg.chars_per_line(6.5, middle, "monospace") - 2
    lines = [line for table, values in config.items() for key, value in values.items()
             for line in fg.wrap(f"{table}.{key} = {json.dumps(value)}", width).split("\n")]
    half = (len(lines) + 1) // 2
    for column, x in ((lines[:half], fg.LEFT), (lines[half:], middle)):
        fg.text_block(fig, y, "\n".join(column), size=6.5, family="monospace", x=x, width=10**4)
    return [fig]
