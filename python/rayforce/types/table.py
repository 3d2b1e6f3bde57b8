"""Table: a value table (columns held here, sent inline) or a reference to a
server global (``Table("trades")``, sent as the name). Builders return the
query objects of types/query.py; this module re-exports them.
"""
from ..errors import RayforceConversionError, RayforceIndexError, RayforceInitError
from .containers import DTYPE_NAMES, Dict, List, Vector, deep_python
from .scalars import Name, RayObject, Symbol


class Table(RayObject):
    """``Table("trades")`` (a reference) or ``Table({"sym": [...], ...})`` (a value)."""

    __slots__ = ("_name", "_names", "_cols", "_ref")

    def __init__(self, data=None, name=None):
        self._ref = None
        if isinstance(data, str) and name is None:
            self._name, self._names, self._cols = data, None, None
            return
        if isinstance(data, Table):
            data = data._materialize()
            self._name, self._names, self._cols = None, list(data._names), list(data._cols)
            return
        if not isinstance(data, dict):
            raise RayforceInitError("Table needs a global's name or a dict of columns")
        self._name = None
        self._names = [str(k) for k in data]
        self._cols = [_column(v) for v in data.values()]

    @classmethod
    def _from_columns(cls, names, cols, ref):
        t = cls.__new__(cls)
        t._name, t._names, t._cols, t._ref = None, list(names), list(cols), ref
        return t

    @classmethod
    def from_dict(cls, data):
        return cls(data)

    # ---------------------------------------------------------------- identity
    @property
    def is_reference(self) -> bool:
        return self._name is not None

    def _as_operand(self):
        """A reference is a name the server looks up; a value travels inline."""
        return Name(self._name) if self.is_reference else self

    def _in_place(self):
        """The target of update/insert/upsert: ``'name`` (in place) or the value."""
        return Symbol(self._name) if self.is_reference else self

    def _materialize(self):
        if not self.is_reference:
            return self
        from ..evaluation import eval_str
        t = eval_str(self._name)
        if not isinstance(t, Table):
            raise RayforceConversionError(f"{self._name} is not a table here")
        return t

    def __repr__(self):
        if self.is_reference:
            return f"TableReference[{self._name!r}]"
        return "Table[" + ", ".join(repr(Symbol(n)) for n in self._names) + "]"

    def __str__(self):
        if self.is_reference:
            return self._name
        if self._ref is None:
            from .. import _ref
            from .convert import encode
            self._ref = _ref.from_bytes(encode(self))
        return self._ref.text()

    # ---------------------------------------------------------------- data
    def __len__(self):
        t = self._materialize()
        return len(t._cols[0]) if t._cols else 0

    def shape(self):
        t = self._materialize()
        return (len(t), len(t._names))

    def columns(self):
        return Vector(self._materialize()._names, ray_type=Symbol)

    def values(self):
        return List.of(self._materialize()._cols)

    @property
    def dtypes(self):
        t = self._materialize()
        return {n: (DTYPE_NAMES[c.code] if isinstance(c, Vector) else "LIST") for n, c in zip(t._names, t._cols)}

    def at_column(self, name):
        t = self._materialize()
        try:
            return t._cols[t._names.index(str(name))]
        except ValueError:
            raise RayforceIndexError(f"no column {name!r}", code="index") from None

    def at_row(self, i):
        t = self._materialize()
        n = len(t)
        if not -n <= i < n:
            raise RayforceIndexError(f"row {i} out of range for {n} rows", code="index")
        return Dict.of(Vector(t._names, ray_type=Symbol), List.of([c[i] for c in t._cols]))

    def __getitem__(self, key):
        if isinstance(key, str):
            return self.at_column(key)
        if isinstance(key, int):
            return self.at_row(key)
        t = self._materialize()
        if isinstance(key, slice):
            if key.step not in (None, 1):
                raise RayforceIndexError("table slices take no step", code="index")
            return Table._from_columns(t._names, [c[key] for c in t._cols], None)
        if isinstance(key, (list, tuple)):
            return Table._from_columns([str(k) for k in key], [t.at_column(k) for k in key], None)
        raise RayforceIndexError(f"cannot index a table with {key!r}", code="index")

    def head(self, n=5):
        return self[:n]

    def tail(self, n=5):
        return self[max(len(self) - n, 0):]

    def take(self, n, offset=0):
        return self[offset:offset + n]

    def to_dict(self):
        t = self._materialize()
        return {n: (c.to_list() if isinstance(c, Vector) else deep_python(c)) for n, c in zip(t._names, t._cols)}

    def to_python(self):
        return self.to_dict()

    def to_rows(self):
        """A list of row dicts with Python values (dates as ``datetime.date``)."""
        t = self._materialize()
        cols = [deep_python(c) for c in t._cols]
        return [dict(zip(t._names, row)) for row in zip(*cols)]

    def to_numpy(self):
        import numpy as np
        t = self._materialize()
        arrays = [c.to_numpy() if isinstance(c, Vector) else np.array(deep_python(c), dtype=object) for c in t._cols]
        if len({a.dtype for a in arrays}) > 1:
            arrays = [a.astype(object) for a in arrays]
        return np.column_stack(arrays) if arrays else np.empty((0, 0))

    def to_pandas(self):
        """A pandas DataFrame (numeric columns from the engine are not copied by this package)."""
        import pandas as pd
        t = self._materialize()
        return pd.DataFrame({n: _np_or_list(c) for n, c in zip(t._names, t._cols)}, copy=False)

    def to_polars(self):
        import polars as pl
        t = self._materialize()
        return pl.DataFrame({n: _np_or_list(c) for n, c in zip(t._names, t._cols)})

    # ---------------------------------------------------------------- wire
    def _encode(self, out):
        if self.is_reference:
            Name(self._name)._encode(out)
            return
        out += b"\x62\x00"
        names = bytearray()
        Vector(self._names, ray_type=Symbol)._encode(names)
        names[1] = 0x03  # column names carry attrs 03, as the reference writes them
        out += names
        List.of(self._cols)._encode(out)

    def _rayfall(self):
        if self.is_reference:
            return self._name
        from .operators import rayfall
        return f"(table {Vector(self._names, ray_type=Symbol)._rayfall()} (list" + \
            "".join(" " + rayfall(c) for c in self._cols) + "))"

    # ---------------------------------------------------------------- builders
    def select(self, *cols, **computed):
        from .query import SelectQuery
        return SelectQuery(self).select(*cols, **computed)

    def where(self, cond):
        from .query import SelectQuery
        return SelectQuery(self).where(cond)

    def by(self, *cols, **computed):
        from .query import SelectQuery
        return SelectQuery(self).by(*cols, **computed)

    def order_by(self, *cols, desc=False):
        from .query import SelectQuery
        return SelectQuery(self).order_by(*cols, desc=desc)

    def update(self, **assignments):
        from .query import UpdateQuery
        return UpdateQuery(self, **assignments)

    def insert(self, *args, **kwargs):
        from .query import InsertQuery
        return InsertQuery(self, *args, **kwargs)

    def upsert(self, *args, key_columns, **kwargs):
        from .query import UpsertQuery
        return UpsertQuery(self, *args, key_columns=key_columns, **kwargs)

    def left_join(self, other, on):
        from .query import LeftJoin
        return LeftJoin(self, other, on)

    def inner_join(self, other, on):
        from .query import InnerJoin
        return InnerJoin(self, other, on)

    def asof_join(self, other, on):
        from .query import AsofJoin
        return AsofJoin(self, other, on)

    def window_join(self, on, join_with, interval, **aggs):
        from .query import WindowJoin
        return WindowJoin(self, on, join_with, interval, **aggs)

    def window_join1(self, on, join_with, interval, **aggs):
        from .query import WindowJoin1
        return WindowJoin1(self, on, join_with, interval, **aggs)

    def ipcsave(self, name):
        from .query import ipcsave
        return ipcsave(name, self)

    def save(self, name):
        """Binds this table to global ``name`` in this process."""
        from ..evaluation import eval_obj
        from .operators import Expression, Operation
        eval_obj(Expression(Operation.SET, Symbol(name), self._materialize()))
        return Table(name)

    def sql(self, query):
        """Runs SQL against this table in this process."""
        from ..plugins.sql import SQLQuery
        from ..evaluation import eval_obj
        return eval_obj(SQLQuery(self, query).ipc)


class TableColumnInterval:
    """``TableColumnInterval(lower, upper, table, column)``: the windows
    ``(map-left + [lower upper] (at <table> '<column>))`` of a window join."""

    def __init__(self, lower: int, upper: int, table: Table, column):
        self.lower, self.upper, self.table = int(lower), int(upper), table
        self.column = getattr(column, "name", column)

    def _as_operand(self):
        from .operators import Expression, Operation
        from .scalars import I64
        bounds = Vector([self.lower, self.upper], ray_type=I64)
        at = Expression(Operation.AT, self.table, Symbol(self.column))
        return Expression(Operation.MAP_LEFT, Operation.ADD, bounds, at)._as_operand()


def _column(values):
    if isinstance(values, (Vector, List)):
        return values
    values = list(values)
    try:
        return Vector(values)
    except RayforceConversionError:
        return List(values)


def _np_or_list(col):
    if isinstance(col, Vector) and col.code in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10):
        return col.to_numpy()
    return deep_python(col)


def __getattr__(name):  # the query classes live in types/query.py
    from . import query
    if name in query.__all__:
        return getattr(query, name)
    raise AttributeError(name)
