//! Small helpers for writing SVG by hand: escaping, text width, the font stack.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Fonts that carry Chinese on common systems, then a generic fallback.
pub const FONT_STACK: &str = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei','Heiti SC',sans-serif";

/// Escapes text for an XML text node or attribute value.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Approximate rendered width in pixels at `size`: wide (CJK) characters take
/// about one em, narrow ones about 0.6 em.
pub fn text_width(s: &str, size: f64) -> f64 {
    s.width() as f64 * size * 0.55
}

/// Cuts `s` to fit `max` pixels at `size`, with an ellipsis when cut.
///
/// # Complexity
/// O(n) for `s` of n characters: widths are summed character by character
/// (a name of many zero-width characters once made this quadratic).
pub fn fit(s: &str, size: f64, max: f64) -> String {
    if text_width(s, size) <= max {
        return s.to_string();
    }
    let em = size * 0.55;
    let budget = max - em;
    let mut width = 0.0;
    let mut end = 0;
    for (at, c) in s.char_indices() {
        width += c.width().unwrap_or(0) as f64 * em;
        if width > budget {
            break;
        }
        end = at + c.len_utf8();
    }
    let mut out = s[..end].to_string();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_at_the_width_and_marks_the_cut() {
        assert_eq!(fit("施工许可", 10.0, 1000.0), "施工许可");
        let cut = fit(&"施工许可".repeat(50), 10.0, 100.0);
        assert!(cut.ends_with('…') && text_width(&cut, 10.0) <= 100.0 + 5.5, "{cut}");
        assert!(cut.len() < 100);
    }

    // 200,000 zero-width characters before the text copied the growing prefix once per character.
    #[test]
    fn fit_is_linear_in_zero_width_characters() {
        let name = format!("{}{}", "\u{301}".repeat(200_000), "施工许可".repeat(50));
        let cut = fit(&name, 10.0, 100.0);
        assert!(cut.ends_with('…') && cut.starts_with('\u{301}'));
    }
}
