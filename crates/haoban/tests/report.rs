//! `haoban report monthly` end to end: a month of work recorded through the store (cases,
//! a ticket, ratings through the feedback store), then the binary's JSON, table, XLSX
//! (opened by LibreOffice), saving, the stored month and bad arguments.
//!
//! October 2026 in the test catalog: 18 working days (National Day off, Sat 10th worked).
//!
//! | member | work                                        | Q  | d | Q'  | E                 | V, V'     | R          | F  |
//! |--------|---------------------------------------------|----|---|-----|-------------------|-----------|------------|----|
//! | li     | accepts allowance Mon 12th, serves A001     | 2  | 1 | 36  | 4 of 20 wd: .9    | 2, 36     | 5 → 5      | 0  |
//! | wang   | consult (instant) 13th, allowance 14th     | 2  | 2 | 18  | instant: 1        | 2.5, 22.5 | 2, unresolved → 1 | 1 supplement/2 = 50 |
//! | zhao   | review, supplement, approves li's 16th      | 1  | 2 | 9   | —                 | 0, 0      | —          | 0  |
//!
//! Scores: li 100, 90, 100, 100, 100 → 98.00 (1); wang 50, 100, 62.50, 20, 0 → 46.50 (2);
//! zhao 25, —, 0, —, 100 → 41.67 (3).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{NaiveDate, TimeZone, Utc};
use haoban_cases::{
    Applicant, Case, CenterId, Channel, Command as CaseCommand, Context, IdNumber, ItemTerms,
    MaterialCheck, MaterialState, Role, decide, submit,
};
use haoban_catalog::Calendar;
use haoban_feedback::{Channel as RatingChannel, FeedbackConfig, Level, Rating, Target};
use haoban_hall::{AgingRule, Priority, QueueCommand, Window};
use haoban_store::{By, NewTicket, Store};
use haoban_store_sqlite::SqliteStore;
use serde_json::Value;
use support::{fixture_catalog, run, text};

fn oct(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, day).expect("date")
}

fn ctx(actor: &str, role: Role, day: NaiveDate) -> Context {
    Context {
        actor: actor.into(),
        role,
        center: CenterId::parse("linfen").expect("center"),
        now: day.and_hms_opt(2, 0, 0).expect("time").and_utc(),
        today: day,
    }
}

async fn act(store: &dyn Store, case: &Case, ctx: &Context, command: CaseCommand) -> Case {
    let events = decide(ctx, case, command, false).expect("allowed");
    store
        .record(&case.number, Some(case.version), events)
        .await
        .expect("record")
}

async fn accepted(store: &dyn Store, clerk: &str, day: NaiveDate, item: &str) -> Case {
    let (days, materials) = match item {
        "consult" => (0, Vec::new()),
        _ => (20, vec!["id-card".to_owned()]),
    };
    let terms = ItemTerms {
        id: item.into(),
        catalog_version: "test".into(),
        promised_days: days,
        required_materials: materials.clone(),
        conditional_materials: Vec::new(),
    };
    let applicant = Applicant {
        id_number: IdNumber::parse("11010519491231002X").expect("id").into(),
        name: "王阿姨".into(),
    };
    let clerk = ctx(clerk, Role::Clerk, day);
    let submitted = submit(&clerk, applicant, Channel::Window, &terms).expect("submit");
    let case = store.open_case(day, submitted).await.expect("open");
    let materials = materials
        .into_iter()
        .map(|material| MaterialCheck {
            material,
            state: MaterialState::Received,
        })
        .collect();
    act(store, &case, &clerk, CaseCommand::Accept { materials }).await
}

async fn rate(store: &dyn Store, case: &Case, staff: &str, level: u8) {
    let at = Utc
        .with_ymd_and_hms(2026, 10, 20, 2, 0, 0)
        .single()
        .expect("time");
    let rating = Rating {
        center: case.center.clone(),
        target: Target::Case {
            case: case.number.clone(),
        },
        level: Level::new(level).expect("level"),
        channel: Some(RatingChannel::Portal),
        staff: staff.into(),
        rater: "resident:1101**********002X".into(),
        at,
        on: oct(20),
    };
    let rated = haoban_feedback::rate(rating, &FeedbackConfig::default(), &Calendar::default())
        .expect("rated");
    store.rate(&rated, None).await.expect("rate");
}

