"""Query objects built from a Table: select, update, insert, upsert and the
joins. Each has ``.ipc`` (the payload sent to a server: a built call, never
text), ``.execute()`` (evaluated in this process) and ``.ipcsave(name)``.
"""
from collections.abc import Iterable

from ..errors import RayforceInitError, RayforceQueryCompilationError
from .containers import Dict, List, Vector
from .operators import Column, Expression, Operation, operand, python_value, rayfall
from .scalars import I64, Name, RayObject, Symbol
from .table import Table

__all__ = ["SelectQuery", "UpdateQuery", "InsertQuery", "UpsertQuery", "LeftJoin", "InnerJoin",
           "AsofJoin", "WindowJoin", "WindowJoin1", "ipcsave"]


def _call(op, *args):
    return List.of([Name(op.value)] + [operand(a) for a in args])


def _sym_dict(pairs):
    """``{k: v ...}`` as data: SYM keys, a LIST of already-compiled values."""
    return Dict.of(Vector([k for k, _ in pairs], ray_type=Symbol), List.of([v for _, v in pairs]))


def _is_star(c):
    return isinstance(c, str) and c == "*"


def _names(cols):
    return [c.name if isinstance(c, Column) else str(c) for c in cols]


def ipcsave(name, payload_owner):
    """``(set 'name <payload>)``: the name goes as a quoted symbol. A table
    reference saves its name (``'trades``), as rayforce-py does, not a copy."""
    payload = payload_owner.ipc if hasattr(payload_owner, "ipc") else payload_owner._in_place()
    return Expression(Operation.SET, Symbol(name), payload)


class _Query:
    """Shared: ``ipc``, ``execute()`` (local), ``ipcsave(name)``, the text form."""

    @property
    def ipc(self):
        return self._compile()

    def _as_operand(self):
        return self._compile()

    def execute(self):
        from ..evaluation import eval_obj
        return eval_obj(self._compile())

    def ipcsave(self, name):
        return ipcsave(name, self)

    def __str__(self):
        return rayfall(self._compile())

    def __repr__(self):
        return f"{type(self).__name__}({self})"


class SelectQuery(_Query):
    def __init__(self, table, attributes=None, where=None, by=None, order=None, ungroup=False):
        self.table = table
        self.attributes = attributes or []   # [(name, operand source)]
        self.where_conditions = where
        self.by_columns = by or []
        self.order = order                    # (names, desc) or None
        self._ungroup = ungroup

    def _copy(self, **changes):
        fields = dict(attributes=self.attributes, where=self.where_conditions, by=self.by_columns,
                      order=self.order, ungroup=self._ungroup)
        fields.update(changes)
        return SelectQuery(self.table, **fields)

    @staticmethod
    def _pairs(cols, computed):
        pairs = []
        for c in cols:
            if _is_star(c):
                continue
            name = c.name if isinstance(c, Column) else str(c)
            pairs.append((name, Column(name) if not isinstance(c, Column) else c))
        pairs.extend(computed.items())
        return pairs

    def select(self, *cols, **computed):
        star = any(_is_star(c) for c in cols)
        if star and computed and self.table.is_reference:
            raise RayforceQueryCompilationError("select('*', ...) on a table reference needs its columns locally")
        pairs = self._pairs(cols, computed)
        if star and computed:
            pairs = [(n, Column(n)) for n in self.table._names] + pairs
        return self._copy(attributes=pairs)

    def where(self, cond):
        return self._copy(where=cond if self.where_conditions is None else (self.where_conditions & cond))

    def by(self, *cols, **computed):
        return self._copy(by=self._pairs(cols, computed))

    def order_by(self, *cols, desc=False):
        return self._copy(order=(_names(cols), bool(desc)))

    def ungroup(self):
        return self._copy(ungroup=True)

    def _compile(self):
        pairs = [(n, operand(v)) for n, v in self.attributes]
        if self.by_columns:
            pairs.append(("by", _sym_dict([(n, operand(v)) for n, v in self.by_columns])))
        pairs.append(("from", operand(self.table)))
        if self.where_conditions is not None:
            pairs.append(("where", operand(self.where_conditions)))
        out = List.of([Name("select"), _sym_dict(pairs)])
        if self.order:
            names, desc = self.order
            out = _call(Operation.XDESC if desc else Operation.XASC, out, Vector(names, ray_type=Symbol))
        if self._ungroup:
            out = _call(Operation.UNGROUP, out)
        return out


