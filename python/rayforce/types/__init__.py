"""Value wrappers, expressions and query objects."""
from .containers import Dict, List, Vector
from .convert import Fn, python_to_ray, ray_to_python
from .operators import Column, Expression, Operation
from .scalars import (B8, F32, F64, GUID, I16, I32, I64, U8, Date, Null, QuotedSymbol, RayObject, String,
                      Symbol, Time, Timestamp)
from .table import Table, TableColumnInterval
from . import query  # noqa: F401  (binds the query classes before first use)

__all__ = ["Dict", "List", "Vector", "Fn", "python_to_ray", "ray_to_python", "Column", "Expression",
           "Operation", "B8", "F32", "F64", "GUID", "I16", "I32", "I64", "U8", "Date", "Null", "QuotedSymbol",
           "RayObject", "String", "Symbol", "Time", "Timestamp", "Table", "TableColumnInterval"]
