//! Whatever the month holds, the list keeps its shape: scores and totals within 0–100, the
//! rank order that of the totals, ties sharing a rank, and the same list every time.

mod common;

use std::collections::BTreeMap;

use common::{Record, date};
use haoban_cases::{EventKind, Role};
use haoban_catalog::Calendar;
use haoban_insight::{Config, Dimension, Month, MonthlyList, Weights};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

const STAFF: [&str; 4] = ["an", "bo", "cy", "du"];

#[derive(Debug, Clone)]
enum Op {
    Ticket {
        staff: usize,
        finish: bool,
    },
    Case {
        staff: usize,
        promised: u32,
        decide_after: Option<u32>,
        supplement: bool,
    },
    Refuse {
        staff: usize,
    },
    Rate {
        staff: usize,
        level: u8,
        follow_up: Option<Option<bool>>,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let staff = 0..STAFF.len();
    prop_oneof![
        (staff.clone(), any::<bool>()).prop_map(|(staff, finish)| Op::Ticket { staff, finish }),
        (
            staff.clone(),
            0..12u32,
            proptest::option::of(0..15u32),
            any::<bool>()
        )
            .prop_map(|(staff, promised, decide_after, supplement)| Op::Case {
                staff,
                promised,
                decide_after,
                supplement
            }),
        staff.clone().prop_map(|staff| Op::Refuse { staff }),
        (
            staff,
            1..=5u8,
            proptest::option::of(proptest::option::of(any::<bool>()))
        )
            .prop_map(|(staff, level, follow_up)| Op::Rate {
                staff,
                level,
                follow_up
            }),
    ]
}

fn record(ops: &[(Op, u32)]) -> Record {
    let mut r = Record::default();
    for (index, (op, day)) in ops.iter().enumerate() {
        let day = date(11, *day);
        let case = format!("linfen-20261101-{:04}", index + 1);
        match op {
            Op::Ticket { staff, finish } => {
                let number = format!("A{:03}", index + 1);
                r.ticket(
                    day,
                    STAFF[*staff],
                    &number,
                    if *finish { "finish" } else { "call" },
                );
            }
            Op::Case {
                staff,
                promised,
                decide_after,
                supplement,
            } => {
                let item = if *promised == 0 { "card" } else { "allowance" };
                r.submit(day, STAFF[*staff], &case, item, *promised);
                if *promised == 0 {
                    r.accept_instant(day, STAFF[*staff], &case);
                    continue;
                }
                r.accept(day, STAFF[*staff], &case);
                if *supplement {
                    r.case(
                        day,
                        "office",
                        Role::Office,
                        &case,
                        EventKind::SupplementRequested {
                            on: day,
                            request: "证明".into(),
                            due: day,
                        },
                    );
                    r.case(
                        day,
                        "office",
                        Role::Office,
                        &case,
                        EventKind::SupplementProvided {
                            on: day,
                            note: String::new(),
                        },
                    );
                }
                if let Some(after) = decide_after {
                    let on = day + chrono::Days::new(u64::from(*after));
                    r.decide(on, "office", Role::Office, &case, after % 3 != 0);
                }
            }
            Op::Refuse { staff } => {
                r.submit(day, STAFF[*staff], &case, "allowance", 5);
                r.case(
                    day,
                    STAFF[*staff],
                    Role::Clerk,
                    &case,
                    EventKind::NotAccepted {
                        reason: "材料不全".into(),
                        legal_basis: "—".into(),
                    },
                );
            }
            Op::Rate {
                staff,
                level,
                follow_up,
            } => {
                r.rate(day, STAFF[*staff], *level);
                if let Some(appeal) = follow_up {
                    let id = format!("f{index}");
                    r.feedback(day, "sup", Role::Supervisor, "follow_up_opened", json!({
                        "id": id, "target": {"kind": "visit", "day": day.to_string(), "ticket": "A001"},
                        "level": level, "staff": STAFF[*staff], "due": day.to_string(),
                    }));
                    if let Some(upheld) = appeal {
                        r.feedback(
                            day,
                            "sup",
                            Role::Supervisor,
                            "appeal_decided",
                            json!({"id": id, "upheld": upheld, "note": ""}),
                        );
                    }
                }
            }
        }
    }
    r
}

fn items() -> BTreeMap<String, Decimal> {
    [
        ("allowance".to_owned(), Decimal::TWO),
        ("card".to_owned(), Decimal::new(5, 1)),
    ]
    .into()
}

fn compute(r: &Record, config: &Config) -> MonthlyList {
    MonthlyList::compute(
        "linfen",
        &r.entries,
        &items(),
        &Calendar::default(),
        Month::parse("2026-11").expect("month"),
        config,
    )
    .expect("list")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn scores_stay_in_range_and_ranks_follow_totals(
        ops in proptest::collection::vec((op(), 1..=30u32), 0..40),
        weights in proptest::collection::vec(0..4i64, 5),
        override_days in proptest::option::of(1..25u32),
    ) {
        let mut config = Config::default();
        if weights.iter().any(|w| *w > 0) {
            config.weights = Weights {
                quantity: weights[0].into(), efficiency: weights[1].into(), value: weights[2].into(),
                evaluation: weights[3].into(), quality: weights[4].into(),
            };
        }
        if let Some(days) = override_days {
            config.days_on_duty.insert("an".into(), days);
        }
        let r = record(&ops);
        let list = compute(&r, &config);
        let hundred = Decimal::ONE_HUNDRED;
        for row in &list.rows {
            for dimension in Dimension::ALL {
                if let Some(score) = row.score(dimension) {
                    prop_assert!(score >= Decimal::ZERO && score <= hundred, "{row:?}");
                }
            }
            prop_assert!(row.total >= Decimal::ZERO && row.total <= hundred);
            let above = list.rows.iter().filter(|other| other.total > row.total).count() as u32;
            prop_assert_eq!(row.rank, above + 1);
        }
        for pair in list.rows.windows(2) {
            prop_assert!(pair[0].total > pair[1].total
                || (pair[0].total == pair[1].total && pair[0].staff < pair[1].staff));
        }
        prop_assert_eq!(&compute(&r, &config), &list);
        let back: MonthlyList = serde_json::from_str(&serde_json::to_string(&list).expect("json")).expect("back");
        prop_assert_eq!(back, list);
    }
}
