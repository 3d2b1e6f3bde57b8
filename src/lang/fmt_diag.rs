//! The REPL's boxed diagnostic for an error that left a lambda (rayfall.md
//! section 13; conformance case error-011): one box per frame of the
//! error's trace (`lang::trace`), innermost first, the first with the
//! error's note, the others with an empty one; at most five, then
//! `... N more frames`:
//!
//! ```text
//!
//!   × Error: type
//!
//!    ╭─[repl:1:16]
//!  1 │ (set g (fn [x] (+ x 'a)))
//!    │                ▲
//!    │                ╰─ type: cannot add i64 and sym
//!    ╰─ in λ
//!
//!    ╭─[repl:2:1]
//!  2 │ (g 1)
//!    │ ▲
//!    │ ╰─
//!    ╰─ in λ
//! ```
//!
//! The gutter is as wide as the line number plus a space on each side; the
//! caret sits under the first character of the failing form.

/// One frame of the diagnostic: where in which source, and what it says.
#[derive(Clone, Copy, Debug)]
pub struct Diagnostic<'a> {
    /// Name of the source (`repl`, or a file name).
    pub source_name: &'a str,
    /// 1-based line of the failing form.
    pub line: usize,
    /// 1-based column (in characters) of the failing form.
    pub col: usize,
    /// The text of that source line.
    pub source_line: &'a str,
    /// The note under the caret (`code: message` in the innermost frame,
    /// empty in the others).
    pub note: &'a str,
}

/// The lines of one frame's box (the reference names every frame `λ`).
fn frame_lines(d: &Diagnostic) -> [String; 5] {
    let number = d.line.to_string();
    let blank = " ".repeat(number.chars().count() + 2);
    let caret_pad = " ".repeat(d.col.saturating_sub(1));
    [
        format!("{blank}╭─[{}:{}:{}]", d.source_name, d.line, d.col),
        format!(" {number} │ {}", d.source_line),
        format!("{blank}│ {caret_pad}▲"),
        format!("{blank}│ {caret_pad}╰─ {}", d.note),
        format!("{blank}╰─ in λ"),
    ]
}

/// The boxed diagnostic for error `code` through `frames` (innermost
/// first) and `hidden` more: no trailing newline; it starts with an empty
/// line and an empty line separates frames.
pub fn format_diagnostic(code: &str, frames: &[Diagnostic], hidden: usize) -> String {
    let mut lines = vec![String::new(), format!("  × Error: {code}")];
    for d in frames {
        lines.push(String::new());
        lines.extend(frame_lines(d));
    }
    if hidden > 0 {
        lines.push(format!("   ... {hidden} more frames"));
    }
    lines.join("\n")
}

/// What the REPL prints for a failed evaluation of `src` (named
/// `source_name`): the boxed diagnostic when the error left a lambda and
/// where is known, else `error: code[: message]`.
pub fn format_source_error(src: &str, source_name: &str, e: &crate::lang::SourceError) -> String {
    let (code, message) = (e.error.code_str(), e.error.message());
    if e.trace.is_empty() {
        return super::format_error(code, message);
    }
    let note = match message {
        Some(m) if !m.is_empty() => format!("{code}: {m}"),
        _ => code.to_string(),
    };
    let texts: Vec<String> = e
        .trace
        .iter()
        .map(|f| f.source.as_ref().map_or_else(|| src.to_string(), |s| String::from_utf8_lossy(s.str_bytes()).into_owned()))
        .collect();
    let frames: Vec<Diagnostic> = e
        .trace
        .iter()
        .zip(&texts)
        .enumerate()
        .map(|(i, (f, text))| {
            let (line, col, source_line) = locate(text, f.offset);
            Diagnostic { source_name, line, col, source_line, note: if i == 0 { &note } else { "" } }
        })
        .collect();
    format_diagnostic(code, &frames, e.hidden_frames)
}

/// The 1-based line and column (in characters) of byte `offset` in `src`,
/// and the text of that line.
fn locate(src: &str, offset: usize) -> (usize, usize, &str) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = src[offset..].find('\n').map_or(src.len(), |i| offset + i);
    let line = src[..offset].matches('\n').count() + 1;
    let col = src[line_start..offset].chars().count() + 1;
    (line, col, src[line_start..line_end].trim_end_matches('\r'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines_and_character_columns() {
        let src = "(set a 1)\n  (λ x)\n";
        assert_eq!(locate(src, 0), (1, 1, "(set a 1)"));
        assert_eq!(locate(src, 12), (2, 3, "  (λ x)"));
        let after_lambda = src.find(" x").unwrap();
        assert_eq!(locate(src, after_lambda), (2, 5, "  (λ x)"));
    }

    #[test]
    fn an_arity_error_in_a_lambda_is_boxed_like_the_reference_repl() {
        let d = Diagnostic { source_name: "repl", line: 1, col: 1, source_line: "((fn [x] x))", note: "arity: expected 1 args, got 0" };
        assert_eq!(
            format_diagnostic("arity", &[d], 0),
            "\n  × Error: arity\n\n   ╭─[repl:1:1]\n 1 │ ((fn [x] x))\n   │ ▲\n   │ ╰─ arity: expected 1 args, got 0\n   ╰─ in λ"
        );
    }

    #[test]
    fn the_gutter_widens_with_the_line_number_and_the_caret_follows_the_column() {
        let d = Diagnostic { source_name: "f.rfl", line: 12, col: 3, source_line: "  (f 1)", note: "type" };
        let outer = Diagnostic { source_name: "f.rfl", line: 2, col: 1, source_line: "(g 1)", note: "" };
        let text = format_diagnostic("type", &[d, outer], 7);
        assert!(text.contains("\n    ╭─[f.rfl:12:3]\n 12 │   (f 1)\n    │   ▲\n    │   ╰─ type\n    ╰─ in λ\n\n"), "{text}");
        assert!(text.ends_with("\n   │ ╰─ \n   ╰─ in λ\n   ... 7 more frames"), "{text}");
    }
}
