"""Beyond rayforce-py: NumPy without copying, pandas/polars frames (each
test skips when its package is not installed), Python values of replies."""
import datetime as dt
import uuid

import pytest

from rayforce import Null, TCPClient, Table, errors


@pytest.fixture
def c(port):
    client = TCPClient(host="127.0.0.1", port=port)
    yield client
    client.close()


def test_numeric_vectors_and_table_columns_reach_numpy_without_a_copy(c):
    np = pytest.importorskip("numpy")
    v = c.execute("(til 100000)")
    a = v.to_numpy()
    assert a.dtype == np.int64 and a[99999] == 99999 and not a.flags.owndata
    assert a.__array_interface__["data"][0] == v._ref.data_address()
    t = c.execute("trades")
    px = t["price"].to_numpy()
    assert px.dtype == np.float64 and px.tolist() == [150.5, 2800.0, 151.2, 310.0, 2795.0]
    assert px.__array_interface__["data"][0] == t["price"]._ref.data_address()


def test_temporal_vectors_to_numpy(c):
    np = pytest.importorskip("numpy")
    d = c.execute("[2024.01.15 0Nd]").to_numpy()
    assert d.dtype == np.dtype("datetime64[D]") and str(d[0]) == "2024-01-15" and np.isnat(d[1])
    ts = c.execute("[2024.01.15D09:30:00.000]").to_numpy()
    assert ts.dtype == np.dtype("datetime64[ns]") and str(ts[0]) == "2024-01-15T09:30:00.000000000"
    tm = c.execute("(at trades 'time)").to_numpy()
    assert tm.dtype == np.dtype("timedelta64[ms]") and int(tm[0].astype("int64")) == 34200000
    m = c.execute("trades").to_numpy()
    assert m.shape == (5, 4) and m.dtype == object


def test_to_pandas(c):
    pytest.importorskip("pandas")
    import numpy as np
    t = c.execute("trades")
    df = t.to_pandas()
    assert list(df.columns) == ["sym", "price", "qty", "time"]
    assert df["qty"].tolist() == [100, 50, 200, 75, 120] and df["sym"].tolist()[0] == "AAPL"
    assert np.shares_memory(df["qty"].to_numpy(), t["qty"].to_numpy())  # the engine's column, not a copy


def test_to_polars(c):
    pytest.importorskip("polars")
    df = c.execute("trades").to_polars()
    assert df.columns == ["sym", "price", "qty", "time"] and df["qty"].to_list() == [100, 50, 200, 75, 120]


def test_reply_values(c):
    assert c.execute("[a b c]").to_list() == ["a", "b", "c"]
    assert c.execute("[true false]").to_list() == [1, 0]
    assert c.execute("[1 0N 3]").to_list() == [1, Null, 3]
    assert c.execute("[1 0N 3]")[1] is Null
    v = c.execute("[10 20 30]")
    assert v[-1] == 30 and v == [10, 20, 30]
    with pytest.raises(errors.RayforceIndexError):
        v[3]
    assert c.execute("(list \"ab\" \"c\")").to_list() == ["ab", "c"]
    s = c.execute('"hey"')
    assert len(s) == 3 and repr(s[0]) == "String('h')" and [x.value for x in s] == ["h", "e", "y"]
    assert c.execute("09:30:00.000").value == dt.time(9, 30)
    g = c.execute("(as 'guid \"0f0e0d0c-0b0a-0908-0706-050403020100\")")
    assert g.value == uuid.UUID("0f0e0d0c-0b0a-0908-0706-050403020100")
    d = c.execute("{a: 1 b: 2}")
    assert d["a"] == 1 and d["zz"] is Null and len(d) == 2 and d.keys().to_list() == ["a", "b"]
    assert c.execute("1.5") == 1.5 and repr(c.execute("true")) == "B8(True)"


def test_table_views(c):
    t = c.execute("trades")
    assert t.columns() == ["sym", "price", "qty", "time"]
    assert t[["sym", "qty"]].to_dict() == {"sym": ["AAPL", "GOOG", "AAPL", "MSFT", "GOOG"], "qty": [100, 50, 200, 75, 120]}
    assert t[1:3]["qty"].to_list() == [50, 200]
    assert t.head(2)["qty"].to_list() == [100, 50] and t.tail(2)["qty"].to_list() == [75, 120]
    assert t.take(2, offset=1)["qty"].to_list() == [50, 200]
    assert t.to_rows()[0] == {"sym": "AAPL", "price": 150.5, "qty": 100, "time": dt.time(9, 30)}
    assert "AAPL" in str(t) and "price" in str(t)


def test_value_table_round_trips_through_the_server(c):
    t = Table({"sym": ["a", "b"], "d": [dt.date(2024, 1, 15), dt.date(2024, 1, 16)], "x": [1.5, 2.5]})
    from rayforce import Expression, Operation, Symbol
    back = c.execute(Expression(Operation.SET, Symbol("vt"), t))
    assert back.to_dict() == {"sym": ["a", "b"], "d": [8780, 8781], "x": [1.5, 2.5]}
    assert c.execute("(count vt)") == 2


def test_send_async_is_fire_and_forget(c):
    assert c.send_async("(set fired 7)") is None
    assert c.execute("fired") == 7
    c.close()
    with pytest.raises(errors.RayforceTCPError, match="closed connection"):
        c.send_async("1")
