"""What query objects send (python.md §3), checked without a server: the
Rayfall text of each payload, and wire bytes captured from the reference."""
import datetime as dt

import pytest

from rayforce import (B8, Column, Date, Expression, F64, I64, List, Null, Operation, Symbol, Table,
                      TableColumnInterval, Time, Timestamp, Vector, errors, python_to_ray)
from rayforce.types.convert import decode, encode

T = Table("trades")


def test_wire_bytes_match_the_reference_captures():
    assert encode(Symbol("AAPL")).hex(" ") == "f4 20 41 41 50 4c 00"
    assert encode(List([Symbol("a"), Symbol("b")])).hex(" ") == \
        "00 00 02 00 00 00 00 00 00 00 f4 20 61 00 f4 20 62 00"
    assert encode(Date(dt.date(2024, 1, 15))).hex(" ") == "f8 00 4c 22 00 00"
    assert encode(Time(dt.time(9, 30))).hex(" ") == "f7 00 c0 d9 09 02"
    assert encode(I64(None)).hex(" ") == "fb 01 00 00 00 00 00 00 00 80"
    assert encode(Null) == b"\x7e"
    # a column is a name reference: an unquoted symbol
    assert encode((Column("px") > 1)._as_operand())[10:15].hex(" ") == "f4 00 3e 00 f4"


def test_decode_inverts_encode():
    for v in [I64(3), F64(1.5), Symbol("x"), B8(True), Date(8780), Timestamp(dt.datetime(2024, 1, 15, 9, 30)),
              Vector([1, 2, None], ray_type=I64), Vector(["a", "b"])]:
        assert encode(decode(encode(v))) == encode(v)
    assert decode(encode(Vector([1, None, 3], ray_type=I64))).to_list() == [1, Null, 3]


@pytest.mark.parametrize("query, text", [
    (T.select("sym", "price").where(Column("price") > 200),
     "(select {sym: sym price: price from: trades where: (> price 200)})"),
    (T.select("*").where(Column("qty") > 1), "(select {from: trades where: (> qty 1)})"),
    (T.select(total=Column("qty").sum()).by("sym"), "(select {total: (sum qty) by: {sym: sym} from: trades})"),
    (T.select(one=1), "(select {one: 1 from: trades})"),
    (T.select("sym", "price").order_by("price", desc=True),
     "(xdesc (select {sym: sym price: price from: trades}) [price])"),
    (T.where(Column("a") > 1).where(Column("b") < 2).where(Column("c") == 3),
     "(select {from: trades where: (and (and (> a 1) (< b 2)) (== c 3))})"),
    (Table("quotes").update(bid=Column("bid") - 1.0).where(Column("sym") == "MSFT"),
     '(update {bid: (- bid 1.0) from: \'quotes where: (== sym "MSFT")})'),
    (Table("quotes").update(sym="X"), "(update {sym: 'X from: 'quotes})"),
    (T.insert("IBM", 140.0, 10, dt.time(9, 31)), "(insert 'trades (list 'IBM 140.0 10 09:31:00.000))"),
    (T.insert(["IBM", "IBM"], [141.0, 142.0], [20, 30], [dt.time(9, 31, 1), dt.time(9, 31, 2)]),
     "(insert 'trades (list [IBM IBM] [141.0 142.0] [20 30] [09:31:01.000 09:31:02.000]))"),
    (T.insert(sym="IBM", price=140.0), "(insert 'trades {sym: 'IBM price: 140.0})"),
    (T.insert(sym=["IBM"], price=[140.0]), "(insert 'trades {sym: [IBM] price: [140.0]})"),
    (Table("quotes").upsert("AAPL", 151.0, 151.5, key_columns=1),
     "(upsert 'quotes 1 (list [AAPL] [151.0] [151.5]))"),
    (Table("quotes").upsert(sym="AAPL", bid=151.0, ask=151.5, key_columns=1),
     "(upsert 'quotes 1 {sym: [AAPL] bid: [151.0] ask: [151.5]})"),
    (T.left_join(Table("quotes"), on="sym"), "(left-join [sym] trades quotes)"),
    (T.inner_join(Table("quotes"), on=["sym"]), "(inner-join [sym] trades quotes)"),
    (T.asof_join(Table("book"), on=["sym", "time"]), "(asof-join [sym time] trades book)"),
    (T.select("sym").ipcsave("x"), "(set 'x (select {sym: sym from: trades}))"),
    (T.ipcsave("x"), "(set 'x 'trades)"),
    (Table({"a": [1]}).ipcsave("x"), "(set 'x (table [a] (list [1])))"),
])
def test_query_payloads(query, text):
    assert str(query) == text


