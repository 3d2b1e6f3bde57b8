//! General rules of the builtins checked byte for byte against the
//! reference's IPC answers (captured from the oracle, rayforce v2.5.12):
//! the null flag and HAS_NULLS attribute of float results, non-finite
//! results as 0Nf, empty operands, LIST comparisons, concat's type rules.
use rayforce::core::Value;
use rayforce::lang::{RequestCtx, eval_request};

fn wire(query: &str) -> String {
    let v = eval_request(&Value::str(query.as_bytes()), RequestCtx { restricted: false, handle: 1 }).unwrap_or_else(Value::from_error);
    rayforce::codec::encode(&v).expect("encode").iter().map(|b| format!("{b:02x}")).collect()
}

fn check(cases: &[(&str, &str)]) {
    rayforce::ipc::install();
    let bad: Vec<String> = cases
        .iter()
        .filter_map(|(q, want)| {
            let got = wire(q);
            (got != *want).then(|| format!("{q}\n  want {want}\n  got  {got}"))
        })
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Float functions: a non-finite result is a positive 0Nf; an atom has the
/// null flag only for a null input; a vector with a NaN is marked HAS_NULLS;
/// a null date/time/timestamp (atom, or a vector of nulls only) answers 0Nf.
#[test]
fn float_results_nulls_and_attributes() {
    check(&[
        (r#"(log 0)"#, "f900000000000000f87f"),
        (r#"(log [0.0 -0.0 1.0])"#, "07400300000000000000000000000000f87f000000000000f87f0000000000000000"),
        (r#"(sqrt [-1 4])"#, "07400200000000000000000000000000f87f0000000000000040"),
        (r#"(exp [1000.0 1.0])"#, "07400200000000000000000000000000f87f6957148b0abf0540"),
        (r#"(exp 0Np)"#, "f901000000000000f87f"),
        (r#"(exp [0Nd 0Nd])"#, "07400200000000000000000000000000f87f000000000000f87f"),
        (r#"(neg [0Nf 1.0])"#, "07400200000000000000000000000000f87f000000000000f0bf"),
        (r#"(neg [0Nd])"#, "0840010000000000000000000080"),
        (r#"(reciprocal 0Nt)"#, "f901000000000000f87f"),
    ]);
}

/// An empty vector against an atom, dict or table that the verb does not
/// take is `[]` (i64); a dict or table is taken whole by LIST items.
#[test]
fn empty_operands_and_whole_dicts() {
    check(&[
        (r#"(+ "s" (list))"#, "05000000000000000000"),
        (r#"(+ [] 'a)"#, "05000000000000000000"),
        (r#"(/ {a: 1 b: 2} [])"#, "05000000000000000000"),
        (r#"(div [] 'xyz)"#, "05000000000000000000"),
        (r#"(+ [a b] [])"#, "7f6c656e6774680000"),
        (r#"(xbar [1 2] [])"#, "7f6c656e6774680000"),
        (r#"(xbar [] 2.5)"#, "07000000000000000000"),
        (r#"(xbar [] 'a)"#, "05000000000000000000"),
        (r#"(div (list 1 'a "s") (table [x y] (list [1 2 3] [a b c])))"#, "7f7479706500000000"),
    ]);
}

/// Comparisons of LIST items with an integer atom answer in the atom's
/// type; an empty vector against an incomparable atom is `[]` (i64).
#[test]
fn list_comparisons_and_empty_operands() {
    check(&[
        (r#"(== (list 1 2 3) 1h)"#, "00000300000000000000fd000100fd000000fd000000"),
        (r#"(< (list 1 2) 5i)"#, "00000200000000000000fc0001000000fc0001000000"),
        (r#"(== (list 1 2) 1.5)"#, "00000200000000000000ff0000ff0000"),
        (r#"(== (list [1 2] [3]) 1)"#, "000002000000000000000100020000000000000001000100010000000000000000"),
        (r#"(== 'a [])"#, "05000000000000000000"),
        (r#"(== [] 0Nd)"#, "01000000000000000000"),
        (r#"(== [] 1)"#, "01000000000000000000"),
    ]);
}

/// concat: a vector takes only atoms of its own type, a dict or table only
/// its own kind; a string joins a STR vector element by element.
#[test]
fn concat_type_rules() {
    check(&[
        (r#"(concat 1 [2i 3i])"#, "7f7479706500000000"),
        (r#"(concat [a b] "c")"#, "7f7479706500000000"),
        (r#"(concat [] false)"#, "7f7479706500000000"),
        (r#"(concat [1] +)"#, "7f7479706500000000"),
        (r#"(concat {a: 1} 1)"#, "7f7479706500000000"),
        (r#"(concat (list 1) {a: 1})"#, "7f7479706500000000"),
        (r#"(concat ["a" "c"] "b")"#, "0d0002000000000000000200000000000000616202000000000000006362"),
        (r#"(concat "b" ["a" "c"])"#, "0d0002000000000000000200000000000000626102000000000000006263"),
        (r#"(concat [1 2] [a b])"#, "00000400000000000000fb000100000000000000fb000200000000000000f4006100f4006200"),
        (r#"(concat 1 'a)"#, "00000200000000000000fb000100000000000000f4206100"),
    ]);
}

/// Set builtins: `union` is `a` then the items of `b` not in `a`, neither
/// side deduplicated unless a LIST is involved; vectors of different kinds
/// (integers, floats, each temporal type) match only at nulls; with a LIST
/// items compare by value across widths (`1`, `1i`, `1.0`) and every null
/// matches every null, and the answer is a LIST.
#[test]
fn set_membership_rules() {
    check(&[
        (r#"(union [1 1 2] [2 3 3])"#, "0500050000000000000001000000000000000100000000000000020000000000000003000000000000000300000000000000"),
        (r#"(union [1i 1i] [1 2 2])"#, "00000400000000000000fc0001000000fc0001000000fb000200000000000000fb000200000000000000"),
        (r#"(union (list 1 1) [2 2])"#, "00000300000000000000fb000100000000000000fb000100000000000000fb000200000000000000"),
        (r#"(union [0Nh -7h] [0Nf 14.5])"#, "00000300000000000000fd010080fd00f9fff9000000000000002d40"),
        (r#"(union [1.0 2.0] [1 3])"#, "00000400000000000000f900000000000000f03ff9000000000000000040fb000100000000000000fb000300000000000000"),
        (r#"(union [2024.01.01] [8766])"#, "00000200000000000000f8003e220000fb003e22000000000000"),
        (r#"(except [1.0 0Nf] [0Nl])"#, "07000100000000000000000000000000f03f"),
        (r#"(except [1 2] (list 1))"#, "00000100000000000000fb000200000000000000"),
        (r#"(except [1 2] (list 1 2))"#, "05000000000000000000"),
        (r#"(except [5 11] {a: 5 b: 3})"#, "00000200000000000000fb000500000000000000fb000b00000000000000"),
        (r#"(sect [1.5 2.5] (list 1.5))"#, "00000100000000000000f900000000000000f83f"),
        (r#"(sect [0Nf 1.0] (list 0Nl))"#, "00000100000000000000f901000000000000f87f"),
        (r#"(in (list 1.0 'a) [1])"#, "010002000000000000000100"),
        (r#"(in (list 0Nd) [0Nl])"#, "0100010000000000000001"),
        (r#"(in [] [1 2])"#, "00000000000000000000"),
        (r#"(find (list 1 2) 1.0)"#, "fb000000000000000000"),
    ]);
}

/// at/cut/rotate/reverse argument rules.
#[test]
fn indexing_argument_rules() {
    check(&[
        (r#"(at [true false] [5 0])"#, "00000200000000000000ff0100ff0001"),
        (r#"(at [0x01] 5)"#, "fe0100"),
        (r#"(cut [1 2 3 4] [0x00 0x02])"#, "0000020000000000000005000200000000000000010000000000000002000000000000000500020000000000000003000000000000000400000000000000"),
        (r#"(cut [1 2 3 4] [0.0 2.0])"#, "7f7479706500000000"),
        (r#"(rotate [1 2 3] 0x01)"#, "05000300000000000000020000000000000003000000000000000100000000000000"),
        (r#"(rotate 5 0x01)"#, "7f7479706500000000"),
        (r#"(reverse {a: 1 b: 2})"#, "7f7479706500000000"),
    ]);
}

/// A b8/u8 atom with the null flag (an index out of range) prints as the
/// reference's 0Nb / 0Nu; a null i16 count takes the last 32768 items, cycled.
#[test]
fn null_flag_text_and_null_i16_count() {
    use rayforce::lang::{eval_source, fmt::format};
    let text = |q: &str| format(&eval_source(q, RequestCtx::default()).expect(q), 1);
    assert_eq!(text("(at [true false] [5 0])"), "(0Nb true)");
    assert_eq!(text("(at [0x01] 5)"), "0Nu");
    assert_eq!(text("(at [true] 0)"), "true");
    let v = eval_source("(take [1 2 3] 0Nh)", RequestCtx::default()).expect("take");
    assert_eq!(v.len(), 32768);
    assert_eq!(&v.elems::<i64>()[..4], &[2, 3, 1, 2]);
}

/// Binary float arithmetic: an overflow is a positive 0Nf, without the null
/// flag on an atom (a zero divisor or a null operand has it), and a vector
/// holding one is marked HAS_NULLS; `div` of an overflow is a flagged 0Nl.
#[test]
fn float_overflow_is_null() {
    check(&[
        (r#"(* 1e300 1e300)"#, "f900000000000000f87f"),
        (r#"(* [1e300 1.0] 1e300)"#, "07400200000000000000000000000000f87f9c7500883ce4377e"),
        (r#"(- -1e308 1e308)"#, "f900000000000000f87f"),
        (r#"(pow [10.0 2.0] 400.0)"#, "07400200000000000000000000000000f87f000000000000f058"),
        (r#"(/ 1e300 1e-300)"#, "f900000000000000f87f"),
        (r#"(/ 1.0 0.0)"#, "f901000000000000f87f"),
        (r#"(div 1e300 1e-300)"#, "fb010000000000000080"),
        (r#"(* 1e300 (list 1e300 1.0))"#, "00000200000000000000f900000000000000f87ff9009c7500883ce4377e"),
    ]);
}

/// `distinct` of a LIST keeps the first of the items equal by value:
/// integers of any width and integral floats meet, every null number is one
/// item, a date is not the number of its days.
#[test]
fn distinct_of_a_list_compares_by_value() {
    check(&[
        (r#"(distinct (list 1 1.0 1i))"#, "00000100000000000000fb000100000000000000"),
        (r#"(distinct (list 1.0 1 1i))"#, "00000100000000000000f900000000000000f03f"),
        (r#"(distinct (list 2 1.0 1 2i 3))"#, "00000300000000000000fb000200000000000000f900000000000000f03ffb000300000000000000"),
        (r#"(distinct (list 1 2 1.0 'a 1i "s" 2.0))"#, "00000400000000000000fb000100000000000000fb000200000000000000f4206100f300010000000000000073"),
        (r#"(distinct (list 3 1 2 3.0 1.0 2i 5 4 7 6 5.0))"#, "00000700000000000000fb000300000000000000fb000100000000000000fb000200000000000000fb000500000000000000fb000400000000000000fb000700000000000000fb000600000000000000"),
        (r#"(distinct (list 0Nl 0Nf 0Ni))"#, "00000100000000000000fb010000000000000080"),
        (r#"(distinct (list 1.5 1 1.5 'a 'b 'a))"#, "00000400000000000000f900000000000000f83ffb000100000000000000f4206100f4206200"),
        (r#"(distinct (list 2024.01.01 0 8766))"#, "00000300000000000000f8003e220000fb000000000000000000fb003e22000000000000"),
        (r#"(distinct (list 0Nf 0Nl 0 0.0))"#, "00000200000000000000f901000000000000f87ffb000000000000000000"),
        (r#"(distinct (list -0.0 0.0 0))"#, "00000100000000000000f9000000000000000000"),
        (r#"(distinct (list 1 (list 1)))"#, "00000200000000000000fb00010000000000000000000100000000000000fb000100000000000000"),
    ]);
}

/// Integer `-` and `%` of two atoms, a null among them: the null of the
/// wider operand type where the result type is narrower; an empty vector
/// types arithmetic as an atom of its type does; `xbar` of a u8/i16/i32
/// atom and a LIST gives integer items of the atom's type.
#[test]
fn null_and_empty_operand_result_types() {
    check(&[
        (r#"(- (list 1 2.5 0Nl) [1i 0Ni 3i])"#, "00000300000000000000fc0000000000f901000000000000f87ffb010000000000000080"),
        (r#"(- 0Nl 3i)"#, "fb010000000000000080"),
        (r#"(- 5 3i)"#, "fc0002000000"),
        (r#"(- 5 0Nh)"#, "fb010000000000000080"),
        (r#"(% 3i 0Nh)"#, "fc0100000080"),
        (r#"(% 0Nl 0x03)"#, "fe0000"),
        (r#"(- [] 0x00)"#, "02000000000000000000"),
        (r#"(- (take [1i] 0) 3h)"#, "03000000000000000000"),
        (r#"(- 5 (take [0x01] 0))"#, "02000000000000000000"),
        (r#"(+ (take [true] 0) 3i)"#, "04000000000000000000"),
        (r#"(- [] 0Nh)"#, "05000000000000000000"),
        (r#"(xbar 0x05 (list 1 2 3))"#, "00000300000000000000fe0005fe0004fe0003"),
        (r#"(xbar 5h (list 2 3))"#, "00000200000000000000fd000400fd000300"),
        (r#"(xbar 0x05 (list [2 3] 3))"#, "000002000000000000000500020000000000000004000000000000000300000000000000fe0003"),
        (r#"(xbar 0x05 (list 2.0 3))"#, "00000200000000000000f9000000000000001040fe0003"),
        (r#"(xbar true (list 1 2))"#, "00000200000000000000fb000100000000000000fb000000000000000000"),
    ]);
}

/// `xbar` of an i16/i32/i64 vector by an integer atom keeps the vector's
/// type and its nulls (a u8 vector, or a vector bucket, follows `(* (div v
/// n) n)`); a zero or null bucket is `domain`.
#[test]
fn xbar_of_an_integer_vector_by_an_atom() {
    check(&[
        (r#"(xbar [5h] 2)"#, "030001000000000000000400"),
        (r#"(xbar [5i 7i] 2)"#, "040002000000000000000400000006000000"),
        (r#"(xbar [5h 0Nh] 2)"#, "0340020000000000000004000080"),
        (r#"(xbar [5 0Nl] 2)"#, "0540020000000000000004000000000000000000000000000080"),
        (r#"(xbar [5i 0Ni] 2i)"#, "044002000000000000000400000000000080"),
        (r#"(xbar [5h 6h] 0)"#, "7f646f6d61696e0000"),
        (r#"(xbar [5 6] 0Nl)"#, "7f646f6d61696e0000"),
        (r#"(xbar [0x05] 2)"#, "050001000000000000000400000000000000"),
        (r#"(xbar [5h 6h] [2 2])"#, "0500020000000000000004000000000000000600000000000000"),
        (r#"(xbar (take [1h] 0) 2)"#, "03000000000000000000"),
    ]);
}

/// raze/group/fills/at/in/signum on dicts, tables, empty and float indices,
/// strings and null temporal atoms.
#[test]
fn collection_argument_rules() {
    check(&[
        (r#"(raze {a: 1 b: 2})"#, "7f7479706500000000"),
        (r#"(raze (table [x y] (list [1 2 3] [a b c])))"#, "7f7479706500000000"),
        (r#"(group [])"#, "63000000000000000000000000000000000000000000"),
        (r#"(group (take [1.5] 0))"#, "63000000000000000000000000000000000000000000"),
        (r#"(fills (table [x y] (list [1 0Nl 3] [a b c])))"#, "62000c0302000000000000007800790000000200000000000000050003000000000000000100000000000000010000000000000003000000000000000c000300000000000000610062006300"),
        (r#"(fills (table [x y] (list [0Nl 2 0Nl] [0Nf 1.0 0Nf])))"#, "62000c03020000000000000078007900000002000000000000000540030000000000000000000000000000800200000000000000020000000000000007400300000000000000000000000000f87f000000000000f03f000000000000f03f"),
        (r#"(at 2i (list 16.0))"#, "7f7479706500000000"),
        (r#"(at 0Ni [])"#, "00000000000000000000"),
        (r#"(at 5 (take [1.0] 0))"#, "00000000000000000000"),
        (r#"(at 5 (list 1 2.0))"#, "7f7479706500000000"),
        (r#"(at "abc" (list))"#, "f3000000000000000000"),
        (r#"(at "abc" (list 0 1))"#, "f30002000000000000006162"),
        (r#"(at "abc" (list 0 5))"#, "7f646f6d61696e0000"),
        (r#"(at "abc" (list 0Nl))"#, "7f646f6d61696e0000"),
        (r#"(at [1 2 3] (take [1.0] 0))"#, "00000000000000000000"),
        (r#"(at (table [x y] (list [1 2 3] [a b c])) [0Nf 5.4])"#, "7f7479706500000000"),
        (r#"(at (table [x y] (list [1 2 3] [a b c])) true)"#, "7f7479706500000000"),
        (r#"(at (table [x y] (list [1 2 3] [a b c])) (list))"#, "00000000000000000000"),
        (r#"(at (table [x y] (list [1 2 3] [a b c])) [1i])"#, "0000010000000000000063000c0002000000000000007800790000000200000000000000fb000200000000000000f4006200"),
        (r#"(at (table [x y] (list [1 2 3] [a b c])) (list 1 2))"#, "0000020000000000000063000c0002000000000000007800790000000200000000000000fb000200000000000000f400620063000c0002000000000000007800790000000200000000000000fb000300000000000000f4006300"),
        (r#"(in [1h 2h 0Nh] {a: 1 b: 2})"#, "7f7479706500000000"),
        (r#"(in [1 2] (table [x] (list [1 2])))"#, "7f7479706500000000"),
        (r#"(in "hello" (list -3 0Nl 13 4))"#, "010005000000000000000000000000"),
        (r#"(in "hello" "hel")"#, "010005000000000000000101010100"),
        (r#"(in "ab" (list "a" "ab"))"#, "010002000000000000000100"),
        (r#"(in "" (list 1 2))"#, "01000000000000000000"),
        (r#"(in (list "h" 1) "hello")"#, "000002000000000000000100010000000000000001ff0000"),
        (r#"(in (list [1 2] 3) [1 3])"#, "00000200000000000000010002000000000000000100ff0001"),
        (r#"(in (list [1 2] [3]) (list 1 3))"#, "000002000000000000000100020000000000000001000100010000000000000001"),
        (r#"(in (list [1 2] 3) 1)"#, "00000200000000000000010002000000000000000100ff0000"),
        (r#"(in (list 1 2.0) [1 3])"#, "010002000000000000000100"),
        (r#"(signum 0Nt)"#, "fb010000000000000080"),
        (r#"(signum 0Nd)"#, "fb010000000000000080"),
        (r#"(signum (list 0Nd 1))"#, "0540020000000000000000000000000000800100000000000000"),
    ]);
}

/// map-left/map-right: an empty LIST walked gives the empty I64 vector; a
/// unary builtin's atom results are regrouped unless it was given a vector.
#[test]
fn map_side_result_shapes() {
    check(&[
        (r#"(map-left * (list) "hello")"#, "05000000000000000000"),
        (r#"(map-right * "hello" (list))"#, "05000000000000000000"),
        (r#"(map-right min false [0Nt 04:35:00.000])"#, "010002000000000000000000"),
        (r#"(map-right min 3 [1.5 2])"#, "0500020000000000000003000000000000000300000000000000"),
        (r#"(map-right count "ab" [1 2])"#, "0500020000000000000002000000000000000200000000000000"),
        (r#"(map-left min (list 1 2) 3)"#, "0500020000000000000001000000000000000200000000000000"),
    ]);
}

/// distinct of an F64 vector: first appearances merge-sorted with `<`
/// (a null compares with nothing, so it stays between its halves).
#[test]
fn distinct_of_floats_merge_sorts_around_nulls() {
    check(&[
        (r#"(distinct [1.5 0Nf -2.5 4.0])"#, "0740040000000000000000000000000004c0000000000000f83f000000000000f87f0000000000001040"),
        (r#"(distinct [5.0 0Nf -1.0 7.0 -3.0])"#, "0740050000000000000000000000000008c0000000000000f0bf0000000000001440000000000000f87f0000000000001c40"),
        (r#"(distinct [4.0 0Nf 2.0 1.0])"#, "07400400000000000000000000000000f03f00000000000000400000000000001040000000000000f87f"),
        (r#"(distinct [5.0 0Nf -1.0])"#, "074003000000000000000000000000001440000000000000f87f000000000000f0bf"),
    ]);
}

/// raze joins the items with `concat` from the first item as it is.
#[test]
fn raze_concats_from_the_first_item() {
    check(&[
        (r#"(raze (list 5))"#, "fb000500000000000000"),
        (r#"(raze (list "ab" "c"))"#, "f3000300000000000000616263"),
        (r#"(raze (list {a: 1} {b: 2}))"#, "63000c0002000000000000006100620000000200000000000000fb000100000000000000fb000200000000000000"),
        (r#"(raze (list 1 2.0))"#, "00000200000000000000fb000100000000000000f9000000000000000040"),
        (r#"(raze (list 5 {a: 1}))"#, "7f7479706500000000"),
        (r#"(raze (list (table [x] (list [1])) (table [x] (list [2]))))"#, "62000c0301000000000000007800000001000000000000000500020000000000000001000000000000000200000000000000"),
    ]);
}
