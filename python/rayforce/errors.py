"""The exception hierarchy of the rayforce package (rayforce-py's names).

Every class is a direct subclass of ``RayforceError``; none subclasses Python's
``TypeError``/``ValueError``/``IndexError``. A server error reply carries only
a code, mapped to a class by ``CORE_EXC_CODE_MAPPING`` (unknown codes give
``RayforceUserError``). Connect and bind failures raise
``RayforceConnectionError``, which is both a ``RayforceTCPError`` and a
``RuntimeError`` (rayforce-py 2.x raised ``RuntimeError``, its docs promise
``RayforceTCPError``).
"""


class RayforceError(Exception):
    """Root of every rayforce error; ``code`` is the engine's error code, if any."""

    code = None

    def __init__(self, *args, code=None):
        super().__init__(*args)
        if code is not None:
            self.code = code


class RayforceInitError(RayforceError):
    """An object was built with arguments that cannot go together."""


class RayforceQueryCompilationError(RayforceError):
    """A query object cannot be turned into an expression."""


class RayforceTypeRegistryError(RayforceError):
    """A type code has no wrapper class."""


class RayforceEvaluationError(RayforceError):
    """A local evaluation (eval_str, eval_obj, .execute()) failed."""


class RayforceConversionError(RayforceError):
    """A Python value has no Rayforce counterpart (or the reverse)."""


class RayforcePartedTableError(RayforceError):
    """A parted-table operation failed."""


class RayforceTCPError(RayforceError):
    """A connection could not be made, was lost, or cannot send this data."""


class RayforceThreadError(RayforceError):
    """The engine was used from a thread that may not use it."""


class RayforceWSError(RayforceError):
    """WebSocket transport error (kept for name compatibility; unused)."""


class RayforceLibraryError(RayforceError, ImportError):
    """librayforce.so could not be found or loaded."""


class RayforceConnectionError(RayforceTCPError, RuntimeError):
    """Connect, authentication or bind failure (both classes users catch)."""


def _core(name, code, doc):
    return type(name, (RayforceError,), {"__doc__": doc, "code": code, "__module__": __name__})


RayforceOkError = _core("RayforceOkError", "ok", "Code ok.")
RayforceTypeError = _core("RayforceTypeError", "type", "Code type: an argument has the wrong type.")
RayforceArityError = _core("RayforceArityError", "arity", "Code arity: wrong number of arguments.")
RayforceLengthError = _core("RayforceLengthError", "length", "Code length: lengths do not match.")
RayforceDomainError = _core("RayforceDomainError", "domain", "Code domain: a value is out of its domain.")
RayforceIndexError = _core("RayforceIndexError", "index", "Code index: an index is out of range.")
RayforceValueError = _core("RayforceValueError", "value", "Code value: a value is invalid.")
RayforceLimitError = _core("RayforceLimitError", "limit", "Code limit: a limit was passed.")
RayforceOSError = _core("RayforceOSError", "os", "Code os: an operating-system call failed.")
RayforceParseError = _core("RayforceParseError", "parse", "Code parse: the text does not parse.")
RayforceNYIError = _core("RayforceNYIError", "nyi", "Code nyi: not yet implemented.")
RayforceUserError = _core("RayforceUserError", None, "Any other code (name, schema, io, ...).")

CORE_EXC_CODE_MAPPING = {
    "ok": RayforceOkError,
    "type": RayforceTypeError,
    "arity": RayforceArityError,
    "length": RayforceLengthError,
    "domain": RayforceDomainError,
    "index": RayforceIndexError,
    "value": RayforceValueError,
    "limit": RayforceLimitError,
    "os": RayforceOSError,
    "parse": RayforceParseError,
    "nyi": RayforceNYIError,
}


def from_code(code, text=""):
    """The exception for an engine error code: message ``code`` or ``code: text``."""
    cls = CORE_EXC_CODE_MAPPING.get(code, RayforceUserError)
    return cls(f"{code}: {text}" if text else code, code=code)


__all__ = [n for n in list(globals()) if n.startswith("Rayforce")] + ["CORE_EXC_CODE_MAPPING"]
