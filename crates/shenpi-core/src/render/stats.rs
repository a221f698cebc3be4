//! The statistics as a picture (`shenpi report --format svg`): a bar chart by
//! department of the on-time rate (按时办结率) and of the average working
//! days used against those promised, and a line by month of the same two
//! figures. Self-contained SVG in the Gantt chart's style: the same fonts,
//! title and subtitle, colours and legend line.

use std::fmt::Write;

use super::svg::{FONT_STACK, esc, fit, text_width};
use crate::runtime::Statistics;

const MARGIN: f64 = 20.0;
/// Room for a department's name left of its bars.
const LABEL_W: f64 = 180.0;
/// Width of one bar panel (on-time rate, or days).
const PANEL_W: f64 = 300.0;
/// Gap between the two bar panels.
const GAP: f64 = 60.0;
const ROW_H: f64 = 24.0;
/// Top of the first department's row.
const TOP: f64 = 110.0;
/// Height of the month panel's plot.
const LINE_H: f64 = 180.0;
/// Horizontal room per month in the line chart.
const MONTH_W: f64 = 64.0;
const RATE: &str = "#27ae60";
const USED: &str = "#2e86c1";
const PROMISED: &str = "#aab7b8";
const INK: &str = "#1f2d3d";
const MUTED: &str = "#566573";

/// The SVG of a period's statistics: `by_dept` grouped by department and
/// `by_month` by month (both as [`statistics`](crate::runtime::statistics)
/// returns them, over the same period). Every department and month is
/// labelled; a figure with nothing to divide by is left out and its label
/// says `-`.
///
/// # Complexity
/// O(D + M) for D departments and M months.
pub fn statistics_svg(by_dept: &Statistics, by_month: &Statistics) -> String {
    let depts = &by_dept.rows;
    let months = &by_month.rows;
    let bars_h = depts.len().max(1) as f64 * ROW_H;
    let line_top = TOP + bars_h + 90.0;
    let height = line_top + LINE_H + 90.0;
    let title = format!("效能统计 {} 至 {}", by_dept.from, by_dept.to);
    let subtitle = format!(
        "按部门: 按时办结率与平均用时 (对比承诺时限) · 按月: 同两项 · {} 个部门, {} 个月",
        depts.len(),
        months.len()
    );
    let bars_w = LABEL_W + 2.0 * PANEL_W + GAP + 80.0;
    let line_w = 80.0 + months.len().max(1) as f64 * MONTH_W + 80.0;
    let width = (MARGIN * 2.0 + bars_w.max(line_w))
        .max(text_width(&title, 20.0) + MARGIN * 2.0)
        .max(text_width(&subtitle, 13.0) + MARGIN * 2.0)
        .max(LEGEND_W + MARGIN * 2.0)
        .ceil();
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="{FONT_STACK}">"#
    );
    let _ = writeln!(out, "<title>{}</title>", esc(&title));
    let _ = writeln!(out, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let _ = writeln!(
        out,
        r##"<text x="{MARGIN}" y="30" font-size="20" font-weight="bold" fill="{INK}">{}</text>"##,
        esc(&title)
    );
    let _ = writeln!(
        out,
        r##"<text x="{MARGIN}" y="52" font-size="13" fill="{MUTED}">{}</text>"##,
        esc(&subtitle)
    );
    dept_bars(&mut out, by_dept);
    month_lines(&mut out, by_month, line_top);
    legend(&mut out, height - 14.0);
    out.push_str("</svg>\n");
    out
}

/// A percentage for a label, `-` when there is none.
fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |x| format!("{:.1}%", x * 100.0))
}

/// Days for a label, `-` when there are none.
fn days(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |x| format!("{x:.1}"))
}

/// A finite, non-negative value, 0 when missing.
fn val(x: Option<f64>) -> f64 {
    x.filter(|x| x.is_finite() && *x > 0.0).unwrap_or(0.0)
}

