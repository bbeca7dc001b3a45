//! The fixture month of `common/november.rs`, whose table gives every expected figure:
//! each dimension, the normalization, the days-on-duty adjustment and the ranking.

mod common;

use common::november::{c, config, d, items, november};
use common::{Record, date};
use haoban_cases::Role;
use haoban_catalog::Calendar;
use haoban_insight::{Config, DaysSource, Month, MonthlyList, Weights};
use rust_decimal::Decimal;
use serde_json::json;

fn compute(record: &Record, config: &Config) -> MonthlyList {
    MonthlyList::compute(
        "linfen",
        &record.entries,
        &items(),
        &Calendar::default(),
        Month::parse("2026-11").expect("month"),
        config,
    )
    .expect("list")
}

fn scores(list: &MonthlyList, staff: &str) -> [Option<Decimal>; 6] {
    let row = list.row(staff).expect(staff);
    [
        Some(row.quantity),
        row.efficiency,
        Some(row.value),
        row.evaluation,
        row.quality,
        Some(row.total),
    ]
}

#[test]
fn the_fixture_month_comes_out_as_worked_by_hand() {
    let (record, s) = november();
    let list = compute(&record, &config());
    assert_eq!(list.through_seq, s.last_of_november);
    assert_eq!(list.working_days, 21);
    assert!(list.warnings.is_empty(), "{:?}", list.warnings);
    let order: Vec<(&str, u32)> = list
        .rows
        .iter()
        .map(|r| (r.staff.as_str(), r.rank))
        .collect();
    assert_eq!(order, [("wang", 1), ("li", 2), ("zhao", 3), ("chen", 4)]);

    let some = |x: &str| Some(d(x));
    assert_eq!(
        scores(&list, "li"),
        [
            some("100.00"),
            some("58.75"),
            some("68.75"),
            some("91.43"),
            some("75.00"),
            some("78.79")
        ]
    );
    assert_eq!(
        scores(&list, "wang"),
        [
            some("83.33"),
            some("67.50"),
            some("100.00"),
            some("100.00"),
            some("100.00"),
            some("90.17")
        ]
    );
    assert_eq!(
        scores(&list, "zhao"),
        [
            some("55.56"),
            None,
            some("0.00"),
            None,
            some("100.00"),
            some("51.85")
        ]
    );
    assert_eq!(
        scores(&list, "chen"),
        [
            some("40.00"),
            some("100.00"),
            some("25.00"),
            some("57.14"),
            some("0.00"),
            some("44.43")
        ]
    );

    assert_eq!(list.scale.quantity, some("31.5"));
    assert_eq!(list.scale.efficiency, some("1"));
    assert_eq!(list.scale.value, some("42"));
    assert_eq!(list.scale.evaluation, some("3.5"));
    assert_eq!(list.scale.quality, some("66.6667"));
}

