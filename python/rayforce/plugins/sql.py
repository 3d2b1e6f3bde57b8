"""SQLQuery: a subset of SQL, parsed by sqlglot at construction, compiled to
the query objects of types/query.py when ``.ipc`` is read.

The FROM name and table qualifiers are ignored (the target is the Table
given); LIMIT, OFFSET, DISTINCT, HAVING and JOIN are ignored silently.
Unsupported statements and expression kinds raise ValueError at
construction; unknown functions and unary minus on a column raise ValueError
at compile time; mixed ORDER BY directions raise NotImplementedError.
"""
from dataclasses import dataclass, field

from ..types.operators import Column, Expression, Operation

try:
    import sqlglot
    from sqlglot import exp
except ImportError:  # optional dependency
    sqlglot = exp = None

_FUNCTIONS = {"COUNT": Operation.COUNT, "SUM": Operation.SUM, "AVG": Operation.AVG, "MIN": Operation.MIN,
              "MAX": Operation.MAX, "FIRST": Operation.FIRST, "LAST": Operation.LAST,
              "MEDIAN": Operation.MEDIAN, "DISTINCT": Operation.DISTINCT}
_REJECTED = ("Between", "Like", "ILike", "Is", "Subquery", "Case", "Exists", "Window")


@dataclass
class ParsedSelect:
    columns: list = field(default_factory=list)      # [(name, sqlglot node)]; empty = *
    where: object = None
    group_by: list = field(default_factory=list)
    order_by: list = field(default_factory=list)     # [(node, desc)]


@dataclass
class ParsedUpdate:
    assignments: dict = field(default_factory=dict)  # name -> sqlglot node
    where: object = None


@dataclass
class ParsedInsert:
    columns: list = field(default_factory=list)      # names, or [] when not listed
    rows: list = field(default_factory=list)         # [[sqlglot node]]


@dataclass
class ParsedUpsert(ParsedInsert):
    key_columns: int = 0


class SQLParser:
    """Parses one SQL statement into a Parsed* dataclass."""

    @staticmethod
    def parse(query: str):
        if sqlglot is None:
            raise ImportError("sqlglot is required for SQL support. Install it with: pip install rayforce-py[sql]")
        tree = sqlglot.parse_one(query)
        for node in tree.walk():
            name = type(node).__name__
            if name in _REJECTED:
                raise ValueError(f"Unsupported SQL expression type: {name}")
            if isinstance(node, exp.Literal) and not node.is_string and "e" in node.this.lower():
                raise ValueError(f"Exponent literals are not supported: {node.this}")
        if isinstance(tree, exp.Select):
            return SQLParser._select(tree)
        if isinstance(tree, exp.Update):
            return ParsedUpdate({a.this.name: a.expression for a in tree.expressions},
                                tree.args["where"].this if tree.args.get("where") else None)
        if isinstance(tree, exp.Insert):
            return SQLParser._insert(tree)
        raise ValueError(f"Statement not supported: {tree.key}")

    @staticmethod
    def _select(tree):
        columns, expr_seen = [], 0
        for e in tree.expressions:
            if isinstance(e, exp.Star):
                continue
            if isinstance(e, exp.Alias):
                columns.append((e.alias, e.this))
            elif isinstance(e, exp.Column):
                columns.append((e.name, e))
            elif isinstance(e, exp.Func) and isinstance(e.this, exp.Column):
                columns.append((f"{_func_name(e).lower()}_{e.this.name}", e))
            else:
                expr_seen += 1
                columns = [c for c in columns if c[0] != "expr"] + [("expr", e)]
        where = tree.args["where"].this if tree.args.get("where") else None
        group = [g for g in tree.args["group"].expressions] if tree.args.get("group") else []
        order = [(o.this, bool(o.args.get("desc"))) for o in tree.args["order"].expressions] \
            if tree.args.get("order") else []
        return ParsedSelect(columns, where, group, order)

    @staticmethod
    def _insert(tree):
        target = tree.this
        columns = [i.name for i in target.expressions] if isinstance(target, exp.Schema) else []
        values = tree.expression
        if not isinstance(values, exp.Values):
            raise ValueError("INSERT needs VALUES")
        rows = [list(t.expressions) for t in values.expressions]
        conflict = tree.args.get("conflict")
        if conflict is None:
            return ParsedInsert(columns, rows)
        action = str(conflict.args.get("action") or "").upper()
        if "NOTHING" in action:
            raise ValueError("ON CONFLICT DO NOTHING is not supported")
        keys = [(k.this if isinstance(k, exp.Ordered) else k).name for k in conflict.args.get("conflict_keys") or []]
        if not keys:
            raise ValueError("ON CONFLICT / ON DUPLICATE KEY needs the key columns")
        if columns and columns[:len(keys)] != keys:
            raise ValueError(f"Conflict keys {keys} must match the first {len(keys)} listed columns {columns}")
        return ParsedUpsert(columns, rows, len(keys))


