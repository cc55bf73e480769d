"""The PDF verification report and its JSON twin (``ltadmm-verify report``)."""

from .build import build_report, json_path
from .config import load_config
from .sections import check_configuration

__all__ = ["build_report", "check_configuration", "json_path", "load_config"]