def test_column_operators_and_methods():
    a, b = Column("a"), Column("b")
    cases = [
        (a != b, "(!= a b)"), (a <= 1, "(<= a 1)"), (a >= 1, "(>= a 1)"), ((a > 1) | (b < 2), "(or (> a 1) (< b 2))"),
        (a + 1, "(+ a 1)"), (1 + a, "(+ 1 a)"), (1 - a, "(- 1 a)"), (2 * a, "(* 2 a)"), (1 / a, "(/ 1 a)"),
        (a // 2, "(div a 2)"), (7 // a, "(div 7 a)"), (a % 2, "(% a 2)"),
        (a.avg(), "(avg a)"), (a.mean(), "(avg a)"), (a.first(), "(first a)"), (a.last(), "(last a)"),
        (a.median(), "(med a)"), (a.deviation(), "(dev a)"), (a.std(), "(stddev a)"), (a.distinct(), "(distinct a)"),
        (a.pearson_corr(b), "(pearson_corr a b)"), (a.top(3), "(top a 3)"), (a.bot(2), "(bot a 2)"),
        (a.isin([1, 2]), "(in a [1 2])"), (a.isin([1, "x"]), "(in a (list 1 'x))"),
        (a.is_(True), "(== a true)"), (a.is_(False), "(== a false)"), ((a > 1).is_(False), "(not (> a 1))"),
        (a.where(b > 1), "(filter a (> b 1))"), (a.where(b > 1).sum(), "(sum (if (> b 1) a 0))"),
        (a == "x", '(== a "x")'),
    ]
    for expr, text in cases:
        assert str(expr) == text
    with pytest.raises(TypeError):
        hash(a)


def test_window_join_payload():
    iv = TableColumnInterval(lower=-2000, upper=2000, table=T, column="time")
    q = T.window_join1(on=["sym", "time"], join_with=[Table("book")], interval=iv, lo=Column("bid").min())
    assert str(q) == "(window-join1 [sym time] (map-left + [-2000 2000] (at trades 'time)) trades book {lo: (min bid)})"


def test_inline_value_table_travels_as_data():
    t = Table({"sym": ["AAPL"], "px": [1.0], "n": [1], "ok": [True]})
    assert t.dtypes == {"sym": "SYMBOL", "px": "F64", "n": "I64", "ok": "B8"}
    assert str(T.inner_join(t, on="sym")) == "(inner-join [sym] trades (table [sym px n ok] (list [AAPL] [1.0] [1] [true])))"
    assert encode(t)[:2] == b"\x62\x00"


def test_references_and_builders():
    assert repr(T) == "TableReference['trades']" and str(T) == "trades" and T.is_reference
    with pytest.raises(errors.RayforceInitError):
        T.insert("a", sym="b")
    with pytest.raises(errors.RayforceInitError):
        T.upsert("a", key_columns=0)
    with pytest.raises(errors.RayforceQueryCompilationError):
        T.select("*", x=Column("a") + 1)


def test_python_to_ray_table():
    assert python_to_ray(None) is Null and isinstance(python_to_ray("s"), Symbol)
    assert python_to_ray(True) == B8(True) and python_to_ray(1.5) == F64(1.5)
    assert repr(python_to_ray(dt.date(2024, 1, 15))) == "Date(datetime.date(2024, 1, 15))"
    with pytest.raises(errors.RayforceConversionError):
        python_to_ray(object())


def test_error_hierarchy():
    names = ["RayforceInitError", "RayforceQueryCompilationError", "RayforceTypeRegistryError",
             "RayforceEvaluationError", "RayforceConversionError", "RayforcePartedTableError", "RayforceTCPError",
             "RayforceThreadError", "RayforceOkError", "RayforceTypeError", "RayforceArityError",
             "RayforceLengthError", "RayforceDomainError", "RayforceIndexError", "RayforceValueError",
             "RayforceLimitError", "RayforceOSError", "RayforceParseError", "RayforceNYIError", "RayforceUserError",
             "RayforceWSError"]
    for n in names:
        cls = getattr(errors, n)
        assert cls.__bases__ == (errors.RayforceError,), n
        assert not issubclass(cls, (TypeError, ValueError, IndexError)), n
    assert errors.CORE_EXC_CODE_MAPPING["nyi"] is errors.RayforceNYIError
    assert type(errors.from_code("schema")) is errors.RayforceUserError
    assert issubclass(errors.RayforceConnectionError, errors.RayforceTCPError)
    assert issubclass(errors.RayforceConnectionError, RuntimeError)
