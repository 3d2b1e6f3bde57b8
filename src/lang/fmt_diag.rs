//! The REPL's boxed diagnostic for an error raised inside a lambda
//! (rayfall.md section 13; conformance case error-011):
//!
//! ```text
//!
//!   × Error: arity
//!
//!    ╭─[repl:1:1]
//!  1 │ ((fn [x] x))
//!    │ ▲
//!    │ ╰─ arity: expected 1 args, got 0
//!    ╰─ in λ
//! ```
//!
//! The gutter is as wide as the line number plus a space on each side; the
//! caret sits under the first character of the failing form.

/// Where and why an evaluation failed, for [`format_diagnostic`].
#[derive(Clone, Copy, Debug)]
pub struct Diagnostic<'a> {
    /// Error code (`arity`).
    pub code: &'a str,
    /// The message after the code, if any.
    pub message: Option<&'a str>,
    /// Name of the source (`repl`, or a file name).
    pub source_name: &'a str,
    /// 1-based line of the failing form.
    pub line: usize,
    /// 1-based column (in characters) of the failing form.
    pub col: usize,
    /// The text of that source line.
    pub source_line: &'a str,
    /// The function the error was raised in (`λ` for an anonymous lambda).
    pub frame: Option<&'a str>,
}

/// The boxed diagnostic text (no trailing newline; it starts with an empty line).
pub fn format_diagnostic(d: &Diagnostic) -> String {
    let number = d.line.to_string();
    let blank = " ".repeat(number.chars().count() + 2);
    let caret_pad = " ".repeat(d.col.saturating_sub(1));
    let note = match d.message {
        Some(m) if !m.is_empty() => format!("{}: {m}", d.code),
        _ => d.code.to_string(),
    };
    let mut lines = vec![
        String::new(),
        format!("  × Error: {}", d.code),
        String::new(),
        format!("{blank}╭─[{}:{}:{}]", d.source_name, d.line, d.col),
        format!(" {number} │ {}", d.source_line),
        format!("{blank}│ {caret_pad}▲"),
        format!("{blank}│ {caret_pad}╰─ {note}"),
    ];
    match d.frame {
        Some(f) => lines.push(format!("{blank}╰─ in {f}")),
        None => lines.push(format!("{blank}╰─")),
    }
    lines.join("\n")
}

/// What the REPL prints for a failed evaluation of `src` (named
/// `source_name`): the boxed diagnostic when the error was raised inside a
/// lambda and its form is known, else `error: code[: message]`.
pub fn format_source_error(src: &str, source_name: &str, e: &crate::lang::SourceError) -> String {
    let (Some(frame), Some(offset)) = (e.frame.as_deref(), e.offset) else {
        return super::format_error(e.error.code_str(), e.error.message());
    };
    let (line, col, source_line) = locate(src, offset);
    format_diagnostic(&Diagnostic {
        code: e.error.code_str(),
        message: e.error.message(),
        source_name,
        line,
        col,
        source_line,
        frame: Some(frame),
    })
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
        let d = Diagnostic {
            code: "arity",
            message: Some("expected 1 args, got 0"),
            source_name: "repl",
            line: 1,
            col: 1,
            source_line: "((fn [x] x))",
            frame: Some("λ"),
        };
        assert_eq!(
            format_diagnostic(&d),
            "\n  × Error: arity\n\n   ╭─[repl:1:1]\n 1 │ ((fn [x] x))\n   │ ▲\n   │ ╰─ arity: expected 1 args, got 0\n   ╰─ in λ"
        );
    }

    #[test]
    fn the_gutter_widens_with_the_line_number_and_the_caret_follows_the_column() {
        let d = Diagnostic {
            code: "type",
            message: None,
            source_name: "f.rfl",
            line: 12,
            col: 3,
            source_line: "  (f 1)",
            frame: None,
        };
        let text = format_diagnostic(&d);
        assert!(text.contains("\n    ╭─[f.rfl:12:3]\n 12 │   (f 1)\n    │   ▲\n    │   ╰─ type\n    ╰─"), "{text}");
    }
}