fn dept_bars(out: &mut String, s: &Statistics) {
    let rate_x = MARGIN + LABEL_W;
    let days_x = rate_x + PANEL_W + GAP;
    let top = TOP;
    let bottom = top + s.rows.len().max(1) as f64 * ROW_H;
    let most = s.rows.iter().map(|r| val(r.avg_used).max(val(r.avg_promised))).fold(0.0, f64::max);
    let scale = if most > 0.0 { PANEL_W / most } else { 0.0 };
    out.push_str(r#"<g class="by-dept">"#);
    out.push('\n');
    let _ = writeln!(
        out,
        r##"<text x="{MARGIN}" y="{:.1}" font-size="14" font-weight="bold" fill="{INK}">按部门</text><text x="{rate_x:.1}" y="{:.1}" font-size="12" fill="{MUTED}">按时办结率 (0–100%)</text><text x="{days_x:.1}" y="{:.1}" font-size="12" fill="{MUTED}">平均用时 / 平均承诺 (工作日, 至 {most:.1})</text>"##,
        top - 22.0,
        top - 8.0,
        top - 8.0
    );
    // The panels' frames: 0 and 100% for the rate, 0 for the days.
    for x in [rate_x, rate_x + PANEL_W, days_x] {
        let _ = writeln!(
            out,
            r##"<line x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="#d5d8dc"/>"##
        );
    }
    for (i, r) in s.rows.iter().enumerate() {
        let y = top + i as f64 * ROW_H;
        let key = esc(&fit(&r.key, 12.0, LABEL_W - 10.0));
        let _ = writeln!(
            out,
            r##"<g class="row"><text class="key" x="{MARGIN}" y="{:.1}" font-size="12" fill="{INK}">{key}</text>"##,
            y + 16.0
        );
        let w = val(r.on_time_rate).min(1.0) * PANEL_W;
        let _ = writeln!(
            out,
            r##"<rect class="on-time" x="{rate_x:.1}" y="{:.1}" width="{w:.1}" height="14" fill="{RATE}"/><text x="{:.1}" y="{:.1}" font-size="11" fill="{MUTED}">{}</text>"##,
            y + 5.0,
            rate_x + w + 4.0,
            y + 16.0,
            pct(r.on_time_rate)
        );
        let (pw, uw) = (val(r.avg_promised) * scale, val(r.avg_used) * scale);
        let _ = writeln!(
            out,
            r##"<rect class="promised" x="{days_x:.1}" y="{:.1}" width="{pw:.1}" height="14" fill="#eaeded" stroke="{PROMISED}"/><rect class="used" x="{days_x:.1}" y="{:.1}" width="{uw:.1}" height="8" fill="{USED}"/><text x="{:.1}" y="{:.1}" font-size="11" fill="{MUTED}">{} / {}</text></g>"##,
            y + 5.0,
            y + 8.0,
            days_x + pw.max(uw) + 4.0,
            y + 16.0,
            days(r.avg_used),
            days(r.avg_promised)
        );
    }
    out.push_str("</g>\n");
}

fn month_lines(out: &mut String, s: &Statistics, top: f64) {
    let left = MARGIN + 60.0;
    let bottom = top + LINE_H;
    // Both lines are shares: the on-time rate, and days used as a share of days promised.
    let ratio = |r: &crate::runtime::StatsRow| match (r.avg_used, r.avg_promised) {
        (Some(u), Some(p)) if p > 0.0 => Some(u / p),
        _ => None,
    };
    let most = s.rows.iter().filter_map(ratio).fold(1.0, f64::max);
    let y = |x: f64| bottom - x / most * LINE_H;
    let x = |i: usize| left + (i as f64 + 0.5) * MONTH_W;
    out.push_str(r#"<g class="by-month">"#);
    out.push('\n');
    let _ = writeln!(
        out,
        r##"<text x="{MARGIN}" y="{:.1}" font-size="14" font-weight="bold" fill="{INK}">按月</text>"##,
        top - 22.0
    );
    let right = left + s.rows.len().max(1) as f64 * MONTH_W;
    for tick in [0.0, 0.5, 1.0] {
        let ty = y(tick);
        let _ = writeln!(
            out,
            r##"<line x1="{left:.1}" y1="{ty:.1}" x2="{right:.1}" y2="{ty:.1}" stroke="#eaeded"/><text x="{:.1}" y="{:.1}" font-size="11" fill="{MUTED}" text-anchor="end">{:.0}%</text>"##,
            left - 6.0,
            ty + 4.0,
            tick * 100.0
        );
    }
    for (class, colour, pick) in [
        (
            "on-time",
            RATE,
            &(|r: &crate::runtime::StatsRow| r.on_time_rate)
                as &dyn Fn(&crate::runtime::StatsRow) -> Option<f64>,
        ),
        ("used-of-promised", USED, &ratio),
    ] {
        let points: Vec<String> = s
            .rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                pick(r).filter(|v| v.is_finite()).map(|v| format!("{:.1},{:.1}", x(i), y(v)))
            })
            .collect();
        if !points.is_empty() {
            let _ = writeln!(
                out,
                r#"<polyline class="{class}" points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
                points.join(" ")
            );
        }
        for (i, r) in s.rows.iter().enumerate() {
            if let Some(v) = pick(r).filter(|v| v.is_finite()) {
                let _ = writeln!(
                    out,
                    r#"<circle class="{class}" cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"><title>{} {}</title></circle>"#,
                    x(i),
                    y(v),
                    esc(&r.key),
                    pct(Some(v))
                );
            }
        }
    }
    for (i, r) in s.rows.iter().enumerate() {
        let _ = writeln!(
            out,
            r##"<text class="key" x="{:.1}" y="{:.1}" font-size="11" fill="{INK}" text-anchor="middle">{}</text><text x="{:.1}" y="{:.1}" font-size="10" fill="{MUTED}" text-anchor="middle">{}</text>"##,
            x(i),
            bottom + 16.0,
            esc(&r.key),
            x(i),
            bottom + 30.0,
            pct(r.on_time_rate)
        );
    }
    out.push_str("</g>\n");
}

