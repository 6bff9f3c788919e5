"""The plan importer: parse_file(path) reads a .txt, .docx or .xlsx plan into the importer's dict;
read_plan_for_import(path) also reads each measure as an obligation (kind, owners, leads) for the writer."""

from .errors import PlanImportError
from .sources import parse_file, read_plan, read_plan_for_import
from .text import parse_text

__all__ = ["PlanImportError", "parse_file", "parse_text", "read_plan", "read_plan_for_import"]
