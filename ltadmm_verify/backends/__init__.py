"""Where agents run: the single-process simulator (reference) and, optionally, MPI ranks."""

from .base import Backend
from .simulator import Simulator

__all__ = ["Backend", "Simulator"]
