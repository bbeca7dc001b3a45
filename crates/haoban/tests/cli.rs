//! The command line of spec §4, run as a user runs it: exit codes, what goes to stdout
//! and what to stderr.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture() -> PathBuf {
    root().join("crates/haoban-catalog/tests/fixtures/basic")
}

fn sample() -> PathBuf {
    root().join("catalog/shanghai")
}

fn haoban(args: &[&str]) -> Output {
    haoban_with_stdin(args, "")
}

fn haoban_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_haoban"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("haoban runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("haoban finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("utf-8 output")
}

fn facts_file(json: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(json.as_bytes()).expect("write facts");
    file
}

#[test]
fn catalog_check_passes_the_sample_catalog() {
    let out = haoban(&["catalog", "check", sample().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("ok: "), "{stdout}");
}

#[test]
fn catalog_check_lists_each_problem_as_file_line_col_and_exits_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    for entry in [
        "catalog.toml",
        "facts.toml",
        "materials.toml",
        "categories.toml",
    ] {
        std::fs::copy(fixture().join(entry), dir.path().join(entry)).expect("copy");
    }
    std::fs::create_dir(dir.path().join("items")).expect("mkdir");
    std::fs::write(
        dir.path().join("items/a.toml"),
        "name = { zh = \"甲\" }\ncategory = \"social-assistance\"\ndepartment = { zh = \"区民政局\" }\neligable = 'age > 1'\npromised_days = 1\nvalue_points = 1\nchannels = [\"window\"]\nmaterials = [{ id = \"id-card\", when = 'agee > 1' }]\n",
    )
    .expect("write item");
    let out = haoban(&["catalog", "check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    let stderr = text(&out.stderr);
    let item = dir.path().join("items/a.toml");
    let item = item.display();
    assert!(
        stderr.contains(&format!("{item}:4:1: unknown key `eligable`")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{item}:8:40: unknown fact `agee`")),
        "{stderr}"
    );
}

#[test]
fn catalog_check_of_a_missing_directory_fails() {
    let out = haoban(&["catalog", "check", "/nonexistent/catalog"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("/nonexistent/catalog:1:1: not a catalog directory"));
}

#[test]
fn prereview_json_is_exactly_one_object() {
    let facts = facts_file(r#"{"birth_date": "1950-03-01", "hukou": "shanghai"}"#);
    let out = haoban(&[
        "prereview",
        "--catalog",
        fixture().to_str().unwrap(),
        "--facts",
        facts.path().to_str().unwrap(),
        "--items",
        "elderly-allowance,consult",
        "--on",
        "2026-11-27",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let value: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON value");
    assert_eq!(
        value,
        serde_json::json!({
            "on": "2026-11-27",
            "items": [
                {"id": "consult", "status": "eligible", "failed": [], "needs": []},
                {"id": "elderly-allowance", "status": "eligible", "failed": [], "needs": []}
            ],
            "checklist": [
                {"material": "id-card", "copies": 1, "for": ["elderly-allowance"], "conditional": false, "needs": []},
                {"material": "bank-card", "copies": 1, "for": ["elderly-allowance"], "conditional": true, "needs": ["payment"]}
            ],
            "questions": ["payment"]
        })
    );
}

#[test]
fn prereview_reads_facts_from_stdin_and_defaults_to_today_and_all_items() {
    let out = haoban_with_stdin(
        &[
            "prereview",
            "--catalog",
            fixture().to_str().unwrap(),
            "--facts",
            "-",
            "--json",
        ],
        "{}",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(value["items"].as_array().map(Vec::len), Some(3));
    let on = value["on"].as_str().expect("on");
    #[allow(clippy::disallowed_methods)] // the test compares with the real date the binary used
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let yesterday = today.pred_opt().expect("date");
    assert!(
        on == today.to_string() || on == yesterday.to_string(),
        "{on} is not today in Shanghai"
    );
}

#[test]
fn prereview_bad_input_exits_2_with_nothing_on_stdout() {
    let good = facts_file("{}");
    let good = good.path().to_str().unwrap().to_owned();
    let invalid_json = facts_file("{\"hukou\": ");
    let undeclared = facts_file(r#"{"shoe_size": 42}"#);
    let wrong_type = facts_file(r#"{"members": 2.0}"#);
    let derived = facts_file(r#"{"age": null}"#);
    let catalog = fixture();
    let catalog = catalog.to_str().unwrap();
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            "unreadable file",
            vec!["--facts", "/nonexistent.json"],
            "cannot read",
        ),
        (
            "invalid JSON",
            vec!["--facts", invalid_json.path().to_str().unwrap()],
            "not valid JSON",
        ),
        (
            "undeclared fact",
            vec!["--facts", undeclared.path().to_str().unwrap()],
            "shoe_size",
        ),
        (
            "wrong type",
            vec!["--facts", wrong_type.path().to_str().unwrap()],
            "members",
        ),
        (
            "derived fact",
            vec!["--facts", derived.path().to_str().unwrap()],
            "age",
        ),
        (
            "unknown item",
            vec!["--facts", &good, "--items", "consult,ghost"],
            "ghost",
        ),
        (
            "unknown bundle",
            vec!["--facts", &good, "--bundle", "ghost"],
            "ghost",
        ),
        (
            "two selections",
            vec!["--facts", &good, "--all", "--bundle", "elderly"],
            "cannot be used with",
        ),
        (
            "bad date",
            vec!["--facts", &good, "--on", "2026-02-30"],
            "--on",
        ),
    ];
    for (name, extra, expected) in cases {
        let mut args = vec!["prereview", "--catalog", catalog, "--json"];
        args.extend(extra);
        let out = haoban(&args);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), "", "{name}");
        assert!(
            text(&out.stderr).contains(expected),
            "{name}: {}",
            text(&out.stderr)
        );
    }
    let out = haoban(&["prereview", "--catalog", "/nonexistent", "--facts", &good]);
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(2), String::new())
    );
}

#[test]
fn prereview_notice_is_chinese_by_default_and_english_on_request() {
    let facts =
        facts_file(r#"{"birth_date": "1950-03-01", "hukou": "shanghai", "payment": "bank"}"#);
    let args = |lang: Option<&str>| {
        let mut args = vec![
            "prereview".to_owned(),
            "--catalog".to_owned(),
            fixture().display().to_string(),
            "--facts".to_owned(),
            facts.path().display().to_string(),
            "--on".to_owned(),
            "2026-11-27".to_owned(),
        ];
        if let Some(lang) = lang {
            args.extend(["--lang".to_owned(), lang.to_owned()]);
        }
        args
    };
    let version = haoban_catalog::Catalog::load(&fixture())
        .expect("fixture")
        .version;
    for (name, lang) in [("notice_zh", None), ("notice_en", Some("en"))] {
        let args = args(lang);
        let out = haoban(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let notice = text(&out.stdout).replace(&version[..12], "[version]");
        insta::assert_snapshot!(name, notice);
    }
}

#[test]
fn calendar_deadline_counts_working_days() {
    let catalog = fixture();
    let catalog = catalog.to_str().unwrap();
    let deadline = |from: &str, days: &str| {
        haoban(&[
            "calendar",
            "deadline",
            "--catalog",
            catalog,
            "--from",
            from,
            "--days",
            days,
        ])
    };
    let out = deadline("2026-09-30", "3");
    assert_eq!(
        (text(&out.stdout), text(&out.stderr)),
        ("2026-10-10\n".to_owned(), String::new())
    );
    assert_eq!(text(&deadline("2026-10-03", "0").stdout), "2026-10-03\n");
    assert_eq!(text(&deadline("2026-10-09", "1").stdout), "2026-10-10\n");
    let out = deadline("2027-06-30", "2");
    assert_eq!(text(&out.stdout), "2027-07-02\n");
    assert!(
        text(&out.stderr).contains("warning: no calendar for 2027"),
        "{}",
        text(&out.stderr)
    );
    for (from, days) in [
        ("2026-9-30", "3"),
        ("2026-09-30", "-1"),
        ("2026-09-30", "x"),
    ] {
        let out = deadline(from, days);
        assert_eq!(
            (out.status.code(), text(&out.stdout)),
            (Some(2), String::new()),
            "{from} {days}"
        );
    }
}

#[test]
fn calendar_deadline_follows_the_official_2026_calendar() {
    let catalog = sample();
    let out = haoban(&[
        "calendar",
        "deadline",
        "--catalog",
        catalog.to_str().unwrap(),
        "--from",
        "2026-09-28",
        "--days",
        "5",
    ]);
    // 9-29, 9-30, then the National Day holiday to 10-07, then 10-08, 10-09, 10-10 (a make-up Saturday).
    assert_eq!(text(&out.stdout), "2026-10-10\n");
}

#[test]
fn catalog_show_prints_the_service_guide() {
    let catalog = fixture();
    let catalog = catalog.to_str().unwrap();
    let zh = haoban(&["catalog", "show", "elderly-allowance", "--catalog", catalog]);
    assert_eq!(zh.status.code(), Some(0), "{}", text(&zh.stderr));
    let zh = text(&zh.stdout);
    for expected in [
        "老年综合津贴申领",
        "区民政局",
        "20 个工作日",
        "居民身份证",
        "可用电子证照",
        "payment == \"bank\"",
        "老年人一件事",
    ] {
        assert!(zh.contains(expected), "{expected} missing in\n{zh}");
    }
    let en = text(
        &haoban(&[
            "catalog",
            "show",
            "elderly-allowance",
            "--catalog",
            catalog,
            "--lang",
            "en",
        ])
        .stdout,
    );
    for expected in [
        "Elderly comprehensive allowance",
        "20 working days",
        "Resident identity card",
        "Growing older",
    ] {
        assert!(en.contains(expected), "{expected} missing in\n{en}");
    }
    let json = haoban(&["catalog", "show", "consult", "--catalog", catalog, "--json"]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json guide");
    assert_eq!(value["promised_days"], 0);
    let missing = haoban(&["catalog", "show", "ghost", "--catalog", catalog]);
    assert_eq!(
        (missing.status.code(), text(&missing.stdout)),
        (Some(2), String::new())
    );
}
