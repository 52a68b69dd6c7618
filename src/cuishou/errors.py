"""Domain exceptions. The CLI turns every CuishouError into one readable `Error:` line (exit 1)."""


class CuishouError(Exception):
    """Base class: a problem the user can act on, with a message in Chinese."""


class InputError(CuishouError):
    """An input file or table cannot be used (missing column, empty, binary, bad encoding…)."""

    def __init__(self, message: str, *, file: str | None = None, row: int | str | None = None):
        self.file, self.row = file, row
        where = "".join(
            [f"{file}" if file else "", f" 第 {row} 行" if isinstance(row, int) else (f" {row}" if row else "")]
        )
        super().__init__(f"{where}：{message}" if where else message)


class UnknownFormatError(InputError):
    """No reader recognises the file's content."""


class ModelError(CuishouError):
    """A model directory is missing, incomplete, or of an unsupported format."""


class ModelIntegrityError(ModelError):
    """model.joblib does not match the SHA-256 recorded in meta.json: refuse to unpickle it."""


class DatasetError(CuishouError):
    """A training corpus row is invalid (unknown label, contradiction, empty text…)."""


class BundleError(CuishouError):
    """An evidence bundle is malformed or fails verification."""
