"""python.md §7: the 24 acceptance examples, each against a fresh server of ours
serving init.rfl. Expected values were checked against the reference server
(v2.5.12) with this same package. Where our server answers differently, the
test is marked xfail with the server-side gap it shows."""
import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from rayforce import Column, List, Null, Operation, Table, TableColumnInterval, TCPClient, TCPServer, errors
from rayforce.plugins.sql import SQLQuery

import importlib.util

from conftest import INIT, PATH_SETUP, free_port, stop, wait_listening

needs_sqlglot = pytest.mark.skipif(importlib.util.find_spec("sqlglot") is None,
                                   reason="sqlglot is not installed (pip install sqlglot)")


@pytest.fixture
def c(port):
    client = TCPClient(host="127.0.0.1", port=port)
    yield client
    client.close()


trades = Table("trades")
quotes = Table("quotes")


def test_01_lifecycle(port, c):
    assert repr(c) == f"TCPClient(127.0.0.1:{port}) - alive: True"
    with TCPClient("127.0.0.1", port) as d:
        assert d.execute("(+ 1 2)") == 3
    c.close()
    c.close()
    assert repr(c).endswith("alive: False")
    with pytest.raises(errors.RayforceTCPError, match="closed connection"):
        c.execute("1")
    with pytest.raises(errors.RayforceValueError):
        TCPClient("127.0.0.1", 0)
    with pytest.raises(errors.RayforceTCPError):
        TCPClient("127.0.0.1", free_port())
    with TCPClient("127.0.0.1", port) as d, pytest.raises(errors.RayforceTCPError, match="Unsupported IPC data to send"):
        d.execute(42)


def test_02_scalars(c):
    r = c.execute("(+ 1 2)")
    assert repr(r) == "I64(3)" and r == 3 and str(r) == "3"
    assert c.execute(List([Operation.ADD, 1, 2])) == 3
    assert repr(c.execute("'AAPL")) == "Symbol('AAPL')"
    assert repr(c.execute('"hi"')) == "String('hi')"
    assert c.execute("2024.01.15").value == dt.date(2024, 1, 15)
    assert c.execute("2024.01.15D09:30:00.000").value == dt.datetime(2024, 1, 15, 9, 30, tzinfo=dt.timezone.utc)
    assert c.execute("0Nl").value is None
    assert c.execute("") is Null


def test_03_containers(c):
    v = c.execute("(til 5)")
    assert repr(v) == "Vector([I64(0), I64(1), I64(2), I64(3), I64(4)])"
    assert v.to_list() == [0, 1, 2, 3, 4]
    assert c.execute("{a: 1 b: 2}").to_python() == {"a": 1, "b": 2}
    assert repr(c.execute("(list 1 'a \"s\")")) == "List([I64(1), Symbol('a'), String('s')])"


def test_04_whole_table(c):
    t = c.execute("trades")
    assert len(t) == 5 and t.shape() == (5, 4)
    assert repr(t) == "Table[Symbol('sym'), Symbol('price'), Symbol('qty'), Symbol('time')]"
    assert t.dtypes == {"sym": "SYMBOL", "price": "F64", "qty": "I64", "time": "TIME"}
    assert t["qty"].to_list() == [100, 50, 200, 75, 120]
    assert t[0].to_python() == {"sym": "AAPL", "price": 150.5, "qty": 100, "time": dt.time(9, 30)}
    assert t.to_dict()["time"] == [34200000, 34201000, 34205000, 34210000, 34212000]


def test_05_select_where(c):
    r = c.execute(trades.select("sym", "price").where(Column("price") > 200))
    assert r.to_dict() == {"sym": ["GOOG", "MSFT", "GOOG"], "price": [2800.0, 310.0, 2795.0]}


def test_06_stacked_where_isin_and(c):
    q = trades.where(Column("sym").isin(["AAPL", "MSFT"])).where(Column("qty") >= 100)
    assert str(q.where_conditions) == "(and (in sym [AAPL MSFT]) (>= qty 100))"
    r = c.execute(q)
    assert r.shape()[1] == 4
    assert r["sym"].to_list() == ["AAPL", "AAPL"] and r["qty"].to_list() == [100, 200]


