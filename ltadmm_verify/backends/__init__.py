"""Where agents run: the single-process simulator (reference) and, optionally, MPI ranks.

``MPIBackend`` (:mod:`ltadmm_verify.backends.mpi`) is imported on first use, so the package works
without mpi4py.
"""

from typing import Any

from .base import Backend
from .simulator import Simulator

__all__ = ["Backend", "MPIBackend", "Simulator"]


def __getattr__(name: str) -> Any:
    if name == "MPIBackend":
        from .mpi import MPIBackend

        return MPIBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
