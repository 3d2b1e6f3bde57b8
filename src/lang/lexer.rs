//! The lexer: Rayfall source text to tokens with byte spans. It knows the
//! shape of every literal (numbers, temporal values, typed nulls, strings,
//! symbols, names) but builds no values: the parser does that.
#![forbid(unsafe_code)]

use crate::core::RayError;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    /// A `:` that ends a dict key (`{a: 1}`).
    Colon,
    /// A bare identifier (a name reference), including `true`/`false`.
    Name(String),
    /// `'name`, `:name` or a bare `'` (the empty symbol).
    Symbol(String),
    /// A string literal with escapes resolved (also `'a'`).
    Str(Vec<u8>),
    /// A number, temporal or typed-null literal, still as text.
    Number(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

fn parse_err(msg: impl Into<String>) -> RayError {
    RayError::new("parse", msg)
}

/// Characters a name may contain (rayfall.md section 2).
pub fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"_.-!?+*/%<>=&|".contains(&c)
}

/// Pushes the quoted symbol whose name starts at `from` (after its `'` or
/// `:`); returns the position after the name.
fn push_symbol(out: &mut Vec<Token>, src: &[u8], start: usize, from: usize) -> usize {
    let mut j = from;
    while j < src.len() && is_name_char(src[j]) {
        j += 1;
    }
    let name = String::from_utf8_lossy(&src[from..j]).into_owned();
    out.push(Token { tok: Tok::Symbol(name), start, end: j });
    j
}

fn is_delim(c: u8) -> bool {
    c.is_ascii_whitespace() || b"()[]{}\";".contains(&c)
}