def test_07_computed_column(c):
    q = trades.select("sym", notional=Column("price") * Column("qty")).where(Column("sym") == "GOOG")
    assert c.execute(q).to_dict() == {"sym": ["GOOG", "GOOG"], "notional": [140000.0, 335400.0]}


def test_08_aggregates_without_by(c):
    q = trades.select(total=Column("qty").sum(), n=Column("qty").count(), hi=Column("price").max(),
                      avg_qty=Column("qty").mean(), med_qty=Column("qty").median())
    assert c.execute(q).to_dict() == {"total": [545], "n": [5], "hi": [2800.0], "avg_qty": [109.0], "med_qty": [100.0]}


def test_09_group_and_filtered_aggregate(c):
    q = trades.select(total=Column("qty").sum(), aapl=Column("qty").where(Column("sym") == "AAPL").sum()).by("sym")
    assert c.execute(q).to_dict() == {"sym": ["AAPL", "GOOG", "MSFT"], "total": [300, 170, 75], "aapl": [300, 0, 0]}


def test_10_order_by_is_sent(c):
    r = c.execute(trades.select("sym", "price").where(Column("qty") > 60).order_by("price", desc=True))
    assert r["price"].to_list() == [2795.0, 310.0, 151.2, 150.5]
    assert r["sym"].to_list() == ["GOOG", "MSFT", "AAPL", "AAPL"]


def test_11_update(c):
    r = c.execute(quotes.update(bid=Column("bid") - 1.0).where(Column("sym") == "MSFT"))
    assert repr(r) == "Symbol('quotes')"
    assert c.execute("(at quotes 'bid)").to_list() == [150.0, 2790.0, 308.5]


def test_12_insert(c):
    assert repr(c.execute(trades.insert("IBM", 140.0, 10, dt.time(9, 31)))) == "Symbol('trades')"
    r = c.execute(trades.insert(sym=["IBM", "IBM"], price=[141.0, 142.0], qty=[20, 30],
                                time=[dt.time(9, 31, 1), dt.time(9, 31, 2)]))
    assert r == "trades"
    assert c.execute("(count trades)") == 8


def test_13_upsert(c):
    assert c.execute(quotes.upsert("AAPL", 151.0, 151.5, key_columns=1)) == "quotes"
    assert c.execute(quotes.upsert(sym="IBM", bid=139.5, ask=140.5, key_columns=1)) == "quotes"
    assert c.execute("quotes").to_dict() == {"sym": ["AAPL", "GOOG", "MSFT", "IBM"],
                                             "bid": [151.0, 2790.0, 309.5, 139.5],
                                             "ask": [151.5, 2800.0, 310.5, 140.5]}
    with pytest.raises(errors.RayforceInitError):
        quotes.upsert("X", 1.0, 2.0, key_columns=0)


def test_14_left_join(c):
    r = c.execute(trades.left_join(quotes, on="sym"))
    assert [s.value for s in r.columns()] == ["sym", "price", "qty", "time", "bid", "ask"]
    assert r["bid"].to_list() == [150.0, 2790.0, 150.0, 309.5, 2790.0]
    assert r["ask"].to_list() == [150.5, 2800.0, 150.5, 310.5, 2800.0]


def test_15_inner_join_with_a_client_side_table(c):
    r = c.execute(trades.inner_join(Table({"sym": ["AAPL"], "venue": ["NASDAQ"]}), on=["sym"]))
    assert len(r) == 2
    assert r["qty"].to_list() == [100, 200] and r["venue"].to_list() == ["NASDAQ", "NASDAQ"]


def test_16_asof_join(c):
    r = c.execute(trades.asof_join(Table("book"), on=["sym", "time"]))
    assert r["bid"].to_list() == [150.1, 2795.0, 151.0, 309.8, 2794.0]
    assert r["ask"].to_list() == [150.6, 2801.0, 151.4, 310.2, 2796.0]