/// The month of the table above, in a new SQLite file.
fn october(dir: &Path) -> PathBuf {
    let path = dir.join("haoban.db");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let store = SqliteStore::open(&path, binary_keys(&path))
            .await
            .expect("store");
        let store: &dyn Store = &store;
        let li_case = accepted(store, "li", oct(12), "elderly-allowance").await;
        let by = |actor: &str, role| By {
            actor: actor.into(),
            role,
            at: oct(12).and_hms_opt(1, 30, 0).expect("time").and_utc(),
        };
        let new = NewTicket {
            center: CenterId::parse("linfen").expect("center"),
            category: 'A',
            priority: Priority::Normal,
            items: vec!["elderly-allowance".into()],
            carried: None,
            rule: AgingRule::default(),
        };
        let center = new.center.clone();
        store
            .issue_ticket(oct(12), new, by("desk", Role::Desk))
            .await
            .expect("issue");
        let window = Window::any("1");
        let ticket = store
            .call_next(
                oct(12),
                &center,
                &window,
                &AgingRule::default(),
                by("li", Role::Clerk),
            )
            .await
            .expect("call")
            .expect("a ticket");
        store
            .serve_ticket(
                oct(12),
                &center,
                &ticket.number,
                "1",
                &QueueCommand::Finish,
                by("li", Role::Clerk),
            )
            .await
            .expect("finish");

        let consult = accepted(store, "wang", oct(13), "consult").await;
        let wang_case = accepted(store, "wang", oct(14), "elderly-allowance").await;
        let office = |day| ctx("zhao", Role::Office, day);
        let wang_case = act(
            store,
            &wang_case,
            &office(oct(15)),
            CaseCommand::StartReview,
        )
        .await;
        act(
            store,
            &wang_case,
            &office(oct(15)),
            CaseCommand::RequestSupplement {
                request: "户口本".into(),
                due: oct(22),
            },
        )
        .await;
        let li_case = act(store, &li_case, &office(oct(16)), CaseCommand::StartReview).await;
        act(
            store,
            &li_case,
            &office(oct(16)),
            CaseCommand::Approve { note: None },
        )
        .await;

        rate(store, &li_case, "li", 5).await;
        rate(store, &consult, "wang", 2).await;
    });
    path
}

fn report_of(db: &Path, month: &str, extra: &[&str]) -> std::process::Output {
    let db = db.to_str().expect("utf-8");
    let catalog = fixture_catalog();
    let mut args = vec![
        "report",
        "monthly",
        "--db",
        db,
        "--catalog",
        catalog.to_str().expect("utf-8"),
        "--center",
        "linfen",
        "--month",
        month,
    ];
    args.extend_from_slice(extra);
    run(&args, "")
}

fn report(db: &Path, extra: &[&str]) -> std::process::Output {
    report_of(db, "2026-10", extra)
}