/// Splits `src` into tokens. Errors: `parse` (unterminated string, stray byte).
pub fn tokenize(src: &[u8]) -> Result<Vec<Token>, RayError> {
    let mut out = Vec::new();
    let mut i = 0;
    let n = src.len();
    while i < n {
        let c = src[i];
        let start = i;
        let single = match c {
            b'(' => Some(Tok::LParen),
            b')' => Some(Tok::RParen),
            b'[' => Some(Tok::LBracket),
            b']' => Some(Tok::RBracket),
            b'{' => Some(Tok::LBrace),
            b'}' => Some(Tok::RBrace),
            _ => None,
        };
        if let Some(t) = single {
            out.push(Token { tok: t, start, end: i + 1 });
            i += 1;
            continue;
        }
        if c.is_ascii_whitespace() || c == b',' {
            i += 1;
            continue;
        }
        if c == b';' {
            while i < n && src[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'"' {
            let (s, next) = lex_string(src, i + 1)?;
            out.push(Token { tok: Tok::Str(s), start, end: next });
            i = next;
            continue;
        }
        if c == b'\'' {
            // 'a' is a one-char string (''' too: a quote); 'name a quoted
            // symbol; ' alone the empty symbol, so ' ' is two of them.
            if i + 2 < n && src[i + 2] == b'\'' && !src[i + 1].is_ascii_whitespace() {
                out.push(Token { tok: Tok::Str(vec![src[i + 1]]), start, end: i + 3 });
                i += 3;
                continue;
            }
            i = push_symbol(&mut out, src, start, i + 1);
            continue;
        }
        if c == b':' {
            // After a name or string with no gap, or before a gap: a dict key colon.
            let adjacent = out.last().is_some_and(|t: &Token| t.end == i && matches!(t.tok, Tok::Name(_) | Tok::Str(_)));
            let next_is_name = i + 1 < n && is_name_char(src[i + 1]) && !src[i + 1].is_ascii_digit();
            if adjacent || !next_is_name {
                out.push(Token { tok: Tok::Colon, start, end: i + 1 });
                i += 1;
                continue;
            }
            i = push_symbol(&mut out, src, start, i + 1);
            continue;
        }
        let starts_number = c.is_ascii_digit() || (c == b'-' && i + 1 < n && src[i + 1].is_ascii_digit());
        if starts_number {
            let j = scan_number(src, i);
            let text = String::from_utf8_lossy(&src[i..j]).into_owned();
            // `0Ns` is `0` followed by the name `Ns`: only 0N and 0N[lihfdtp] are nulls.
            if text.starts_with("0N") && !is_typed_null_text(&text) {
                out.push(Token { tok: Tok::Number("0".into()), start, end: i + 1 });
                i += 1;
                continue;
            }
            out.push(Token { tok: Tok::Number(text), start, end: j });
            i = j;
            continue;
        }
        if is_name_char(c) {
            let mut j = i;
            while j < n && is_name_char(src[j]) {
                j += 1;
            }
            let name = String::from_utf8_lossy(&src[i..j]).into_owned();
            out.push(Token { tok: Tok::Name(name), start, end: j });
            i = j;
            continue;
        }
        return Err(parse_err(format!("unexpected character '{}' at {}", c as char, i)));
    }
    Ok(out)
}

pub fn is_typed_null_text(t: &str) -> bool {
    matches!(t, "0N" | "0Nl" | "0Ni" | "0Nh" | "0Nf" | "0Nd" | "0Nt" | "0Np")
}

/// End of a number-like token starting at `i`: digits, letters, `.`, `:`,
/// and a sign right after an exponent `e`.
fn scan_number(src: &[u8], i: usize) -> usize {
    let n = src.len();
    let mut j = i + 1;
    while j < n {
        let c = src[j];
        if c.is_ascii_alphanumeric() || c == b'.' || c == b':' || c == b'_' {
            j += 1;
        } else if (c == b'-' || c == b'+') && matches!(src[j - 1], b'e' | b'E') && !src[i..j].starts_with(b"0x") {
            j += 1;
        } else {
            break;
        }
        if j < n && is_delim(src[j]) {
            break;
        }
    }
    j
}

fn lex_string(src: &[u8], mut i: usize) -> Result<(Vec<u8>, usize), RayError> {
    let mut s = Vec::new();
    let n = src.len();
    while i < n {
        let c = src[i];
        if c == b'"' {
            return Ok((s, i + 1));
        }
        if c == b'\\' && i + 1 < n {
            let e = src[i + 1];
            match e {
                b'n' => s.push(b'\n'),
                b't' => s.push(b'\t'),
                b'r' => s.push(b'\r'),
                b'\\' => s.push(b'\\'),
                b'"' => s.push(b'"'),
                b'0'..=b'7' if i + 3 < n && src[i + 2].is_ascii_digit() && src[i + 3].is_ascii_digit() => {
                    let o = |d: u8| (d - b'0') as u32;
                    let (a, b, c2) = (src[i + 1], src[i + 2], src[i + 3]);
                    if b > b'7' || c2 > b'7' {
                        s.push(b'\\');
                        s.push(e);
                    } else {
                        s.push((o(a) * 64 + o(b) * 8 + o(c2)) as u8);
                        i += 4;
                        continue;
                    }
                }
                _ => {
                    s.push(b'\\');
                    s.push(e);
                }
            }
            i += 2;
            continue;
        }
        s.push(c);
        i += 1;
    }
    Err(parse_err("unterminated string"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s.as_bytes()).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn minus_before_a_digit_is_part_of_the_number() {
        assert_eq!(toks("(- -1 x)"), vec![Tok::LParen, Tok::Name("-".into()), Tok::Number("-1".into()), Tok::Name("x".into()), Tok::RParen]);
    }

    #[test]
    fn dict_keys_symbols_and_one_char_strings() {
        assert_eq!(toks("{a: :kw}"), vec![Tok::LBrace, Tok::Name("a".into()), Tok::Colon, Tok::Symbol("kw".into()), Tok::RBrace]);
        assert_eq!(toks("'a' 'b '"), vec![Tok::Str(b"a".to_vec()), Tok::Symbol("b".into()), Tok::Symbol("".into())]);
        // As the reference: a blank between ticks is two empty symbols
        // (['a ' 'b] is [a ' b]); three ticks are the string "'".
        let empty = || Tok::Symbol("".into());
        assert_eq!(toks("' '"), vec![empty(), empty()]);
        assert_eq!(toks("'\t'"), vec![empty(), empty()]);
        assert_eq!(toks("'''"), vec![Tok::Str(b"'".to_vec())]);
    }

    #[test]
    fn zero_n_s_is_zero_then_a_name() {
        assert_eq!(toks("0Ns 0Nl"), vec![Tok::Number("0".into()), Tok::Name("Ns".into()), Tok::Number("0Nl".into())]);
    }

    #[test]
    fn string_escapes_and_octal() {
        assert_eq!(toks(r#""a\tb\101\q""#), vec![Tok::Str(b"a\tbA\\q".to_vec())]);
        assert!(tokenize(b"\"abc").is_err());
    }

    #[test]
    fn temporal_and_exponent_tokens_stay_whole() {
        assert_eq!(toks("2024.01.15D09:30:00.5 1e-3 09:30:00"), vec![
            Tok::Number("2024.01.15D09:30:00.5".into()),
            Tok::Number("1e-3".into()),
            Tok::Number("09:30:00".into())
        ]);
    }
}