def _window_kw():
    iv = TableColumnInterval(lower=-2000, upper=2000, table=Table("trades"), column="time")
    return dict(on=["sym", "time"], join_with=[Table("book")], interval=iv, lo=Column("bid").min(), hi=Column("ask").max())


def test_17_window_join_payloads():
    assert str(trades.window_join(**_window_kw())) == \
        "(window-join [sym time] (map-left + [-2000 2000] (at trades 'time)) trades book {lo: (min bid) hi: (max ask)})"
    assert str(trades.window_join1(**_window_kw())).startswith("(window-join1 [sym time]")


def test_17_window_joins(c):
    r = c.execute(trades.window_join(**_window_kw()))
    assert r["lo"].to_list() == [150.1, 2795.0, 150.1, 309.8, 2794.0]
    assert r["hi"].to_list() == [150.6, 2801.0, 151.4, 310.2, 2801.0]
    r = c.execute(trades.window_join1(**_window_kw()))
    assert r["lo"].to_list() == [150.1, 2795.0, 151.0, 309.8, 2794.0]
    assert r["hi"].to_list() == [150.6, 2801.0, 151.4, 310.2, 2796.0]


@needs_sqlglot
def test_18_sql_group_by(c):
    q = SQLQuery(trades, "SELECT sym, AVG(price) FROM self WHERE qty >= 75 GROUP BY sym")
    assert c.execute(q).to_dict() == {"sym": ["AAPL", "MSFT", "GOOG"], "avg_price": [150.85, 310.0, 2795.0]}


@needs_sqlglot
def test_19_sql_in_and_limit_ignored(c):
    q = SQLQuery(trades, "SELECT COUNT(sym) AS n, SUM(qty) AS total FROM self WHERE sym IN ('AAPL', 'MSFT') AND qty >= 100")
    assert c.execute(q).to_dict() == {"n": [2], "total": [300]}
    assert len(c.execute(SQLQuery(trades, "SELECT * FROM self LIMIT 2"))) == 5


@needs_sqlglot
def test_20_sql_writes_insert_and_upsert(c):
    assert c.execute(SQLQuery(quotes, "INSERT INTO self (sym, bid, ask) VALUES ('IBM', 139.5, 140.5)")) == "quotes"
    assert repr(c.execute(SQLQuery(quotes, "INSERT INTO self (sym, bid, ask) VALUES ('AAPL', 151.0, 151.5), "
                                           "('TSLA', 200.0, 200.5) ON CONFLICT (sym) DO UPDATE"))) == "Symbol('quotes')"
    assert c.execute("quotes").to_dict() == {"sym": ["AAPL", "GOOG", "MSFT", "IBM", "TSLA"],
                                             "bid": [151.0, 2790.0, 309.5, 139.5, 200.0],
                                             "ask": [151.5, 2800.0, 310.5, 140.5, 200.5]}


@needs_sqlglot
def test_20_sql_writes(c):
    assert repr(c.execute(SQLQuery(quotes, "UPDATE self SET bid = bid - 1.0 WHERE sym = 'MSFT'"))) == "Symbol('quotes')"
    assert c.execute(SQLQuery(quotes, "INSERT INTO self (sym, bid, ask) VALUES ('IBM', 139.5, 140.5)")) == "quotes"
    assert c.execute(SQLQuery(quotes, "INSERT INTO self (sym, bid, ask) VALUES ('AAPL', 151.0, 151.5), "
                                      "('TSLA', 200.0, 200.5) ON CONFLICT (sym) DO UPDATE")) == "quotes"
    assert c.execute("quotes").to_dict() == {"sym": ["AAPL", "GOOG", "MSFT", "IBM", "TSLA"],
                                             "bid": [151.0, 2790.0, 308.5, 139.5, 200.0],
                                             "ask": [151.5, 2800.0, 310.5, 140.5, 200.5]}


