"""Local evaluation in this process (eval_str, eval_obj, query.execute(),
Table data methods on references, Table.save, Table.sql) and the io error
after the server dies."""
import importlib.util

import pytest

from rayforce import Column, Table, TCPClient, errors, eval_obj, eval_str
from conftest import BIN, INIT, free_port, start


@pytest.fixture(scope="module", autouse=True)
def globals_loaded():
    eval_str(open(INIT).read())


def test_eval_str_returns_the_last_value_and_raises_evaluation_errors():
    assert eval_str("(set a 1) (+ a 41)") == 42
    with pytest.raises(errors.RayforceEvaluationError) as e:
        eval_str("(+ 1 \"a\")")
    assert e.value.code == "type" and str(e.value).startswith("type")


def test_query_objects_execute_locally():
    q = Table("trades").select("sym", "price").where(Column("price") > 200)
    assert q.execute().to_dict() == {"sym": ["GOOG", "MSFT", "GOOG"], "price": [2800.0, 310.0, 2795.0]}
    r = Table("trades").select("sym", "price").where(Column("qty") > 60).order_by("price").execute()
    assert r["price"].to_list() == [150.5, 151.2, 310.0, 2795.0]
    assert eval_obj(Table("trades").left_join(Table("quotes"), on="sym"))["bid"].to_list()[:2] == [150.0, 2790.0]
    inline = Table({"sym": ["AAPL"], "venue": ["NASDAQ"]})
    assert len(Table("trades").inner_join(inline, on="sym").execute()) == 2


def test_reference_tables_read_the_local_global():
    t = Table("quotes")
    assert len(t) == 3 and t.shape() == (3, 3) and t.columns() == ["sym", "bid", "ask"]
    assert t["bid"].to_list() == [150.0, 2790.0, 309.5]
    with pytest.raises(errors.RayforceEvaluationError):
        len(Table("no_such_global"))


def test_save_binds_a_global():
    ref = Table({"k": [1, 2, 3]}).save("saved_here")
    assert ref.is_reference and eval_str("(count saved_here)") == 3


@pytest.mark.skipif(importlib.util.find_spec("sqlglot") is None, reason="sqlglot is not installed")
def test_table_sql_runs_locally():
    r = Table("trades").sql("SELECT COUNT(sym) AS n FROM self WHERE qty >= 100")
    assert r.to_dict() == {"n": [3]}


def test_a_dead_server_gives_tcp_errors():
    p = free_port()
    proc = start([BIN, "-p", str(p)], p)
    c = TCPClient("127.0.0.1", p)
    assert c.execute("(+ 1 2)") == 3
    proc.kill()
    proc.wait()
    for _ in range(2):
        with pytest.raises(errors.RayforceTCPError):
            c.execute("(+ 1 2)")
    c.close()
