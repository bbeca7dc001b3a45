//! `haoban scan` (免申即享) run as an operator runs it: the JSON on standard output, the
//! `--out` file, bad rows on standard error, exit codes, and `--offer` into an SQLite
//! database, read back through the store.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use haoban_cases::{CenterId, IdNumber, check_character};
use haoban_store::Store;
use haoban_store::offers::OfferStatus;
use haoban_store_sqlite::SqliteStore;
use serde_json::{Value, json};
use support::{audit_verify, root, run, text};

fn sample() -> PathBuf {
    root().join("catalog/shanghai")
}

/// A valid ID number born on `born` (YYYYMMDD), sequence `n`.
fn id_number(born: &str, n: u32) -> String {
    let body = format!("310101{born}{n:03}");
    format!("{body}{}", check_character(body.as_bytes()) as char)
}

const ITEMS: &str = "senior-card-application,elderly-comprehensive-allowance";

/// Six residents whose statuses on 2026-11-27 are worked out by hand (elderly allowance:
/// 65 and over with Shanghai hukou; senior card: 60 and over):
/// 1. Shanghai, 76: both eligible.
/// 2. Shanghai, 63: senior card only.
/// 3. elsewhere, 76: neither.
/// 4. Shanghai, birth date unknown: both unknown.
/// 5. hukou unknown, 36: neither (too young whatever the hukou).
/// 6. hukou unknown, 86: both unknown.
fn residents() -> Vec<String> {
    vec![
        id_number("19500301", 1),
        id_number("19630501", 2),
        id_number("19500301", 3),
        id_number("19700101", 4),
        id_number("19900101", 5),
        id_number("19400101", 6),
    ]
}

fn population(dir: &Path) -> PathBuf {
    let ids = residents();
    let csv = format!(
        "id,hukou,birth_date,receives_pension\r\n\
         {},shanghai,1950-03-01,true\r\n\
         {},\"shanghai\",1963-05-01,false\r\n\
         {},other,1950-03-01,\r\n\
         {},shanghai,,1\r\n\
         {},,1990-01-01,0\r\n\
         {},,1940-01-01,\r\n",
        ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]
    );
    write(dir, "population.csv", &csv)
}

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write");
    path
}

fn scan(args: &[&str]) -> Output {
    let mut all = vec!["scan"];
    all.extend_from_slice(args);
    run(&all, "")
}

fn json_of(out: &Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "one JSON object: {stdout}");
    serde_json::from_str(&stdout).expect("JSON")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn counts_and_writes_who_qualifies_for_what() {
    let dir = tempfile::tempdir().expect("tempdir");
    let population = population(dir.path());
    let out_file = dir.path().join("out.csv");
    let catalog = sample();
    let out = scan(&[
        "--catalog",
        path(&catalog),
        "--population",
        path(&population),
        "--items",
        ITEMS,
        "--on",
        "2026-11-27",
        "--out",
        path(&out_file),
    ]);
    assert_eq!(
        json_of(&out),
        json!({
            "residents": 6,
            "bad_rows": 0,
            "items": {
                "elderly-comprehensive-allowance": {"eligible": 1, "unknown": 2},
                "senior-card-application": {"eligible": 2, "unknown": 2},
            }
        })
    );
    // Items in catalog order, as the JSON has them (not the order --items gave).
    let stdout = text(&out.stdout);
    assert!(stdout.find("elderly").expect("elderly") < stdout.find("senior").expect("senior"));
    let ids = residents();
    let (first, second, fourth, sixth) = (&ids[0], &ids[1], &ids[3], &ids[5]);
    let expected = format!(
        "id,item,status\n\
         {first},elderly-comprehensive-allowance,eligible\n\
         {first},senior-card-application,eligible\n\
         {second},senior-card-application,eligible\n\
         {fourth},elderly-comprehensive-allowance,unknown\n\
         {fourth},senior-card-application,unknown\n\
         {sixth},elderly-comprehensive-allowance,unknown\n\
         {sixth},senior-card-application,unknown\n"
    );
    assert_eq!(std::fs::read_to_string(&out_file).expect("--out"), expected);
}

#[test]
fn scans_every_proactive_item_by_default_and_times_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    let population = population(dir.path());
    let catalog = sample();
    // No --on: today from the clock.
    let result = json_of(&scan(&[
        "--catalog",
        path(&catalog),
        "--population",
        path(&population),
        "--timings",
    ]));
    let items: Vec<&str> = result["items"]
        .as_object()
        .expect("items")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        items,
        [
            "conscript-family-allowance",
            "disabled-living-subsidy",
            "elderly-comprehensive-allowance",
            "one-child-parent-retirement-reward",
            "rural-family-planning-reward",
            "senior-card-application",
            "severe-disability-care-subsidy",
        ]
    );
    let timings = result["timings"].as_object().expect("timings");
    let keys: Vec<&str> = timings.keys().map(String::as_str).collect();
    assert_eq!(keys, ["load_s", "eval_s"]);
    assert!(
        timings
            .values()
            .all(|v| v.as_f64().is_some_and(|s| s >= 0.0))
    );
}