#[test]
fn each_figure_opens_down_to_its_events() {
    let (record, s) = november();
    let list = compute(&record, &config());

    let li = &list.row("li").expect("li").figures;
    assert_eq!(li.quantity.accepted.seqs, s.li_accepted);
    assert_eq!(li.quantity.tickets.seqs, s.li_tickets);
    assert_eq!(
        (
            li.quantity.not_accepted.count,
            li.quantity.decided.count,
            li.quantity.total
        ),
        (0, 0, 6)
    );
    assert_eq!(li.quantity.adjusted, d("31.5"));
    let handled: Vec<(String, u64, u32, u64, bool, Decimal)> = li
        .efficiency
        .cases
        .iter()
        .map(|c| {
            (
                c.case.clone(),
                c.working_days,
                c.promised_days,
                c.suspended_days,
                c.on_time,
                c.time_saved,
            )
        })
        .collect();
    assert_eq!(
        handled,
        [
            (c(1), 5, 5, 0, true, d("0")),
            (c(4), 0, 0, 0, true, d("1")),
            (c(3), 3, 10, 0, true, d("0.7")),
            (c(2), 6, 5, 3, false, d("0")),
        ]
    );
    assert_eq!(li.efficiency.cases[0].accepted_on, date(10, 28));
    assert_eq!(
        (
            li.efficiency.on_time_rate,
            li.efficiency.time_saved,
            li.efficiency.basis
        ),
        (Some(d("0.75")), Some(d("0.425")), Some(d("0.5875")))
    );
    assert_eq!(
        li.value.cases.iter().map(|c| c.seq).collect::<Vec<_>>(),
        s.li_accepted
    );
    assert_eq!(
        (li.value.points, li.value.adjusted),
        (d("5.5"), d("28.875"))
    );
    let e = &li.evaluation;
    assert_eq!(
        (
            e.count,
            e.level_sum,
            e.mean_level,
            e.good,
            e.good_rate,
            e.basis
        ),
        (4, 16, Some(d("4")), 3, Some(d("0.75")), Some(d("3.2")))
    );
    assert_eq!(e.unresolved.len(), 1);
    assert_eq!(
        (
            e.unresolved[0].follow_up.as_str(),
            e.unresolved[0].opened_seq
        ),
        ("f1", s.f1_opened)
    );
    assert_eq!(li.quality.supplements.seqs, [s.li_supplement]);
    assert_eq!(
        (li.quality.faults, li.quality.work, li.quality.basis),
        (1, 6, Some(d("16.6667")))
    );

    let wang = &list.row("wang").expect("wang").figures;
    assert_eq!(wang.quantity.accepted.seqs, s.wang_accepted);
    assert_eq!(wang.quantity.not_accepted.seqs, [s.wang_refused]);
    assert_eq!(wang.quantity.tickets.seqs, [s.wang_ticket]);
    assert_eq!(wang.quantity.adjusted, d("26.25"));
    assert_eq!(wang.efficiency.basis, Some(d("0.675")));
    assert_eq!((wang.value.points, wang.value.adjusted), (d("8"), d("42")));
    assert_eq!(
        (
            wang.evaluation.count,
            wang.evaluation.level_sum,
            wang.evaluation.good
        ),
        (4, 14, 3)
    );
    assert!(
        wang.evaluation
            .ratings
            .iter()
            .any(|r| r.defaulted && r.level == 5)
    );
    assert!(
        wang.evaluation.unresolved.is_empty(),
        "the dismissed appeal resolves f2"
    );
    assert_eq!(wang.quality.basis, Some(d("0")));

    let zhao = &list.row("zhao").expect("zhao").figures;
    assert_eq!(zhao.quantity.decided.seqs, s.zhao_decided);
    assert_eq!(zhao.quantity.adjusted, d("17.5"));
    assert_eq!(zhao.efficiency.basis, None);
    assert_eq!(zhao.evaluation.basis, None);

    let chen = list.row("chen").expect("chen");
    assert_eq!(chen.figures.quality.supplements.seqs, [s.chen_supplement]);
    assert_eq!(chen.figures.quality.upheld_complaints.seqs, [s.chen_upheld]);
    assert_eq!(chen.figures.quality.basis, Some(d("66.6667")));
    assert_eq!(
        chen.figures.evaluation.unresolved[0].appeal_seq,
        Some(s.chen_upheld)
    );
    assert_eq!(chen.figures.evaluation.basis, Some(d("2")));
    assert!(list.row("sup").is_none() && list.row("system").is_none());
}

#[test]
fn days_on_duty_come_from_the_record_unless_overridden() {
    let (record, _) = november();
    let list = compute(&record, &config());
    let days = |list: &MonthlyList, staff: &str| {
        let row = list.row(staff).expect(staff);
        let dates: Vec<u32> = row
            .days_on_duty
            .record
            .iter()
            .map(|d| chrono::Datelike::day(&d.date))
            .collect();
        (row.days_on_duty.days, row.days_on_duty.source, dates)
    };
    assert_eq!(days(&list, "li"), (4, DaysSource::Record, vec![2, 3, 5, 9]));
    assert_eq!(
        days(&list, "wang"),
        (4, DaysSource::Record, vec![9, 10, 11, 30])
    );
    assert_eq!(days(&list, "zhao").0, 6);
    assert_eq!(days(&list, "chen"), (5, DaysSource::Override, vec![18, 19]));

    // Without the override chen's 2 days make Q' = 3×21/2 = 31.5, level with li's best, and
    // V' = 2.5×21/2 = 26.25: quantity 100.00, value 62.50, total (100+100+62.5+57.14+0)/5.
    let list = compute(&record, &Config::default());
    let chen = list.row("chen").expect("chen");
    assert_eq!(
        (chen.figures.quantity.adjusted, chen.quantity),
        (d("31.5"), d("100.00"))
    );
    assert_eq!(
        (chen.figures.value.adjusted, chen.value),
        (d("26.25"), d("62.50"))
    );
    assert_eq!(chen.total, d("63.93"));
}

