"""Local evaluation in this process's global environment: eval_str (Rayfall
text) and eval_obj (a built expression or query payload, sent to the engine
as its Rayfall text). Failures raise RayforceEvaluationError.
"""
from . import _ref
from .types.convert import ray_to_python
from .types.operators import rayfall
from .types.scalars import Null


def eval_str(source: str):
    """Evaluates every form of ``source``; returns the last value as a wrapper."""
    ref = _ref.eval_text(source)
    return Null if ref is None else ray_to_python(ref)


def eval_obj(obj):
    """Evaluates a wrapper, Expression or query payload here."""
    if hasattr(obj, "ipc"):
        obj = obj.ipc
    return eval_str(rayfall(obj))