#[test]
fn reads_the_registry_from_standard_input() {
    let catalog = sample();
    let out = run(
        &[
            "scan",
            "--catalog",
            path(&catalog),
            "--population",
            "-",
            "--items",
            "senior-card-application",
            "--on",
            "2026-11-27",
        ],
        "id,birth_date,hukou\na,1950-03-01,shanghai\nb,1950-03-01,bad\n",
    );
    let result = json_of(&out);
    assert_eq!(result["items"]["senior-card-application"]["eligible"], 1);
    assert_eq!(
        text(&out.stderr).trim(),
        "standard input:3: column `hukou`: \"bad\" is not one of its values (shanghai, other)"
    );
}

#[test]
fn refuses_items_that_are_not_proactive_or_not_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let population = population(dir.path());
    let catalog = sample();
    for (items, says) in [
        (
            "senior-card-application,pension-transfer",
            "`pension-transfer` is not a proactive item",
        ),
        (
            "no-such-item",
            "`no-such-item` is not an item of this catalog",
        ),
    ] {
        let out = scan(&[
            "--catalog",
            path(&catalog),
            "--population",
            path(&population),
            "--items",
            items,
        ]);
        assert_eq!(out.status.code(), Some(2), "{items}");
        assert!(text(&out.stderr).contains(says), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), "");
    }
}

#[test]
fn a_bad_header_stops_before_any_row_and_names_the_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let catalog = sample();
    for (csv, says) in [
        (
            "id,hukou,pension\nx,shanghai,1\n",
            "column `pension` is not a declared fact",
        ),
        ("id,age\nx,70\n", "column `age` is a derived fact"),
        ("hukou\nshanghai\n", "the header has no `id` column"),
        ("", "the population is empty"),
    ] {
        let file = write(dir.path(), "bad.csv", csv);
        let out = scan(&["--catalog", path(&catalog), "--population", path(&file)]);
        assert_eq!(out.status.code(), Some(2), "{csv}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(says), "{stderr}");
        assert!(!stderr.contains(":2:"), "no row was read: {stderr}");
        assert_eq!(text(&out.stdout), "");
    }
    let missing = dir.path().join("missing.csv");
    let out = scan(&["--catalog", path(&catalog), "--population", path(&missing)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot read"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn bad_rows_go_to_stderr_by_line_and_the_rest_is_scanned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let catalog = sample();
    let csv = "id,hukou,birth_date\n\
               a,shanghai,1950-03-01\n\
               b,beijing,1950-03-01\n\
               \"c\nd\",shanghai,1950-02-30\n\
               e,shanghai\n\
               f,shanghai,1950-03-01\n";
    let file = write(dir.path(), "rows.csv", csv);
    let out = scan(&[
        "--catalog",
        path(&catalog),
        "--population",
        path(&file),
        "--items",
        "senior-card-application",
        "--on",
        "2026-11-27",
    ]);
    let result = json_of(&out);
    assert_eq!(result["residents"], 2);
    assert_eq!(result["bad_rows"], 3);
    assert_eq!(result["items"]["senior-card-application"]["eligible"], 2);
    let stderr = text(&out.stderr);
    let name = path(&file);
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        [
            format!(
                "{name}:3: column `hukou`: \"beijing\" is not one of its values (shanghai, other)"
            ),
            format!(
                "{name}:4: column `birth_date`: \"1950-02-30\" is not a date written YYYY-MM-DD"
            ),
            format!("{name}:6: the row has 2 cells, the header 3"),
        ]
    );
}

async fn offers_of(db: &Path, id: &str) -> Vec<(String, OfferStatus, String)> {
    let store = SqliteStore::open(db, binary_keys(db)).await.expect("open");
    let center = CenterId::parse("linfen").expect("center");
    let id = IdNumber::parse(id).expect("id");
    store
        .offers_for(&center, &id)
        .await
        .expect("offers")
        .into_iter()
        .map(|o| (o.item, o.status, o.facts))
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn offers_go_to_the_database_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("haoban.db");
    let rt = runtime();
    rt.block_on(async {
        SqliteStore::open(&db, binary_keys(&db))
            .await
            .expect("create the database")
    });
    let population = population(dir.path());
    let catalog = sample();
    let offer = || {
        scan(&[
            "--catalog",
            path(&catalog),
            "--population",
            path(&population),
            "--items",
            ITEMS,
            "--on",
            "2026-11-27",
            "--offer",
            "--center",
            "linfen",
            "--db",
            path(&db),
        ])
    };
    let first = json_of(&offer());
    assert_eq!(first["offers"], json!({"made": 3, "already_offered": 0}));
    let again = json_of(&offer());
    assert_eq!(again["offers"], json!({"made": 0, "already_offered": 3}));
    assert_eq!(again["items"], first["items"]);

    let ids = residents();
    let facts = r#"{"hukou":"shanghai","birth_date":"1950-03-01"}"#.to_owned();
    assert_eq!(
        rt.block_on(offers_of(&db, &ids[0])),
        [
            (
                "elderly-comprehensive-allowance".to_owned(),
                OfferStatus::Open,
                facts.clone()
            ),
            (
                "senior-card-application".to_owned(),
                OfferStatus::Open,
                facts
            ),
        ]
    );
    assert_eq!(rt.block_on(offers_of(&db, &ids[1])).len(), 1);
    // Unknown is not eligible: no offer.
    assert_eq!(rt.block_on(offers_of(&db, &ids[3])), []);

    // One entry of the record per run, and the record still proves itself.
    let verified = audit_verify(&db);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        text(&verified.stderr)
    );
    let chain = rt.block_on(async {
        let store = SqliteStore::open(&db, binary_keys(&db))
            .await
            .expect("open");
        store.chain("linfen").await.expect("chain")
    });
    let kinds: Vec<&str> = chain.entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["offers_made", "offers_made"]);
    let payload: Value = serde_json::from_str(&chain.entries[0].payload).expect("payload");
    assert_eq!(payload["made"], 3);
    assert_eq!(
        payload["items"],
        json!(["elderly-comprehensive-allowance", "senior-card-application"])
    );
    assert_eq!(payload["sha256"].as_str().map(str::len), Some(64));
}

