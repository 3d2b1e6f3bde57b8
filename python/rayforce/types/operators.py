"""Expression building: Operation (builtin names), Column (a name reference)
and Expression (a call), with Python operators mapped to Rayfall builtins.

Operands compile as: Column -> unquoted symbol (looked up by the server),
Expression -> nested list with an unquoted symbol head, wrapper -> itself,
Python str -> a STR atom, other Python values -> python_to_ray.
"""
import datetime as _dt
import enum

from ..errors import RayforceQueryCompilationError
from .containers import List, Vector
from .scalars import I64, Name, RayObject, String, Symbol


class Operation(enum.StrEnum):
    """Rayfall builtins by their Rayfall names."""

    ADD = "+"
    SUBTRACT = "-"
    MULTIPLY = "*"
    DIVIDE = "/"
    DIV_INT = "div"
    MODULO = "%"
    NEGATE = "neg"
    EQUALS = "=="
    NOT_EQUALS = "!="
    GREATER_THAN = ">"
    GREATER_EQUAL = ">="
    LESS_THAN = "<"
    LESS_EQUAL = "<="
    AND = "and"
    OR = "or"
    NOT = "not"
    SUM = "sum"
    AVG = "avg"
    MEAN = "avg"
    COUNT = "count"
    MIN = "min"
    MAX = "max"
    FIRST = "first"
    LAST = "last"
    MEDIAN = "med"
    DEVIATION = "dev"
    STDDEV = "stddev"
    PEARSON_CORR = "pearson_corr"
    TOP = "top"
    BOT = "bot"
    XBAR = "xbar"
    CEIL = "ceil"
    FLOOR = "floor"
    ROUND = "round"
    IN = "in"
    DISTINCT = "distinct"
    FILTER = "filter"
    IF = "if"
    SELECT = "select"
    UPDATE = "update"
    INSERT = "insert"
    UPSERT = "upsert"
    WHERE = "where"
    UNGROUP = "ungroup"
    INNER_JOIN = "inner-join"
    IJ = "inner-join"
    LEFT_JOIN = "left-join"
    LJ = "left-join"
    ASOF_JOIN = "asof-join"
    WINDOW_JOIN = "window-join"
    WJ = "window-join"
    WINDOW_JOIN1 = "window-join1"
    WJ1 = "window-join1"
    ASC = "asc"
    DESC = "desc"
    XASC = "xasc"
    XDESC = "xdesc"
    IASC = "iasc"
    IDESC = "idesc"
    AT = "at"
    MAP = "map"
    MAP_LEFT = "map-left"
    TIL = "til"
    LIST = "list"
    TABLE = "table"
    EVAL = "eval"
    QUOTE = "quote"
    CONCAT = "concat"
    SET = "set"


def operand(x):
    """The wire value of one expression operand."""
    from .convert import python_to_ray
    if isinstance(x, (Column, Expression)):
        return x._as_operand()
    if isinstance(x, Operation):
        return Name(x.value)
    if isinstance(x, str):
        return String(x)
    if hasattr(x, "_as_operand"):
        return x._as_operand()
    return python_to_ray(x)


def vector_or_list(values):
    """``[A B]`` for a homogeneous list (typed from its first item, str -> SYM),
    ``(list ...)`` for a mixed one; a wrapper is used as is."""
    if isinstance(values, RayObject):
        return values
    values = list(values)
    if values:
        kinds = {bool if isinstance(v, bool) else type(v) for v in values}
        if len(kinds) == 1 and not isinstance(values[0], (RayObject, list, tuple, dict)):
            return Vector(values)
    return Expression(Operation.LIST, *[python_value(v) for v in values])


def python_value(v):
    """Like operand, but a Python str is a symbol (a value, not a comparison text)."""
    from .convert import python_to_ray
    if isinstance(v, str):
        return Symbol(v)
    return operand(v) if isinstance(v, (Column, Expression)) else python_to_ray(v)


