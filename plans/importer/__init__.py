"""The plan importer: parse_file(path) reads a .txt, .docx or .xlsx plan into the importer's dict."""

from .errors import PlanImportError
from .sources import parse_file, read_plan
from .text import parse_text

__all__ = ["PlanImportError", "parse_file", "parse_text", "read_plan"]