class UpdateQuery(_Query):
    def __init__(self, table, **assignments):
        self.table, self.attributes, self.where_condition = table, assignments, None

    def where(self, cond):
        q = UpdateQuery(self.table, **self.attributes)
        q.where_condition = cond
        return q

    def _compile(self):
        pairs = [(k, python_value(v)) for k, v in self.attributes.items()]
        pairs.append(("from", self.table._in_place()))
        if self.where_condition is not None:
            pairs.append(("where", operand(self.where_condition)))
        return List.of([Name("update"), _sym_dict(pairs)])


def _is_columnar(v):
    return isinstance(v, Iterable) and not isinstance(v, (str, bytes, dict, RayObject))


def _column_vector(values):
    if isinstance(values, (Vector, List)):
        return values
    values = list(values)
    if not values:
        raise RayforceQueryCompilationError("an empty column cannot be typed")
    return Vector(values)


class InsertQuery(_Query):
    def __init__(self, table, *args, **kwargs):
        if args and kwargs:
            raise RayforceInitError("insert takes positional values or keyword columns, not both")
        self.table, self.args, self.kwargs = table, args, kwargs

    def _data(self, scalars_as_vectors=False):
        if not self.args and not self.kwargs:
            raise RayforceQueryCompilationError("nothing to insert")
        values = self.kwargs.values() if self.kwargs else self.args
        columnar = _is_columnar(next(iter(values)))
        if scalars_as_vectors and not columnar:
            values, columnar = [[v] for v in values], True
        items = [_column_vector(v) if columnar else python_value(v) for v in values]
        if self.kwargs:
            return _sym_dict(list(zip(self.kwargs, items)))
        return _call(Operation.LIST, *items)

    def _compile(self):
        return _call(Operation.INSERT, self.table._in_place(), self._data())


class UpsertQuery(InsertQuery):
    def __init__(self, table, *args, key_columns, **kwargs):
        if not isinstance(key_columns, int) or key_columns <= 0:
            raise RayforceInitError(f"key_columns must be a positive int, not {key_columns!r}")
        super().__init__(table, *args, **kwargs)
        self.key_columns = key_columns

    def _compile(self):
        return _call(Operation.UPSERT, self.table._in_place(), I64(self.key_columns),
                     self._data(scalars_as_vectors=True))


def _on(on):
    return Vector([on] if isinstance(on, str) else _names(on), ray_type=Symbol)


class _Join(_Query):
    op = None

    def __init__(self, table, other, on):
        self.table, self.other, self.on = table, other, on

    def _compile(self):
        return _call(self.op, _on(self.on), self.table, self.other)


class LeftJoin(_Join):
    op = Operation.LEFT_JOIN


class InnerJoin(_Join):
    op = Operation.INNER_JOIN


class AsofJoin(_Join):
    op = Operation.ASOF_JOIN


class WindowJoin(_Query):
    op = Operation.WINDOW_JOIN

    def __init__(self, table, on, join_with, interval, **aggs):
        if not aggs:
            raise RayforceInitError("a window join needs at least one aggregation")
        self.table, self.on, self.interval, self.aggs = table, on, interval, aggs
        self.join_with = list(join_with) if isinstance(join_with, (list, tuple)) else [join_with]

    def _compile(self):
        aggs = _sym_dict([(k, operand(v)) for k, v in self.aggs.items()])
        return _call(self.op, _on(self.on), self.interval, self.table, *self.join_with, aggs)


class WindowJoin1(WindowJoin):
    op = Operation.WINDOW_JOIN1
