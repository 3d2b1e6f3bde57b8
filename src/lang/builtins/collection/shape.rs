//! Shaping builtins: `enlist list concat rotate cut raze` (joining and
//! splitting sequences; tables concatenate column by column).
#![forbid(unsafe_code)]

use super::*;

// ---------------------------------------------------------------- enlist / list

pub(super) fn enlist(args: &[Value]) -> Result<Value> {
    let refs: Vec<&ray_t> = args.iter().map(|v| &**v).collect();
    pack_atoms(&refs)
}

pub(super) fn list(args: &[Value]) -> Result<Value> {
    Value::container(RAY_LIST, args.to_vec())
}

// ---------------------------------------------------------------- concat

pub(super) fn concat(args: &[Value]) -> Result<Value> {
    expect_arity("concat", args, 2)?;
    concat_of(&args[0], &args[1])
}

/// `concat` of two values (see spec: strings, vectors, atoms, dicts, tables).
pub fn concat_of(a: &ray_t, b: &ray_t) -> Result<Value> {
    let (ta, tb) = (a.type_, b.type_);
    if ta == -RAY_STR && tb == -RAY_STR {
        let mut s = a.str_bytes().to_vec();
        s.extend_from_slice(b.str_bytes());
        return Value::try_str(&s);
    }
    // A string and a STR vector join element by element: `(concat ["a" "c"] "b")` is `["ab" "cb"]`.
    if (ta == -RAY_STR && tb == RAY_STR) || (ta == RAY_STR && tb == -RAY_STR) {
        fn part(x: &ray_t, i: usize) -> &[u8] {
            if x.type_ < 0 { x.str_bytes() } else { x.str_at(i) }
        }
        let n = if ta == RAY_STR { a.len() } else { b.len() } as usize;
        let mut v = Value::vec_with_capacity(RAY_STR, n as i64)?;
        for i in 0..n {
            v.str_vec_push(&[part(a, i), part(b, i)].concat())?;
        }
        return Ok(v);
    }
    if ta == RAY_DICT && tb == RAY_DICT {
        return super::super::dict::merge(a, b);
    }
    if ta == RAY_TABLE && tb == RAY_TABLE {
        return concat_tables(a, b);
    }
    // A dict or table joins only its own kind; a vector joins an atom of its
    // own element type only (`(concat [1 2] 3i)` is a type error, as in the reference).
    let whole = |x: &ray_t| matches!(x.type_, RAY_DICT | RAY_TABLE);
    let loose = |v: &ray_t, x: &ray_t| v.is_vec() && !x.is_vec() && x.type_ != RAY_LIST && x.type_ != -v.type_;
    if whole(a) || whole(b) || loose(a, b) || loose(b, a) {
        // Functions have no name in the reference's message.
        let name = |x: &ray_t| if x.type_ >= RAY_LAMBDA && x.type_ <= RAY_VARY { "?" } else { crate::ops::type_name_of(x) };
        return Err(type_err("concat", &format!("cannot concatenate {} and {}", name(a), name(b))));
    }
    let vec_type = |x: &ray_t| -> Option<i8> {
        if x.is_vec() {
            Some(x.type_)
        } else if x.type_ < 0 && is_vector_type(-x.type_) {
            Some(-x.type_)
        } else {
            None
        }
    };
    if let (Some(ua), Some(ub)) = (vec_type(a), vec_type(b)) {
        if ua == ub {
            let (ca, _) = as_column(a)?;
            let (cb, _) = as_column(b)?;
            return crate::ops::concat(&ca, &cb);
        }
    }
    let la = seq_items(a)?;
    let lb = seq_items(b)?;
    crate::ops::concat(&la, &lb)
}

/// A LIST of the elements of a sequence, or of the value itself.
pub(super) fn seq_items(x: &ray_t) -> Result<Value> {
    if is_collection(x) { to_list(x) } else { Ok(Value::list(vec![x.to_value()])) }
}

pub(super) fn concat_tables(a: &ray_t, b: &ray_t) -> Result<Value> {
    let na = table::names_vec(a)?;
    let nb = table::names_vec(b)?;
    if sym_ids(&na) != sym_ids(&nb) {
        return Err(RayError::new("schema", "concat: tables have different columns"));
    }
    let cols = table::columns(a)
        .iter()
        .zip(table::columns(b).iter())
        .map(|(x, y)| concat_of(x, y))
        .collect::<Result<Vec<_>>>()?;
    table::with_columns(a, cols)
}

// ---------------------------------------------------------------- rotate / cut / raze

