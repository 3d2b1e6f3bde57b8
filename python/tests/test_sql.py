"""rayforce.plugins.sql (python.md §4): what each SQL form compiles to, and
what it rejects, checked without a server."""
import pytest

pytest.importorskip("sqlglot")

from rayforce import Table  # noqa: E402
from rayforce.plugins.sql import ParsedInsert, ParsedSelect, ParsedUpdate, ParsedUpsert, SQLQuery  # noqa: E402

T = Table("t")


@pytest.mark.parametrize("sql, text", [
    ("SELECT * FROM self", "(select {from: t})"),
    ("SELECT a, b AS x FROM other WHERE t.a > 1", "(select {a: a x: b from: t where: (> a 1)})"),
    ("SELECT AVG(p), MAX(q), a + 1 FROM self", "(select {avg_p: (avg p) max_q: (max q) expr: (+ a 1) from: t})"),
    ("SELECT FIRST(a), LAST(a), MEDIAN(a), MIN(a), SUM(a), COUNT(a) FROM self",
     "(select {first_a: (first a) last_a: (last a) median_a: (med a) min_a: (min a) sum_a: (sum a) count_a: (count a) from: t})"),
    ("SELECT a FROM self WHERE s = 'x' AND (b <> 2 OR c != 3)",
     '(select {a: a from: t where: (and (== s "x") (or (!= b 2) (!= c 3)))})'),
    ("SELECT a FROM self WHERE s IN ('x', 'y') AND NOT f", "(select {a: a from: t where: (and (in s [x y]) (== f false))})"),
    ("SELECT a FROM self WHERE NOT (a > 1)", "(select {a: a from: t where: (not (> a 1))})"),
    ("SELECT a FROM self WHERE b = TRUE AND c = NULL AND d > -5 AND e < 1.5 AND \"f\" % 2 = 0",
     "(select {a: a from: t where: (and (and (and (and (== b true) (== c 0N)) (> d -5)) (< e 1.5)) (== (% f 2) 0))})"),
    ("SELECT a FROM self GROUP BY a, b ORDER BY a DESC, b DESC LIMIT 3 OFFSET 1",
     "(xdesc (select {a: a by: {a: a b: b} from: t}) [a b])"),
    ("SELECT DISTINCT a FROM self", "(select {a: a from: t})"),
    ("UPDATE self SET bid = bid - 1.0, s = 'X' WHERE sym = 'MSFT'",
     "(update {bid: (- bid 1.0) s: 'X from: 't where: (== sym \"MSFT\")})"),
    ("INSERT INTO self (s, b) VALUES ('IBM', 1.5)", "(insert 't {s: [IBM] b: [1.5]})"),
    ("INSERT INTO self VALUES ('IBM', 1.5)", "(insert 't (list 'IBM 1.5))"),
    ("INSERT INTO self VALUES ('IBM', 1.5), ('X', 2.5)", "(insert 't (list [IBM X] [1.5 2.5]))"),
    ("INSERT INTO self (s, b) VALUES ('A', 1.0), ('B', 2.0) ON CONFLICT (s) DO UPDATE SET b = 9",
     "(upsert 't 1 {s: [A B] b: [1.0 2.0]})"),
])
def test_compiled_payloads(sql, text):
    assert str(SQLQuery(T, sql)._compiled()) == text


def test_parsed_dataclasses():
    assert isinstance(SQLQuery(T, "SELECT a FROM self").parsed, ParsedSelect)
    assert isinstance(SQLQuery(T, "UPDATE self SET a = 1").parsed, ParsedUpdate)
    assert type(SQLQuery(T, "INSERT INTO self VALUES (1)").parsed) is ParsedInsert
    up = SQLQuery(T, "INSERT INTO self (a, b) VALUES (1, 2) ON CONFLICT (a) DO UPDATE").parsed
    assert isinstance(up, ParsedUpsert) and up.key_columns == 1
    q = SQLQuery(T, "SELECT a FROM self")
    assert q.table is T and not hasattr(q, "execute") and not hasattr(q, "ipcsave")


@pytest.mark.parametrize("sql", [
    "DELETE FROM self", "CREATE TABLE x (a INT)", "SELECT a FROM self WHERE a BETWEEN 1 AND 2",
    "SELECT a FROM self WHERE s LIKE 'a%'", "SELECT a FROM self WHERE a IS NULL",
    "SELECT a FROM self WHERE a IN (SELECT b FROM u)", "SELECT CASE WHEN a > 1 THEN 1 END FROM self",
    "SELECT a FROM self WHERE a > 1e3", "INSERT INTO self VALUES (1) ON CONFLICT DO NOTHING",
    "INSERT INTO self (a, b) VALUES (1, 2) ON CONFLICT (b) DO UPDATE",
])
def test_rejected_at_construction(sql):
    with pytest.raises(ValueError):
        SQLQuery(T, sql)


def test_rejected_at_compile_time():
    with pytest.raises(ValueError, match="Unsupported function: STDDEV"):
        SQLQuery(T, "SELECT STDDEV(a) AS s FROM self").ipc
    with pytest.raises(ValueError, match="Unsupported unary operator: NEG"):
        SQLQuery(T, "SELECT -a AS n FROM self").ipc
    with pytest.raises((TypeError, ValueError)):
        SQLQuery(T, "SELECT COUNT(*) AS n FROM self").ipc
    with pytest.raises(NotImplementedError):
        SQLQuery(T, "SELECT a FROM self ORDER BY a ASC, b DESC").ipc


def test_syntax_errors_are_sqlglot_parse_errors():
    import sqlglot
    with pytest.raises(sqlglot.errors.ParseError):
        SQLQuery(T, "SELECT FROM WHERE")
