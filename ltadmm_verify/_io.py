"""Atomic file output: write to a temporary name in the same folder, then rename.

Files get the ordinary permissions of a new file (``0o666`` less the umask), so a report can be
handed on; JSON is strict: NaN is written as ``null`` and infinities as the strings ``"inf"`` and
``"-inf"`` (``float()`` reads them back).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` so that readers see either the old file or the whole new one."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _plain(value: Any) -> Any:
    """``value`` with numpy types made native, NaN made ``None`` and infinities ``"inf"``/``"-inf"``."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        if np.isnan(number):
            return None
        return number if np.isfinite(number) else ("inf" if number > 0 else "-inf")
    return value


def to_json(data: Any) -> str:
    """Serialise ``data`` as strict, indented, key-sorted JSON.

    numpy arrays and scalars are allowed; NaN becomes ``null``, infinities ``"inf"``/``"-inf"``.
    """
    return json.dumps(_plain(data), indent=2, sort_keys=True, allow_nan=False)


def atomic_write_json(path: str | os.PathLike[str], data: Any) -> Path:
    """Write ``data`` as JSON atomically."""
    return atomic_write_bytes(path, (to_json(data) + "\n").encode())
