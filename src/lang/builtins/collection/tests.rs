//! Unit tests of the collection builtins.

use super::*;
use crate::core::sym;
fn i64v(x: &[i64]) -> Value {
    vec_of(RAY_I64, x).unwrap()
}
fn syms(names: &[&str]) -> Value {
    Value::sym_vec(&names.iter().map(|n| sym::intern_str(n)).collect::<Vec<_>>()).unwrap()
}
fn sym_names(v: &ray_t) -> Vec<String> {
    sym_ids(v).iter().map(|&i| String::from_utf8_lossy(sym::name_or_empty(i)).into_owned()).collect()
}
fn call(f: fn(&[Value]) -> Result<Value>, args: &[Value]) -> Value {
    f(args).unwrap()
}
fn code(f: fn(&[Value]) -> Result<Value>, args: &[Value]) -> String {
    f(args).unwrap_err().code_str().to_string()
}

#[test]
fn til_counts_up_and_rejects_bad_counts() {
    // collection-001, error-006
    let v = call(til, &[Value::i64(5)]);
    assert_eq!((v.type_, v.elems::<i64>()), (RAY_I64, &[0, 1, 2, 3, 4][..]));
    assert_eq!(code(til, &[Value::i64(-1)]), "domain");
    assert_eq!(code(til, &[Value::f64(2.5)]), "type");
    assert_eq!(code(til, &[]), "arity");
}

#[test]
fn distinct_sorts_numbers_and_keeps_symbol_order() {
    // collection-002, collection-003
    let v = call(distinct, &[i64v(&[3, 1, 3, 2])]);
    assert_eq!(v.elems::<i64>(), &[1, 2, 3]);
    assert_eq!(v.attrs & RAY_ATTR_HAS_NULLS, 0);
    let s = call(distinct, &[syms(&["b", "a", "b"])]);
    assert_eq!(sym_names(&s), ["b", "a"]);
    let n = call(distinct, &[i64v(&[5, NULL_I64, 5, NULL_I64])]);
    assert_eq!(n.elems::<i64>(), &[NULL_I64, 5]);
}

#[test]
fn sorts_put_nulls_first_and_grades_are_stable() {
    // collection-004, collection-005, collection-006
    assert_eq!(sym_names(&call(desc, &[syms(&["c", "a", "b"])])), ["c", "b", "a"]);
    assert_eq!(call(iasc, &[i64v(&[30, 10, 20])]).elems::<i64>(), &[1, 2, 0]);
    let a = call(asc, &[i64v(&[3, NULL_I64, 1])]);
    assert_eq!(a.elems::<i64>(), &[NULL_I64, 1, 3]);
    assert_eq!(a.attrs & RAY_ATTR_HAS_NULLS, RAY_ATTR_HAS_NULLS);
    let f = call(asc, &[vec_of(RAY_F64, &[2.0, f64::NAN, -1.0]).unwrap()]);
    assert!(f.elems::<f64>()[0].is_nan());
    assert_eq!(call(idesc, &[i64v(&[1, 3, 3, 2])]).elems::<i64>(), &[1, 2, 3, 0]);
    assert_eq!(call(rank, &[i64v(&[30, 10, 20])]).elems::<i64>(), &[2, 0, 1]);
}

#[test]
fn take_cycles_counts_from_the_back_and_repeats_atoms() {
    // collection-007, collection-008, collection-009
    assert_eq!(call(take, &[i64v(&[10, 20, 30]), Value::i64(-2)]).elems::<i64>(), &[20, 30]);
    assert_eq!(call(take, &[i64v(&[1, 2, 3]), Value::i64(5)]).elems::<i64>(), &[1, 2, 3, 1, 2]);
    assert_eq!(call(take, &[i64v(&[1, 2, 3]), Value::i64(-5)]).elems::<i64>(), &[2, 3, 1, 2, 3]);
    let a = call(take, &[Value::sym("a"), Value::i64(3)]);
    assert_eq!(sym_names(&a), ["a", "a", "a"]);
    assert_eq!(code(take, &[Value::i64(2), i64v(&[1, 2])]), "type");
    assert_eq!(call(take, &[Value::str(b"hello"), Value::i64(3)]).str_bytes(), b"hel");
}

#[test]
fn drop_removes_from_either_end() {
    assert_eq!(call(drop, &[i64v(&[1, 2, 3]), Value::i64(1)]).elems::<i64>(), &[2, 3]);
    assert_eq!(call(drop, &[i64v(&[1, 2, 3]), Value::i64(-1)]).elems::<i64>(), &[1, 2]);
    assert_eq!(call(drop, &[i64v(&[1, 2, 3]), Value::i64(9)]).len(), 0);
    assert_eq!(call(drop, &[Value::str(b"hello"), Value::i64(2)]).str_bytes(), b"llo");
}

#[test]
fn at_indexes_and_gives_typed_nulls_out_of_range() {
    // collection-013, collection-014
    assert_eq!(call(at, &[i64v(&[10, 20, 30]), i64v(&[0, 2])]).elems::<i64>(), &[10, 30]);
    let n = call(at, &[i64v(&[10, 20, 30]), Value::i64(5)]);
    assert_eq!((n.type_, n.i64_val(), n.null_flag()), (-RAY_I64, NULL_I64, true));
    assert_eq!(call(at, &[i64v(&[10, 20, 30]), Value::i64(1)]).i64_val(), 20);
    assert_eq!(call(at, &[Value::str(b"abc"), Value::i64(1)]).str_bytes(), b"b");
    assert_eq!(code(at, &[i64v(&[1]), Value::f64(0.0)]), "type");
}

