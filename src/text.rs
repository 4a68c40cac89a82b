//! Text from data on its way to a terminal: control characters and escape
//! sequences never get through, and widths are counted in terminal columns.

use unicode_width::UnicodeWidthStr;

/// Replaces every control character (C0, DEL, C1 — which covers ESC and CSI, so
/// no escape sequence survives) with a visible `�`; tabs and newlines become spaces.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => ' ',
            c if c.is_control() => '\u{FFFD}',
            // Bidi overrides and isolates can reorder a whole line on screen.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// The first character text may not hold when it is stored (an import's
/// cell, an edit's note): a control character but tab, newline and carriage
/// return, which a CSV cell carries quoted. What export writes, import reads.
pub fn forbidden_control(s: &str) -> Option<char> {
    s.chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// The first character an id may not hold: one a terminal does not show
/// (zero-width spaces and joiners, the soft hyphen, word joiners, variation
/// selectors, a byte-order mark) or one that reorders text (bidi marks,
/// embeddings, overrides, isolates). Two ids alike on screen would name two
/// records, and an id is typed to be found.
pub fn invisible(s: &str) -> Option<char> {
    s.chars().find(|c| is_invisible(*c))
}

/// Whether `c` is one of the characters [`invisible`] finds.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
    )
}

/// Columns a string takes on a terminal (wide characters count two).
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` columns, ending in `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Pads `s` with spaces to `cols` columns, on the right (left-aligned) or left.
pub fn pad(s: &str, cols: usize, right_align: bool) -> String {
    let fill = " ".repeat(cols.saturating_sub(width(s)));
    if right_align {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_never_survive() {
        assert_eq!(
            sanitize("Acme\x1b[31mRED\x07"),
            "Acme\u{FFFD}[31mRED\u{FFFD}"
        );
        assert_eq!(sanitize("a\u{9b}2Jb"), "a\u{FFFD}2Jb");
        assert_eq!(sanitize("line\nbreak\ttab"), "line break tab");
        assert_eq!(sanitize("evil\u{202E}txt"), "evil\u{FFFD}txt");
    }

    #[test]
    fn an_id_may_hold_any_script_but_nothing_unseen() {
        for id in ["D-0001", "株式会社-7", "café_ñ", "0065g00000AbCdE"] {
            assert_eq!(invisible(id), None, "{id}");
        }
        for (id, c) in [
            ("ada\u{200B}", '\u{200B}'),
            ("a\u{200D}b", '\u{200D}'),
            ("\u{FEFF}o1", '\u{FEFF}'),
            ("o\u{00AD}1", '\u{00AD}'),
            ("x\u{2066}1\u{2069}", '\u{2066}'),
            ("r\u{200F}", '\u{200F}'),
        ] {
            assert_eq!(invisible(id), Some(c), "{id:?}");
        }
    }

    #[test]
    fn wide_characters_count_two_columns() {
        assert_eq!(width("株式会社"), 8);
        assert_eq!(pad("株式", 6, false), "株式  ");
        assert_eq!(truncate("株式会社テスト", 7), "株式会…");
        assert_eq!(truncate("short", 10), "short");
    }
}