/// What the colours mean.
const LEGEND: [(&str, &str); 3] = [
    (r##"fill="#27ae60""##, "按时办结率"),
    (r##"fill="#2e86c1""##, "平均用时 (月: 占承诺)"),
    (r##"fill="#eaeded" stroke="#aab7b8""##, "平均承诺时限"),
];
/// The legend's width: each swatch, its label and a gap.
const LEGEND_W: f64 = 480.0;

fn legend(out: &mut String, ly: f64) {
    out.push_str(r##"<g class="legend" font-size="11" fill="#566573">"##);
    let mut x = MARGIN;
    for (style, label) in LEGEND {
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{:.1}" width="16" height="9" {style}/><text x="{:.1}" y="{ly:.1}">{label}</text>"#,
            ly - 9.0,
            x + 20.0
        );
        x += 20.0 + text_width(label, 11.0) + 24.0;
    }
    out.push_str("</g>\n");
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::statistics_svg;
    use crate::runtime::{By, Counts, Statistics, StatsRow, Sums, Totals};

    fn row(key: &str, decided: i64, on_time: i64, used: i64, promised: i64) -> StatsRow {
        let counts = Counts { decided, on_time, ..Counts::default() };
        let sums = Sums { used, promised, ..Sums::default() };
        StatsRow::new(key.to_string(), &Totals { counts, sums }, 0)
    }

    /// The picture parses as XML and labels every department and month,
    /// a name with markup characters escaped, a row without decisions too.
    #[test]
    fn the_chart_parses_and_labels_each_department_and_month() {
        let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).expect("a date");
        let depts = ["住建局", "自然资源和规划局", "规划&建设<局>", "消防"];
        let period =
            |by, rows| Statistics { from: day(1, 1), to: day(3, 31), by, region: String::new(), rows };
        let by_dept = period(
            By::Dept,
            vec![
                row(depts[0], 10, 9, 30, 50),
                row(depts[1], 4, 4, 8, 20),
                row(depts[2], 3, 1, 40, 15),
                row(depts[3], 0, 0, 0, 0),
            ],
        );
        let months = ["2025-01", "2025-02", "2025-03"];
        let by_month = period(
            By::Month,
            vec![row(months[0], 5, 5, 10, 25), row(months[1], 0, 0, 0, 0), row(months[2], 12, 9, 70, 60)],
        );
        let svg = statistics_svg(&by_dept, &by_month);
        let doc = roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
        let labels: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text") && n.attribute("class") == Some("key"))
            .filter_map(|n| n.text())
            .collect();
        for key in depts.iter().chain(&months) {
            assert!(labels.contains(key), "`{key}` is labelled: {labels:?}");
        }
        assert_eq!(doc.descendants().filter(|n| n.attribute("class") == Some("on-time")).count(), 4 + 1 + 2);
        assert!(svg.contains("90.0%") && svg.contains("效能统计 2025-01-01 至 2025-03-31"));
    }
}
