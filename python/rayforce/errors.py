"""Exceptions raised by the rayforce package."""


class RayforceError(Exception):
    """Base class of every rayforce error."""


class RayforceTCPError(RayforceError):
    """A connection could not be made, was lost, or a request failed on it."""


class RayforceEvalError(RayforceError):
    """The server evaluated the query and answered with an error object.

    Only the short code travels over the wire (``type``, ``name``, ``domain``...).
    """

    def __init__(self, code: str):
        super().__init__(f"error: {code}")
        self.code = code


class RayforceLibraryError(RayforceError):
    """librayforce.so could not be found or loaded."""
