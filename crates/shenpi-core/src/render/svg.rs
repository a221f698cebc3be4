//! Small helpers for writing SVG by hand: escaping, text width, the font stack.

use unicode_width::UnicodeWidthStr;

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
pub fn fit(s: &str, size: f64, max: f64) -> String {
    if text_width(s, size) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        let mut next = out.clone();
        next.push(c);
        if text_width(&next, size) + size * 0.55 > max {
            break;
        }
        out = next;
    }
    out.push('…');
    out
}