class _Builds:
    """Python operators and aggregation methods shared by Column and Expression."""

    __hash__ = None

    def __str__(self):
        return rayfall(self)

    def _call(self, op, *args):
        return Expression(op, self, *args)

    def __eq__(self, o):
        return self._call(Operation.EQUALS, o)

    def __ne__(self, o):
        return self._call(Operation.NOT_EQUALS, o)

    def __lt__(self, o):
        return self._call(Operation.LESS_THAN, o)

    def __le__(self, o):
        return self._call(Operation.LESS_EQUAL, o)

    def __gt__(self, o):
        return self._call(Operation.GREATER_THAN, o)

    def __ge__(self, o):
        return self._call(Operation.GREATER_EQUAL, o)

    def __and__(self, o):
        return self._call(Operation.AND, o)

    def __or__(self, o):
        return self._call(Operation.OR, o)

    def __add__(self, o):
        return self._call(Operation.ADD, o)

    def __sub__(self, o):
        return self._call(Operation.SUBTRACT, o)

    def __mul__(self, o):
        return self._call(Operation.MULTIPLY, o)

    def __truediv__(self, o):
        return self._call(Operation.DIVIDE, o)

    def __floordiv__(self, o):
        return self._call(Operation.DIV_INT, o)

    def __mod__(self, o):
        return self._call(Operation.MODULO, o)

    def __radd__(self, o):
        return Expression(Operation.ADD, o, self)

    def __rsub__(self, o):
        return Expression(Operation.SUBTRACT, o, self)

    def __rmul__(self, o):
        return Expression(Operation.MULTIPLY, o, self)

    def __rtruediv__(self, o):
        return Expression(Operation.DIVIDE, o, self)

    def __rfloordiv__(self, o):
        return Expression(Operation.DIV_INT, o, self)

    def sum(self):
        return self._call(Operation.SUM)

    def avg(self):
        return self._call(Operation.AVG)

    mean = avg

    def count(self):
        return self._call(Operation.COUNT)

    def min(self):
        return self._call(Operation.MIN)

    def max(self):
        return self._call(Operation.MAX)

    def first(self):
        return self._call(Operation.FIRST)

    def last(self):
        return self._call(Operation.LAST)

    def median(self):
        return self._call(Operation.MEDIAN)

    def deviation(self):
        return self._call(Operation.DEVIATION)

    def std(self):
        return self._call(Operation.STDDEV)

    def distinct(self):
        return self._call(Operation.DISTINCT)

    def pearson_corr(self, other):
        return self._call(Operation.PEARSON_CORR, other)

    def top(self, n):
        return self._call(Operation.TOP, n)

    def bot(self, n):
        return self._call(Operation.BOT, n)

    def isin(self, values):
        return Expression(Operation.IN, self, vector_or_list(values))


class Column(_Builds):
    """``Column(name)``: a column of the query's table (``table`` is ignored)."""

    def __init__(self, name, table=None):
        self.name = name.name if isinstance(name, Column) else str(name)
        self.table = table

    def _as_operand(self):
        return Name(self.name)

    def is_(self, flag: bool):
        return Expression(Operation.EQUALS, self, bool(flag))

    def where(self, cond):
        return FilteredColumn(self, cond)

    def shift_tz(self, tz):
        """``(+ c <utc offset in ns>)`` for a tzinfo or an IANA name."""
        if isinstance(tz, str):
            from zoneinfo import ZoneInfo
            tz = ZoneInfo(tz)
        off = _dt.datetime.now(tz).utcoffset() or _dt.timedelta(0)
        return Expression(Operation.ADD, self, I64(int(off / _dt.timedelta(microseconds=1)) * 1000))

    def __repr__(self):
        return f"Column({self.name!r})"


class FilteredColumn(Column):
    """``Column.where(cond)``: ``(filter c cond)``; its ``sum()`` is
    ``(sum (if cond c 0))`` so groups without a match give 0."""

    def __init__(self, column, cond):
        super().__init__(column.name)
        self.cond = cond

    def _as_operand(self):
        return Expression(Operation.FILTER, Column(self.name), self.cond)._as_operand()

    def sum(self):
        return Expression(Operation.SUM, Expression(Operation.IF, self.cond, Column(self.name), 0))

    def _call(self, op, *args):
        return Expression(op, Expression(Operation.FILTER, Column(self.name), self.cond), *args)


class Expression(_Builds):
    """``Expression(op, *operands)``: a call of builtin ``op``."""

    def __init__(self, op, *operands):
        self.op = op if isinstance(op, Operation) else Operation(op)
        self.operands = operands

    def _as_operand(self):
        return List.of([Name(self.op.value)] + [operand(x) for x in self.operands])

    def is_(self, flag: bool):
        return self if flag else Expression(Operation.NOT, self)

    def compile(self):
        return self._as_operand()

    def __repr__(self):
        return f"Expression({rayfall(self)!r})"


def rayfall(x) -> str:
    """Rayfall source text for a compiled operand (calls as ``(f a b)``)."""
    w = x._as_operand() if hasattr(x, "_as_operand") else x
    if isinstance(w, List) and w.items and isinstance(w.items[0], Name):
        return "(" + " ".join([w.items[0].raw] + [rayfall(i) for i in w.items[1:]]) + ")"
    if isinstance(w, List):
        return "(list" + "".join(" " + rayfall(i) for i in w.items) + ")"
    from .containers import Dict
    if isinstance(w, Dict) and w.keys().code == 12 and isinstance(w.values(), List):
        return "{" + " ".join(f"{k}: {rayfall(v)}" for k, v in zip(w.keys().raw, w.values().items)) + "}"
    return w._rayfall()