#[test]
fn offers_need_id_numbers_a_center_and_a_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("haoban.db");
    let rt = runtime();
    rt.block_on(async {
        SqliteStore::open(&db, binary_keys(&db))
            .await
            .expect("create the database")
    });
    let catalog = sample();
    let good = id_number("19500301", 7);
    let file = write(
        dir.path(),
        "ids.csv",
        &format!(
            "id,hukou,birth_date\n{good},shanghai,1950-03-01\n110105194912310021,shanghai,1950-03-01\n"
        ),
    );
    let common = [
        "--catalog",
        path(&catalog),
        "--population",
        path(&file),
        "--items",
        "senior-card-application",
        "--on",
        "2026-11-27",
    ];
    let with = |extra: &[&str]| {
        let mut args = common.to_vec();
        args.extend_from_slice(extra);
        scan(&args)
    };
    let out = with(&["--offer", "--center", "linfen", "--db", path(&db)]);
    let result = json_of(&out);
    assert_eq!(result["bad_rows"], 1);
    assert_eq!(result["offers"]["made"], 1);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(":3: id \"110105194912310021\": ID number's check digit is wrong"),
        "{stderr}"
    );
    // Without --offer any id will do.
    assert_eq!(json_of(&with(&[]))["bad_rows"], 0);

    let no_center = with(&["--offer", "--db", path(&db)]);
    assert_eq!(no_center.status.code(), Some(2));
    assert!(
        text(&no_center.stderr).contains("--center"),
        "{}",
        text(&no_center.stderr)
    );
    let bad_center = with(&["--offer", "--center", "Linfen!", "--db", path(&db)]);
    assert_eq!(bad_center.status.code(), Some(2));
    let missing = dir.path().join("missing.db");
    let no_db = with(&["--offer", "--center", "linfen", "--db", path(&missing)]);
    assert_eq!(no_db.status.code(), Some(1), "{}", text(&no_db.stderr));
    assert!(
        text(&no_db.stderr).contains("not found"),
        "{}",
        text(&no_db.stderr)
    );
    assert_eq!(text(&no_db.stdout), "");
    assert!(!missing.exists(), "no empty database is created");
}

/// The data keys the binary runs with in these tests (`support::data_key_file`).
fn binary_keys(_db: &std::path::Path) -> std::sync::Arc<haoban_store::vault::Vault> {
    let file = support::data_key_file();
    let (vault, _) = haoban_store::vault::load_key_file(&file, false).expect("data keys");
    std::sync::Arc::new(vault)
}
