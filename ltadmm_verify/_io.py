"""Atomic file output: write to a temporary name in the same folder, then rename.

Files get the ordinary permissions of a new file (``0o666`` less the umask), so a report can be
handed on; JSON is strict: NaN is written as ``null`` and infinities as the strings ``"inf"`` and
``"-inf"`` (``float()`` reads them back).

Output paths are checked before any computing (:func:`check_output_file`,
:func:`check_output_folder`): a non-empty path, not a directory where a file is expected (nor a file
where a folder is), and a folder that can really be written, tested by creating and removing a
temporary file in the nearest existing folder (permission bits say little when running as root or
on special file systems such as ``/proc``).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InvalidParameterError


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


def _path(name: str, path: Any) -> Path:
    if not isinstance(path, str | os.PathLike) or not str(path):
        raise InvalidParameterError(f"{name} must be a non-empty path, got {path!r}")
    return Path(path)


def _probe_writable(name: str, path: Path, folder: Path) -> None:
    """Raise unless a file can be created in ``folder``'s nearest existing ancestor."""
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise InvalidParameterError(
            f"{name} = {str(path)!r} cannot be written: {str(existing)!r} is a file, not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".ltadmm-verify-probe.", dir=existing)
    except OSError as error:
        raise InvalidParameterError(
            f"{name} = {str(path)!r} cannot be written: folder {str(existing)!r} is not writable "
            f"({error.strerror or error})") from None
    os.close(fd)
    Path(probe).unlink(missing_ok=True)


def check_output_file(name: str, path: Any, *, suffixes: tuple[str, ...] | None = None) -> Path:
    """``path`` as a Path if a file can be written there (module docstring); ``name`` is the flag.

    ``suffixes``: the allowed file name endings (e.g. ``(".pdf",)``), any when None.
    """
    target = _path(name, path)
    if str(path).endswith(("/", os.sep)) or target.is_dir():
        raise InvalidParameterError(
            f"{name} must name a file, got {str(path)!r}, which is a folder")
    if suffixes is not None and target.suffix.lower() not in suffixes:
        raise InvalidParameterError(
            f"{name} must name a file ending in {' or '.join(suffixes)}, got {str(path)!r}")
    _probe_writable(name, target, target.parent)
    return target


def check_output_folder(name: str, path: Any) -> Path:
    """``path`` as a Path if files can be written into that folder (created if missing)."""
    target = _path(name, path)
    if target.exists() and not target.is_dir():
        raise InvalidParameterError(f"{name} must name a folder, got {str(path)!r}, which is a file")
    _probe_writable(name, target, target)
    return target