def _func_name(node):
    return (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).upper()


def _value(node):
    """A literal as a Python value (a 'string' stays str: its context types it)."""
    if isinstance(node, exp.Paren):
        return _value(node.this)
    if isinstance(node, exp.Literal):
        if node.is_string:
            return node.this
        return float(node.this) if "." in node.this else int(node.this)
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return -_value(node.this)
    return _expr(node)


_BINARY = None


def _binary():
    global _BINARY
    if _BINARY is None:
        _BINARY = {exp.EQ: Operation.EQUALS, exp.NEQ: Operation.NOT_EQUALS, exp.GT: Operation.GREATER_THAN,
                   exp.GTE: Operation.GREATER_EQUAL, exp.LT: Operation.LESS_THAN, exp.LTE: Operation.LESS_EQUAL,
                   exp.Add: Operation.ADD, exp.Sub: Operation.SUBTRACT, exp.Mul: Operation.MULTIPLY,
                   exp.Div: Operation.DIVIDE, exp.Mod: Operation.MODULO, exp.And: Operation.AND,
                   exp.Or: Operation.OR}
    return _BINARY


def _expr(node):
    """A sqlglot expression as a Column, Expression or Python literal."""
    if isinstance(node, exp.Column):
        return Column(node.name)
    if isinstance(node, exp.Paren):
        return _expr(node.this)
    if isinstance(node, (exp.Literal, exp.Boolean, exp.Null)):
        return _value(node)
    if isinstance(node, exp.Neg):
        if isinstance(node.this, exp.Literal):
            return _value(node)
        raise ValueError("Unsupported unary operator: NEG")
    if isinstance(node, exp.Not):
        inner = node.this.this if isinstance(node.this, exp.Paren) else node.this
        if isinstance(inner, exp.Column):
            return Expression(Operation.EQUALS, Column(inner.name), False)
        return Expression(Operation.NOT, _expr(inner))
    if isinstance(node, exp.In):
        return Column(node.this.name).isin([_value(v) for v in node.expressions]) \
            if isinstance(node.this, exp.Column) else Expression(Operation.IN, _expr(node.this),
                                                                  [_value(v) for v in node.expressions])
    op = _binary().get(type(node))
    if op is not None:
        return Expression(op, _expr(node.this), _expr(node.expression))
    if isinstance(node, exp.Func):
        name = _func_name(node)
        if name not in _FUNCTIONS:
            raise ValueError(f"Unsupported function: {name}")
        arg = node.this
        if isinstance(arg, exp.Star):
            raise TypeError(f"{name}(*) is not supported: name a column")
        return Expression(_FUNCTIONS[name], _expr(arg))
    raise ValueError(f"Unsupported SQL expression type: {type(node).__name__}")


class SQLQuery:
    """``SQLQuery(table, query)``: ``.parsed`` at construction, ``.ipc`` compiled on use."""

    def __init__(self, table, query: str):
        self.table = table
        self.query = query
        self.parsed = SQLParser.parse(query)

    def _compiled(self):
        p, t = self.parsed, self.table
        if isinstance(p, ParsedSelect):
            q = t.select(**{n: _expr(e) for n, e in p.columns}) if p.columns else t.select()
            if p.where is not None:
                q = q.where(_expr(p.where))
            if p.group_by:
                q = q.by(*[_expr(g) for g in p.group_by])
            if p.order_by:
                if len({d for _, d in p.order_by}) > 1:
                    raise NotImplementedError("ORDER BY with mixed directions is not supported")
                q = q.order_by(*[_expr(o) for o, _ in p.order_by], desc=p.order_by[0][1])
            return q
        if isinstance(p, ParsedUpdate):
            q = t.update(**{n: _value(e) for n, e in p.assignments.items()})
            return q.where(_expr(p.where)) if p.where is not None else q
        rows = [[_value(v) for v in row] for row in p.rows]
        key = {"key_columns": p.key_columns} if isinstance(p, ParsedUpsert) else {}
        build = t.upsert if key else t.insert
        if p.columns:
            return build(**key, **{c: [r[i] for r in rows] for i, c in enumerate(p.columns)})
        if len(rows) == 1 and not key:
            return build(*rows[0])
        return build(*[[r[i] for r in rows] for i in range(len(rows[0]))], **key)

    @property
    def ipc(self):
        return self._compiled().ipc

    def __repr__(self):
        return f"SQLQuery({self.query!r})"


__all__ = ["SQLQuery", "SQLParser", "ParsedSelect", "ParsedUpdate", "ParsedInsert", "ParsedUpsert"]
