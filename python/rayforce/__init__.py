"""rayforce: the rayforce-py API (IPC client/server, value wrappers, query
objects, SQL) in pure Python over librayforce.so's C API (ctypes).

    from rayforce import TCPClient, Table, Column
    with TCPClient("localhost", 5000) as c:
        print(c.execute("(+ 1 2)"))                                   # 3
        c.execute(Table("trades").select("sym").where(Column("qty") > 100))
"""
from . import errors
from .errors import *  # noqa: F401,F403
from .errors import __all__ as _error_names
from .evaluation import eval_obj, eval_str
from .network import TCPClient, TCPServer
from .types import (B8, F32, F64, GUID, I16, I32, I64, U8, Column, Date, Dict, Expression, Fn, List, Null,
                    Operation, QuotedSymbol, RayObject, String, Symbol, Table, TableColumnInterval, Time,
                    Timestamp, Vector, python_to_ray, ray_to_python)

__all__ = ["TCPClient", "TCPServer", "Table", "Column", "Expression", "TableColumnInterval", "Operation",
           "Vector", "List", "Dict", "String", "Symbol", "QuotedSymbol", "I16", "I32", "I64", "U8", "B8", "F32",
           "F64", "Date", "Time", "Timestamp", "GUID", "Fn", "Null", "RayObject", "eval_str", "eval_obj",
           "python_to_ray", "ray_to_python", "errors"] + list(_error_names)
