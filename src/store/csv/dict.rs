//! One parsing thread's dictionary of a SYM column's distinct values:
//! field bytes to small local ids (0 is `""`), interned into the global
//! symbol table once per distinct value when the parse ends.
//!
//! An open-addressing table of ids over one byte arena: a lookup hashes
//! the field once, compares stored 64-bit hashes and only then the bytes
//! (inline, fields being short), and a new value costs one arena append,
//! not an allocation. This module owns no column and no global state
//! until [`LocalSyms::intern_into`].

use crate::core::sym;
use std::hash::BuildHasher;

pub(super) struct LocalSyms {
    /// Slot: 0 when empty, else local id + 1.
    slots: Vec<u32>,
    /// Per id: its hash, and where its bytes lie in `arena`.
    hashes: Vec<u64>,
    spans: Vec<(usize, usize)>,
    arena: Vec<u8>,
    state: foldhash::fast::FixedState,
}

/// Byte equality written out: the keys are a few bytes, where a call to
/// `memcmp` costs more than the comparison.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i + 8 <= a.len() {
        let word = |s: &[u8]| u64::from_ne_bytes(s[i..i + 8].try_into().unwrap_or_default());
        if word(a) != word(b) {
            return false;
        }
        i += 8;
    }
    a[i..].iter().zip(&b[i..]).all(|(x, y)| x == y)
}

/// The first slot of hash `h` in a table of `mask + 1` slots: the hash's
/// high bits (a multiplicative hash mixes them best; its low bits cluster
/// on keys that differ in their last byte).
#[inline]
fn slot_of(h: u64, mask: usize) -> usize {
    (h >> (64 - mask.count_ones())) as usize & mask
}

impl LocalSyms {
    pub(super) fn new() -> LocalSyms {
        let mut d = LocalSyms {
            slots: vec![0; 64],
            hashes: Vec::new(),
            spans: Vec::new(),
            arena: Vec::new(),
            state: foldhash::fast::FixedState::with_seed(0x5eed_c5f),
        };
        d.id(b"");
        d
    }

    fn key(&self, id: usize) -> &[u8] {
        let (at, len) = self.spans[id];
        &self.arena[at..at + len]
    }

    /// The local id of `f`, adding it when new.
    #[inline]
    pub(super) fn id(&mut self, f: &[u8]) -> u32 {
        let h = self.state.hash_one(f);
        let mask = self.slots.len() - 1;
        let mut s = slot_of(h, mask);
        loop {
            let e = self.slots[s];
            if e == 0 {
                break;
            }
            let id = (e - 1) as usize;
            if self.hashes[id] == h && same(self.key(id), f) {
                return id as u32;
            }
            s = (s + 1) & mask;
        }
        let id = self.hashes.len() as u32;
        self.hashes.push(h);
        self.spans.push((self.arena.len(), f.len()));
        self.arena.extend_from_slice(f);
        self.slots[s] = id + 1;
        if self.hashes.len() * 2 > self.slots.len() {
            self.grow();
        }
        id
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let mask = size - 1;
        let mut slots = vec![0u32; size];
        for (id, &h) in self.hashes.iter().enumerate() {
            let mut s = slot_of(h, mask);
            while slots[s] != 0 {
                s = (s + 1) & mask;
            }
            slots[s] = id as u32 + 1;
        }
        self.slots = slots;
    }

    /// How many ids there are.
    pub(super) fn len(&self) -> u32 {
        self.hashes.len() as u32
    }

    /// Interns the values of local ids `ids` (in id order) into the global
    /// symbol table, writing their global ids into `map[ids]`.
    pub(super) fn intern_into(&self, ids: std::ops::Range<u32>, map: &mut [i64]) {
        let (lo, hi) = (ids.start as usize, ids.end as usize);
        if lo >= hi {
            return;
        }
        let mut out = Vec::with_capacity(hi - lo);
        sym::intern_many((lo..hi).map(|id| self.key(id)), &mut out);
        map[lo..hi].copy_from_slice(&out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_and_stable_across_growth() {
        let mut d = LocalSyms::new();
        assert_eq!(d.id(b""), 0);
        let words: Vec<String> = (0..5000).map(|i| format!("id{i:07}-{}", "x".repeat(i % 20))).collect();
        for (i, w) in words.iter().enumerate() {
            assert_eq!(d.id(w.as_bytes()), i as u32 + 1);
        }
        for (i, w) in words.iter().enumerate().rev() {
            assert_eq!(d.id(w.as_bytes()), i as u32 + 1);
        }
        assert!(same(b"abcdefghij", b"abcdefghij") && !same(b"abcdefghij", b"abcdefghik") && !same(b"a", b"ab"));
    }
}