/// Splits `(f v n)` / `(f n v)` into the sequence and the integer.
pub(super) fn rotate(args: &[Value]) -> Result<Value> {
    expect_arity("rotate", args, 2)?;
    let v = &args[0];
    let n = int_atom_value(&args[1]).ok_or_else(|| type_err("rotate", "count must be an integer atom"))?;
    if n == NULL_I64 && (is_collection(v) || v.type_ == -RAY_STR) {
        return Ok(v.clone());
    }
    if v.type_ == -RAY_STR {
        let b = v.str_bytes();
        if b.is_empty() {
            return Ok(v.clone());
        }
        let k = n.rem_euclid(b.len() as i64) as usize;
        let mut out = b[k..].to_vec();
        out.extend_from_slice(&b[..k]);
        return Value::try_str(&out);
    }
    if !is_collection(v) {
        return Err(type_err("rotate", &format!("expected a collection, got {}", type_name_of(v))));
    }
    let l = v.len().max(0);
    if l == 0 {
        return Ok(v.clone());
    }
    let idx: Vec<i64> = (0..l).map(|i| (i + n.rem_euclid(l)) % l).collect();
    gather(v, &idx)
}

/// `(cut x positions)`: `x` split before each position (ascending, within
/// `x`); the first piece starts at 0 whether or not 0 is listed, and no
/// positions leave `x` whole. Positions are an integer vector or a LIST of
/// integers; an atom count is refused, as in the reference.
pub(super) fn cut(args: &[Value]) -> Result<Value> {
    expect_arity("cut", args, 2)?;
    let (v, spec) = (&args[0], &args[1]);
    if v.type_ < 0 && v.type_ != -RAY_STR {
        return Err(type_err("cut", &format!("expected a collection, got {}", type_name_of(v))));
    }
    let not_int_list = || type_err("cut", "indices must be an integer vector or list");
    let idx: Vec<i64> = match spec.type_ {
        RAY_U8 | RAY_I16 | RAY_I32 | RAY_I64 => int_indices(spec).ok_or_else(not_int_list)?,
        RAY_LIST => spec
            .items()
            .iter()
            .map(|x| x.and_then(|x| int_atom_value(x)).ok_or_else(|| type_err("cut", "indices must be integers")))
            .collect::<Result<_>>()?,
        RAY_BOOL | RAY_F32 | RAY_F64 | RAY_DATE | RAY_TIME | RAY_TIMESTAMP => return Err(type_err("cut", "indices must be integers")),
        _ if spec.is_vec() && spec.is_empty() => Vec::new(),
        _ => return Err(not_int_list()),
    };
    let len = if v.type_ == -RAY_STR { v.str_bytes().len() } else if is_collection(v) { len_of(v) } else { 1 };
    if idx.is_empty() {
        return Value::container(RAY_LIST, vec![v.clone()]);
    }
    let mut prev = 0i64;
    for &i in &idx {
        if i < prev || i > len as i64 {
            return Err(domain_err("cut", "indices must be sorted and within collection length"));
        }
        prev = i;
    }
    if !is_collection(v) && v.type_ != -RAY_STR {
        return Err(type_err("cut", &format!("expected a collection, got {}", type_name_of(v))));
    }
    let mut starts: Vec<usize> = idx.into_iter().map(|i| i as usize).collect();
    if starts[0] != 0 {
        starts.insert(0, 0);
    }
    let mut out = Vec::with_capacity(starts.len());
    for (k, &s) in starts.iter().enumerate() {
        let e = starts.get(k + 1).copied().unwrap_or(len).min(len);
        out.push(if v.type_ == -RAY_STR { Value::try_str(&v.str_bytes()[s..e])? } else { range_copy(v, s, e - s)? });
    }
    Value::container(RAY_LIST, out)
}

pub(super) fn raze(args: &[Value]) -> Result<Value> {
    expect_arity("raze", args, 1)?;
    let l = &args[0];
    if matches!(l.type_, RAY_DICT | RAY_TABLE) {
        return Err(RayError::type_err(format!("raze: argument must be a list, got {}", type_name_of(l))));
    }
    if l.type_ != RAY_LIST {
        return Ok(l.clone());
    }
    let items: Vec<&ray_t> = l.items().iter().flatten().copied().collect();
    let Some((first, rest)) = items.split_first() else {
        return Ok(l.clone());
    };
    // The items are joined by `concat` from the first as it is (`(raze (list 5))` is 5,
    // `(raze (list {a: 1} {b: 2}))` the joined dict).
    let mut acc = first.to_value();
    for x in rest {
        acc = concat_of(&acc, x)?;
    }
    Ok(acc)
}