fn json(db: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["--json"];
    args.extend_from_slice(extra);
    let out = report(db, &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn line(list: &Value, staff: &str) -> Vec<Value> {
    let row = list["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["staff"] == staff)
        .unwrap_or_else(|| panic!("{staff} in {list}"));
    [
        "rank",
        "total",
        "quantity",
        "efficiency",
        "value",
        "evaluation",
        "quality",
    ]
    .iter()
    .map(|k| row[*k].clone())
    .collect()
}

#[test]
fn the_month_as_json_table_and_workbook_then_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = october(dir.path());

    let list = json(&db, &[]);
    assert_eq!(list["source"]["kind"], "computed");
    assert_eq!(list["source"]["complete"], true);
    let s = |t: &str| Value::from(t);
    assert_eq!(
        line(&list, "li"),
        [
            Value::from(1),
            s("98.00"),
            s("100.00"),
            s("90.00"),
            s("100.00"),
            s("100.00"),
            s("100.00")
        ]
    );
    assert_eq!(
        line(&list, "wang"),
        [
            Value::from(2),
            s("46.50"),
            s("50.00"),
            s("100.00"),
            s("62.50"),
            s("20.00"),
            s("0.00")
        ]
    );
    assert_eq!(
        line(&list, "zhao"),
        [
            Value::from(3),
            s("41.67"),
            s("25.00"),
            Value::Null,
            s("0.00"),
            Value::Null,
            s("100.00")
        ]
    );
    let wang = &list["rows"][1];
    assert_eq!(wang["figures"]["quality"]["supplements"]["count"], 1);
    assert_eq!(
        wang["figures"]["evaluation"]["unresolved"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(wang["figures"]["value"]["adjusted"], "22.5000");
    assert_eq!(wang["days_on_duty"]["days"], 2);
    let li = &list["rows"][0];
    assert_eq!(li["figures"]["quantity"]["tickets"]["count"], 1);
    assert_eq!(li["figures"]["efficiency"]["cases"][0]["working_days"], 4);
    assert_eq!(list["rows"].as_array().map(Vec::len), Some(3));

    let table = report(&db, &[]);
    assert_eq!(table.status.code(), Some(0), "{}", text(&table.stderr));
    let table = text(&table.stdout);
    assert!(
        table.contains("月度绩效榜") && table.contains("根据过程记录计算"),
        "{table}"
    );
    assert!(
        table.contains("工作质量") && table.contains("98.00"),
        "{table}"
    );
    let english = text(&report(&db, &["--lang", "en"]).stdout);
    assert!(
        english.contains("Monthly performance list")
            && english.contains("computed from the process record"),
        "{english}"
    );

    let xlsx = dir.path().join("october.xlsx");
    let out = report(&db, &["--xlsx", xlsx.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = libreoffice_csv(&xlsx, dir.path());
    for expected in [
        r#""名次","人员","总分","工作数量","工作效率","工作价值量","服务评价","工作质量","在岗天数""#,
        r#"1,"li",98.00,100.00,90.00,100.00,100.00,100.00,1"#,
        r#"2,"wang",46.50,50.00,100.00,62.50,20.00,0.00,2"#,
        r#"3,"zhao",41.67,25.00,"—",0.00,"—",100.00,2"#,
    ] {
        assert!(csv.lines().any(|l| l == expected), "{expected} in\n{csv}");
    }

    // Stored once, then shown as stored; computed again it matches.
    let out = report(&db, &["--save"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stored = json(&db, &[]);
    assert_eq!(stored["source"]["kind"], "stored");
    assert_eq!(stored["rows"], list["rows"]);
    let again = json(&db, &["--recompute"]);
    assert_eq!(again["source"]["recomputed_matches"], true);
    let out = report(&db, &["--save"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--recompute"),
        "{}",
        text(&out.stderr)
    );
}

/// The first sheet as CSV, through LibreOffice as a person opening the file would.
fn libreoffice_csv(xlsx: &Path, dir: &Path) -> String {
    let out_dir = dir.join("csv");
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("lo-profile").display()
    );
    let status = Command::new("libreoffice")
        // Comma-separated, quoted with ", UTF-8 (76), from the first line.
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
        ])
        .arg(&out_dir)
        .arg(xlsx)
        .output()
        .expect("libreoffice is installed (the XLSX export is checked by opening it)");
    assert!(status.status.success(), "{}", text(&status.stderr));
    let csv = out_dir.join(xlsx.with_extension("csv").file_name().expect("name"));
    std::fs::read_to_string(&csv).unwrap_or_else(|e| panic!("{}: {e}", csv.display()))
}

#[test]
fn bad_arguments_are_refused_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("none.db");
    let cases: [(&str, &[&str], &str); 6] = [
        ("2026-13", &[], "--month"),
        ("2026-10", &["--weights", "1,2"], "--weights"),
        (
            "2026-10",
            &["--weights", "0,0,0,0,0"],
            "every weight is zero",
        ),
        ("2026-10", &["--days-on-duty", "li"], "--days-on-duty"),
        ("2999-01", &["--save"], "not over"),
        (
            "2026-10",
            &["--json", "--xlsx", "x.xlsx"],
            "cannot be used with",
        ),
    ];
    for (month, extra, says) in cases {
        let out = report_of(&missing, month, extra);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{extra:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains(says),
            "{extra:?}: {}",
            text(&out.stderr)
        );
    }
    let out = run(
        &[
            "report",
            "monthly",
            "--center",
            "Bad Center",
            "--month",
            "2026-10",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--center"),
        "{}",
        text(&out.stderr)
    );
    let out = report(&missing, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("none.db"),
        "{}",
        text(&out.stderr)
    );
}

/// The data keys the binary runs with in these tests (`support::data_key_file`).
fn binary_keys(_db: &std::path::Path) -> std::sync::Arc<haoban_store::vault::Vault> {
    let file = support::data_key_file();
    let (vault, _) = haoban_store::vault::load_key_file(&file, false).expect("data keys");
    std::sync::Arc::new(vault)
}
