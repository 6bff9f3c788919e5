"""The one error the importer raises for input it cannot use."""


class PlanImportError(Exception):
    """Bad input: a Chinese message for the user, with the source line when there is one."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        if self.line is not None:
            return f"第{self.line}行：{self.message}"
        return self.message