#[test]
fn membership_and_where() {
    // collection-010, collection-011
    let m = call(in_, &[i64v(&[1, 5]), i64v(&[1, 2, 3])]);
    assert_eq!((m.type_, m.elems::<u8>()), (RAY_BOOL, &[1, 0][..]));
    assert!(call(in_, &[Value::i64(2), i64v(&[1, 2])]).bool_val());
    let b = Value::vec_from_slice(RAY_BOOL, &[1u8, 0, 1, 0, 1]).unwrap();
    assert_eq!(call(where_, &[b]).elems::<i64>(), &[0, 2, 4]);
    assert_eq!(code(where_, &[i64v(&[1, 2])]), "type");
    assert_eq!(call(find, &[i64v(&[5, 6]), Value::i64(6)]).i64_val(), 1);
    let miss = call(find, &[i64v(&[5, 6]), Value::i64(7)]);
    assert!(miss.null_flag() && miss.i64_val() == NULL_I64);
}

#[test]
fn concat_joins_same_types_and_lists_mixed_ones() {
    // collection-012, string-008
    let l = call(concat, &[i64v(&[1, 2]), vec_of(RAY_F64, &[1.5]).unwrap()]);
    assert_eq!(l.type_, RAY_LIST);
    assert_eq!(l.len(), 3);
    assert_eq!(l.item(2).unwrap().type_, -RAY_F64);
    let s = call(concat, &[Value::str(b"hello"), Value::str(b" world")]);
    assert_eq!(s.str_bytes(), b"hello world");
    assert_eq!(call(concat, &[Value::i64(1), i64v(&[2])]).elems::<i64>(), &[1, 2]);
    assert_eq!(code(concat, &[i64v(&[1]), Value::str(b"a")]), "type");
}

#[test]
fn set_operations_keep_order() {
    // collection-015
    assert_eq!(call(except, &[i64v(&[1, 2, 3]), i64v(&[2])]).elems::<i64>(), &[1, 3]);
    assert_eq!(call(union, &[i64v(&[1, 2]), i64v(&[2, 3])]).elems::<i64>(), &[1, 2, 3]);
    assert_eq!(call(sect, &[i64v(&[1, 2, 3]), i64v(&[2, 3, 4])]).elems::<i64>(), &[2, 3]);
}

#[test]
fn running_folds() {
    // collection-016
    assert_eq!(call(sums, &[i64v(&[1, 2, 3])]).elems::<i64>(), &[1, 3, 6]);
    let d = call(deltas, &[i64v(&[10, 15, 13])]);
    assert_eq!(d.elems::<i64>(), &[NULL_I64, 5, -2]);
    assert_eq!(d.attrs & RAY_ATTR_HAS_NULLS, RAY_ATTR_HAS_NULLS);
    assert_eq!(call(maxs, &[i64v(&[1, 3, 2])]).elems::<i64>(), &[1, 3, 3]);
    let f = call(fills, &[i64v(&[NULL_I64, 1, NULL_I64, 2])]);
    assert_eq!(f.elems::<i64>(), &[NULL_I64, 1, 1, 2]);
}

#[test]
fn group_maps_values_to_indices_in_first_appearance_order() {
    // dict-008
    let g = call(group, &[syms(&["a", "b", "a", "c"])]);
    assert_eq!(g.type_, RAY_DICT);
    assert_eq!(sym_names(g.dict_keys().unwrap()), ["a", "b", "c"]);
    let vals = g.dict_vals().unwrap();
    assert_eq!(vals.type_, RAY_LIST);
    assert_eq!(vals.item(0).unwrap().elems::<i64>(), &[0, 2]);
    assert_eq!(vals.item(2).unwrap().elems::<i64>(), &[3]);
}

#[test]
fn enlist_packs_shared_types_and_list_never_does() {
    // list-003, list-004
    let v = call(enlist, &[Value::i64(1), Value::i64(2), Value::i64(3)]);
    assert_eq!((v.type_, v.elems::<i64>()), (RAY_I64, &[1, 2, 3][..]));
    assert_eq!(call(enlist, &[Value::i64(1), Value::str(b"a")]).type_, RAY_LIST);
    assert_eq!(call(list, &[Value::i64(1), Value::i64(2)]).type_, RAY_LIST);
}

#[test]
fn rotate_cut_and_raze() {
    assert_eq!(call(rotate, &[i64v(&[1, 2, 3]), Value::i64(1)]).elems::<i64>(), &[2, 3, 1]);
    // The reference takes positions only; the first piece starts at 0.
    assert_eq!(code(cut, &[i64v(&[1, 2, 3, 4, 5]), Value::i64(2)]), "type");
    let c = call(cut, &[i64v(&[1, 2, 3, 4, 5]), i64v(&[2, 4])]);
    assert_eq!(c.len(), 3);
    assert_eq!(c.item(0).unwrap().elems::<i64>(), &[1, 2]);
    assert_eq!(c.item(2).unwrap().elems::<i64>(), &[5]);
    let r = call(raze, &[c]);
    assert_eq!(r.elems::<i64>(), &[1, 2, 3, 4, 5]);
}

#[test]
fn tables_take_rows_and_index_columns() {
    let t = Value::table_from(vec![
        (sym::intern_str("a"), i64v(&[1, 2, 3])),
        (sym::intern_str("b"), syms(&["x", "y", "z"])),
    ])
    .unwrap();
    let t2 = call(take, &[t.clone(), Value::i64(2)]);
    assert_eq!(t2.type_, RAY_TABLE);
    assert_eq!(t2.table_nrows(), 2);
    let col = call(at, &[t.clone(), Value::sym("a")]);
    assert_eq!(col.elems::<i64>(), &[1, 2, 3]);
    let row = call(at, &[t, Value::i64(1)]);
    assert_eq!(row.type_, RAY_DICT);
    assert_eq!(row.dict_vals().unwrap().item(0).unwrap().i64_val(), 2);
}