#[test]
fn weights_change_the_total_not_the_scores() {
    let (record, _) = november();
    let mut config = config();
    config.weights = Weights {
        quantity: d("2"),
        efficiency: d("0"),
        value: d("1"),
        evaluation: d("1"),
        quality: d("1"),
    };
    let list = compute(&record, &config);
    // li: (2×100 + 68.75 + 91.43 + 75) / 5 = 435.18/5 = 87.036; zhao: (2×55.56 + 0 + 100)/4.
    assert_eq!(list.row("li").expect("li").total, d("87.04"));
    assert_eq!(list.row("li").expect("li").efficiency, Some(d("58.75")));
    assert_eq!(list.row("zhao").expect("zhao").total, d("52.78"));
    assert_eq!(list.weights, config.weights);
}

#[test]
fn equal_totals_share_a_rank() {
    let mut r = Record::default();
    // a and b: a ticket on each of 2 days; c: one ticket in 1 day, as many per day.
    for (clerk, day, number) in [
        ("a", 2, "A001"),
        ("a", 3, "A002"),
        ("b", 2, "A003"),
        ("b", 3, "A004"),
        ("c", 2, "A005"),
    ] {
        r.ticket(date(11, day), clerk, number, "finish");
    }
    let list = compute(&r, &Config::default());
    let ranks: Vec<(&str, u32)> = list
        .rows
        .iter()
        .map(|r| (r.staff.as_str(), r.rank))
        .collect();
    assert_eq!(ranks, [("a", 1), ("b", 1), ("c", 1)]);
    // c's second ticket the same day: Q' = 42 against 21.
    r.ticket(date(11, 2), "c", "A006", "finish");
    let list = compute(&r, &Config::default());
    let ranks: Vec<(&str, u32)> = list
        .rows
        .iter()
        .map(|r| (r.staff.as_str(), r.rank))
        .collect();
    assert_eq!(ranks, [("c", 1), ("a", 2), ("b", 2)]);
    assert_eq!(list.row("a").expect("a").total, d("50.00"));
}

#[test]
fn a_later_record_does_not_change_a_past_month_and_the_json_round_trips() {
    let (mut record, _) = november();
    let before = compute(&record, &config());
    record.at_hour(2);
    record.rate(date(12, 2), "li", 1);
    record.accept(date(12, 2), "chen", &c(9));
    let after = compute(&record, &config());
    assert_eq!(before, after);
    let text = serde_json::to_string(&before).expect("json");
    let back: MonthlyList = serde_json::from_str(&text).expect("back");
    assert_eq!(back, before);
    assert_eq!(serde_json::to_string(&back).expect("json"), text);
    let value: serde_json::Value = serde_json::from_str(&text).expect("value");
    assert_eq!(value["rows"][0]["staff"], "wang");
    assert_eq!(value["rows"][0]["quantity"], "83.33");
    assert_eq!(value["rows"][0]["total"], "90.17");
    assert_eq!(value["rows"][0]["rank"], 1);
    assert_eq!(value["month"], "2026-11");
}

#[test]
fn a_record_it_cannot_read_is_an_error_naming_the_event() {
    let (mut record, _) = november();
    record.feedback(
        date(11, 20),
        "x",
        Role::Resident,
        "rating_given",
        json!({"level": 9, "staff": "li"}),
    );
    let seq = record.entries.len() as u64;
    let err = MonthlyList::compute(
        "linfen",
        &record.entries,
        &items(),
        &Calendar::default(),
        Month::parse("2026-11").expect("month"),
        &Config::default(),
    )
    .expect_err("level 9");
    assert_eq!(
        err.to_string(),
        format!("event #{seq}: rating level 9 is not 1 to 5")
    );
    let mut config = Config::default();
    config.weights.quantity = d("-1");
    assert!(
        MonthlyList::compute(
            "linfen",
            &[],
            &items(),
            &Calendar::default(),
            Month::parse("2026-11").expect("month"),
            &config
        )
        .is_err()
    );
}
