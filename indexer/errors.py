"""One exception type per kind of user error.

The faces (CLI, web) turn these into a one-line message and an exit code or an
HTTP 4xx; anything else that escapes is a bug and keeps its traceback.
"""


class UserError(Exception):
    """Base class: something the user can fix, reported as one line."""


class SourceError(UserError):
    """A raw file (or its sidecar) that cannot be turned into an article."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class QueryError(UserError):
    """A query string or search parameter that cannot be understood."""


class IndexMissingError(UserError):
    """No usable index at the given place."""


class IndexLockedError(UserError):
    """Another process is writing the index."""


class IndexWriteError(UserError):
    """The index could not be written (disk full, read-only folder); the last good index is kept."""
