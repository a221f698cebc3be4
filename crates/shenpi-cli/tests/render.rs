//! `shenpi render` and `shenpi project render`: every format, files, exit codes.

mod common;

use std::path::PathBuf;

use common::{root, shenpi};

const FLOW: &str = "flows/zhejiang-industrial.yaml";

#[test]
fn every_format_draws_the_bundled_industrial_flow() {
    for (format, check) in [
        ("svg", "id=\"step-construction-permit\""),
        ("gantt-svg", "id=\"bar-construction-permit\""),
        ("mermaid", "flowchart LR"),
        ("dot", "digraph \"zhejiang-industrial\""),
    ] {
        let out = shenpi(&["render", FLOW, "--format", format, "--start", "2025-03-03"]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(check), "{format}");
        if format.ends_with("svg") {
            roxmltree::Document::parse(&text).unwrap();
        }
    }
}

#[test]
fn output_goes_to_a_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chart.svg");
    let out = shenpi(&["render", FLOW, "--format", "svg", "-o", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    roxmltree::Document::parse(&std::fs::read_to_string(&file).unwrap()).unwrap();
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn bad_input_exits_1_and_bad_usage_2() {
    let bad = shenpi(&["render", "tests/data/bad/cycle.yaml", "--format", "svg"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("error[E003]"));
    assert_eq!(shenpi(&["render", FLOW, "--format", "png"]).status.code(), Some(2));
    let unwritable = shenpi(&["render", FLOW, "--format", "svg", "-o", "/no/such/dir/chart.svg"]);
    assert_eq!(unwritable.status.code(), Some(2));
}

#[test]
fn a_live_project_renders_with_its_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let db = db.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["project", "--db", db];
        all.extend_from_slice(args);
        let out = shenpi(&all);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["new", FLOW, "--id", "p1", "--start", "2025-03-03"]);
    run(&["event", "p1", "filing", "accepted", "--date", "2025-03-03"]);
    run(&["event", "p1", "filing", "approved", "--date", "2025-03-03"]);
    run(&["event", "p1", "land-transfer", "accepted", "--date", "2025-03-04"]);
    run(&["event", "p1", "land-transfer", "approved", "--date", "2025-04-01"]);
    run(&["event", "p1", "land-planning", "accepted", "--date", "2025-04-02"]);
    run(&["event", "p1", "land-title", "accepted", "--date", "2025-04-02"]);
    let svg = run(&["render", "p1", "--date", "2025-04-15"]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let class = |id: &str| {
        doc.descendants()
            .find(|n| n.attribute("id") == Some(id))
            .and_then(|n| n.attribute("class"))
            .unwrap()
            .to_string()
    };
    assert!(class("bar-filing").contains("done"));
    // Accepted 2 April with 5 promised days: overdue on the 15th.
    assert!(class("bar-land-title").contains("active red"), "{}", class("bar-land-title"));
    // Its 5 days passed too, but the flow deems it approved then: the chart
    // shows what the engine owes, as done, though nothing was recorded.
    assert!(class("bar-land-planning").contains("done"), "{}", class("bar-land-planning"));
    assert!(class("bar-power").contains("planned"));
}

/// `-o` names a file to write, never one to replace by another kind of file.
#[cfg(unix)]
mod output_file {
    use std::fs;
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    use std::path::Path;

    use super::{FLOW, shenpi};

    fn render_to(path: &Path) -> std::process::Output {
        shenpi(&["render", FLOW, "--format", "mermaid", "-o", path.to_str().unwrap()])
    }

    fn run_tool(tool: &str, args: &[&str]) -> bool {
        std::process::Command::new(tool).args(args).status().is_ok_and(|s| s.success())
    }

    // As root, `-o /dev/null` used to leave /dev/null a regular file.
    #[test]
    fn a_device_is_written_through_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let node = dir.path().join("null");
        // A private copy of /dev/null where we may create device nodes (root); where we may not,
        // /dev/null itself cannot be replaced either, so it is safe to aim at.
        let device = if run_tool("mknod", &[node.to_str().unwrap(), "c", "1", "3"]) {
            node
        } else {
            Path::new("/dev/null").to_path_buf()
        };
        let out = render_to(&device);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(fs::metadata(&device).unwrap().file_type().is_char_device());
        assert!(fs::metadata("/dev/null").unwrap().file_type().is_char_device());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), usize::from(device.starts_with(dir.path())));
    }

    // A FIFO used to be replaced by a regular file, and its reader got nothing.
    #[test]
    fn a_fifo_reaches_its_reader() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("chart.fifo");
        assert!(run_tool("mkfifo", &[fifo.to_str().unwrap()]));
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
        };
        let out = render_to(&fifo);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        // shenpi opened the FIFO, so the reader has been let through and sees the end.
        assert!(reader.join().unwrap().starts_with("---\n"));
    }

    // A symlink used to be replaced by a plain file, its target untouched.
    #[test]
    fn a_symlink_is_followed_to_its_target() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("charts")).unwrap();
        let target = dir.path().join("charts/chart.mmd");
        fs::write(&target, "old").unwrap();
        let link = dir.path().join("chart.mmd");
        std::os::unix::fs::symlink("charts/chart.mmd", &link).unwrap();
        let dangling = dir.path().join("new.mmd");
        std::os::unix::fs::symlink("charts/new.mmd", &dangling).unwrap();
        for (link, target) in [(&link, &target), (&dangling, &dir.path().join("charts/new.mmd"))] {
            let out = render_to(link);
            assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
            assert!(fs::symlink_metadata(link).unwrap().file_type().is_symlink());
            assert!(fs::read_to_string(target).unwrap().contains("flowchart LR"));
        }
        assert_eq!(fs::read_dir(dir.path().join("charts")).unwrap().count(), 2);
    }

    // `chart.tmp~` beside `chart.mmd` was the temporary file: a user's own was overwritten and removed.
    #[test]
    fn a_users_tmp_file_beside_the_output_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mine = dir.path().join("chart.tmp~");
        fs::write(&mine, "my notes").unwrap();
        let chart = dir.path().join("chart.mmd");
        fs::write(&chart, "old").unwrap();
        fs::set_permissions(&chart, fs::Permissions::from_mode(0o640)).unwrap();
        let out = render_to(&chart);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(fs::read_to_string(&mine).unwrap(), "my notes");
        assert!(fs::read_to_string(&chart).unwrap().contains("flowchart LR"));
        // The replaced file keeps its permissions, and nothing else is left in the directory.
        assert_eq!(fs::metadata(&chart).unwrap().permissions().mode() & 0o777, 0o640);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_directory_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = render_to(dir.path());
        assert_eq!(out.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("directory"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(fs::metadata(dir.path()).unwrap().is_dir());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}

/// Where a `<text>` of an SVG reaches, left and right, at the usual estimate
/// of its width (a wide CJK character about 1.1 em, a narrow one 0.55 em).
fn text_extent(text: roxmltree::Node<'_, '_>) -> (f64, f64) {
    let inherited = |name: &str| text.ancestors().find_map(|n| n.attribute(name));
    let size: f64 = inherited("font-size").map_or(16.0, |s| s.parse().unwrap());
    let x: f64 = text.attribute("x").unwrap_or("0").parse().unwrap();
    let content = text.text().unwrap_or("");
    let width = unicode_width::UnicodeWidthStr::width(content) as f64 * size * 0.55;
    match inherited("text-anchor") {
        Some("end") => (x - width, x),
        Some("middle") => (x - width / 2.0, x + width / 2.0),
        _ => (x, x + width),
    }
}

/// Every label of a drawn Gantt chart inside the picture.
fn assert_labels_inside(svg: &str, what: &str) {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let width: f64 = doc.root_element().attribute("width").unwrap().parse().unwrap();
    let mut texts = 0;
    for t in doc.descendants().filter(|n| n.has_tag_name("text")) {
        let (left, right) = text_extent(t);
        assert!(
            left >= 0.0 && right <= width,
            "{what}: `{}` spans {left:.0}..{right:.0}, outside the picture's width {width}",
            t.text().unwrap_or("")
        );
        texts += 1;
    }
    assert!(texts > 10, "{what}: only {texts} labels");
}

#[test]
fn every_bundled_gantt_keeps_its_labels_inside_the_picture() {
    let flows: Vec<PathBuf> = std::fs::read_dir(root().join("flows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    assert!(flows.len() >= 8, "{flows:?}");
    for flow in &flows {
        // Starts that put a stage's end near the end of a month, and a new year's make-up days in view.
        for start in ["2025-03-03", "2025-09-15", "2025-12-22"] {
            let out = shenpi(&["render", flow.to_str().unwrap(), "--format", "gantt-svg", "--start", start]);
            assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
            assert_labels_inside(
                &String::from_utf8(out.stdout).unwrap(),
                &format!("{} {start}", flow.display()),
            );
        }
    }
}

#[test]
fn a_short_flow_keeps_its_last_stage_label_inside_and_explains_make_up_days() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("short.yaml");
    std::fs::write(
        &flow,
        "id: short\nname: 短流程\nbudget: 20\nstages:\n  - id: only\n    name: 施工许可阶段\n    budget: 20\n    steps:\n      - { id: a, name: 受理, promised: 1 }\n      - { id: b, name: 施工许可证核发, promised: 19 }\n",
    )
    .unwrap();
    // Ends on 2025-09-28 (a Sunday worked before the National Day holiday), near the month's end.
    let out = shenpi(&["render", flow.to_str().unwrap(), "--format", "gantt-svg", "--start", "2025-08-29"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let svg = String::from_utf8(out.stdout).unwrap();
    assert_labels_inside(&svg, "short flow");
    assert!(svg.contains("class=\"workday\""), "a make-up working day is drawn");
    let legend = svg.split("class=\"legend\"").nth(1).unwrap();
    assert!(legend.contains(">调休上班</text>"), "and the legend says what it is: {legend}");
}