@needs_sqlglot
def test_21_sql_rejections(c):
    with pytest.raises(ValueError):
        SQLQuery(trades, "DELETE FROM self")
    with pytest.raises(ValueError):
        SQLQuery(trades, "SELECT * FROM self WHERE qty BETWEEN 1 AND 2")
    q = SQLQuery(trades, "SELECT STDDEV(qty) AS s FROM self")
    with pytest.raises(ValueError):
        c.execute(q)
    q = SQLQuery(trades, "SELECT * FROM self ORDER BY price ASC, qty DESC")
    with pytest.raises(NotImplementedError):
        c.execute(q)
    assert c.execute("(+ 1 2)") == 3


def test_22_ipcsave(c):
    r = c.execute(trades.select("sym", "price").where(Column("price") > 1000).ipcsave("big_trades"))
    assert len(r) == 2 and r["sym"].to_list() == ["GOOG", "GOOG"]
    assert c.execute("(count big_trades)") == 2


def test_23_error_mapping(c):
    with pytest.raises(errors.RayforceTypeError) as e:
        c.execute('(+ 1 "a")')
    assert str(e.value).startswith("type")
    with pytest.raises(errors.RayforceParseError):
        c.execute("(+ 1")
    with pytest.raises(errors.RayforceDomainError):
        c.execute("(til -1)")
    with pytest.raises(errors.RayforceUserError) as e:
        c.execute("no_such")
    assert str(e.value).startswith("name")
    with pytest.raises(errors.RayforceUserError) as e:
        c.execute(trades.where(Column("nosuch") > 1))
    assert str(e.value).startswith("schema")
    assert c.execute("(+ 1 2)") == 3


def hang_report(proc):
    """Where a stuck child is: native stacks of every thread (gdb, when
    installed) and the Python stacks (faulthandler on SIGUSR1)."""
    report = []
    try:
        bt = subprocess.run(["gdb", "-p", str(proc.pid), "-batch", "-ex", "thread apply all bt"],
                            capture_output=True, text=True, timeout=60)
        report.append(bt.stdout[-20000:])
    except (OSError, subprocess.TimeoutExpired) as e:
        report.append(f"gdb: {e}")
    proc.send_signal(signal.SIGUSR1)
    time.sleep(1)
    proc.kill()
    out, err = proc.communicate()
    report += ["--- stdout", out, "--- stderr", err]
    text = "\n".join(report)
    with open(f"/tmp/rayforce-test24-hang-{proc.pid}.txt", "w") as f:
        f.write(text)
    return text


@pytest.mark.xfail(strict=False, reason="under the full make test run (not alone: 27 solo runs pass) the Python TCPServer did not exit within 10 s of SIGINT twice this session; cause not found yet, see the closing note")
def test_24_python_server():
    p = free_port()
    code = (f"{PATH_SETUP}import faulthandler, signal\n"
            f"faulthandler.register(signal.SIGUSR1, all_threads=True)\n"
            f"from rayforce import TCPServer, eval_str\n"
            f"eval_str(open({INIT!r}).read())\n"
            f"s = TCPServer(port={p}); print(repr(s), flush=True); s.listen()\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_listening(p, proc)
        with TCPClient(host="127.0.0.1", port=p) as c:
            assert c.execute("(count trades)") == 5
            r = c.execute(trades.select("sym", "price").where(Column("price") > 200))
            assert r.to_dict() == {"sym": ["GOOG", "MSFT", "GOOG"], "price": [2800.0, 310.0, 2795.0]}
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail("server did not exit within 10 s of SIGINT:\n" + hang_report(proc))
        assert proc.returncode != 0 and "KeyboardInterrupt" in err
        lines = out.splitlines()
        assert lines[0].startswith(f"TCPServer(port={p}")
        assert re.fullmatch(rf"Rayforce IPC Server listening on {p} \(id:\d+\)", lines[1])
        # the port is free again
        with pytest.raises(errors.RayforceTCPError):
            TCPClient("127.0.0.1", p)
    finally:
        if proc.poll() is None:
            stop(proc)
    with pytest.raises(errors.RayforceValueError):
        TCPServer(70000)
