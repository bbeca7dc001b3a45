//! A fixture month (November 2026 at linfen, 21 working days, no holidays) with every
//! figure worked out by hand. Days are Shanghai days; events are at 10:00 unless noted.
//!
//! Items: allowance 2 points, pension 3, card 0.5 (instant). Promised days come from each
//! case's `submitted` event: allowance 5, pension 10, card 0.
//!
//! | case | item      | accepted by, on   | then                                              |
//! |------|-----------|-------------------|---------------------------------------------------|
//! | c1   | allowance | li, Wed Oct 28    | zhao approves Wed Nov 4: w=5 of 5, on time, saved 0|
//! | c2   | allowance | li, Mon Nov 2     | zhao: 补正 Wed Nov 4, back Mon Nov 9 (3 wd stopped),|
//! |      |           |                   | approves Fri Nov 13: w=9−3=6 of 5, due Nov 12: late|
//! | c3   | pension   | li, Tue Nov 3     | zhao approves Fri Nov 6: w=3 of 10, saved 0.7       |
//! | c4   | card      | li, Thu Nov 5     | instant: approved by li at once, w=0, saved 1       |
//! | c5   | allowance | wang 容缺, Mon Nov 9| zhao approves Wed Nov 11: w=2 of 5, saved 0.6      |
//! | c6   | pension   | wang, Tue Nov 10  | zhao denies Mon Nov 23: w=9 of 10, saved 0.1        |
//! | c7   | allowance | wang refuses Wed Nov 11                                                |
//! | c8   | pension   | wang, Mon Nov 30  | pending                                             |
//! | c9   | allowance | chen, Wed Nov 18  | zhao: 补正 Thu Nov 19                               |
//! | c10  | card      | chen, Thu Nov 19  | instant, saved 1                                    |
//! | c11  | pension   | wang, Dec 1 01:00 (Nov 30 17:00 UTC): after the month, not read          |
//!
//! Tickets: li finishes A001 (Nov 2); li calls A002 and never finishes it (counts); li calls
//! A003, a no-show (does not count); wang calls A001 (Nov 9) and transfers it, li calls and
//! finishes it (li's); wang finishes A002 (Nov 10); chen finishes A001 (Nov 18).
//! Ratings: li 5 5 4 2, the 2 opening follow-up f1, never fixed (unresolved); wang 5 3 1 and a
//! defaulted 5, the 1 opening f2, whose appeal is dismissed (resolved); chen 4, and f0 (a 1
//! from October) whose appeal is upheld on Nov 20 (unresolved, and a complaint upheld).
//! A rating naming nobody counts for nobody; the supervisor who opens follow-ups is on no list.
//!
//! | figure                      | li              | wang           | zhao        | chen (override 5) |
//! |-----------------------------|-----------------|----------------|-------------|-------------------|
//! | A + N + D + T = Q           | 3+0+0+3 = 6     | 3+1+0+1 = 5    | 0+0+5+0 = 5 | 2+0+0+1 = 3       |
//! | days on duty d              | 4 (2,3,5,9)     | 4 (9,10,11,30) | 6           | 5 (record: 2)     |
//! | Q' = Q×21/d                 | 31.5            | 26.25          | 17.5        | 12.6              |
//! | on-time, saved, E           | 3/4=.75, 1.7/4=.425, .5875 | 1, .35, .675 | —      | 1, 1, 1           |
//! | V, V' = V×21/d              | 5.5, 28.875     | 8, 42          | 0, 0        | 2.5, 10.5         |
//! | ratings, Σ, mean, good rate | 4, 16, 4, .75   | 4, 14, 3.5, .75| —           | 1, 4, 4, 1        |
//! | unresolved u, R = Σ/(n+u)   | 1, 3.2          | 0, 3.5         | —           | 1 (f0), 2         |
//! | S + C, F = 100(S+C)/Q       | 1+0, 16.6667    | 0, 0           | 0, 0        | 1+1, 66.6667      |
//! | quantity  100×Q'/31.5       | 100.00          | 83.33          | 55.56       | 40.00             |
//! | efficiency 100×E/1          | 58.75           | 67.50          | —           | 100.00            |
//! | value     100×V'/42         | 68.75           | 100.00         | 0.00        | 25.00             |
//! | evaluation 100×R/3.5        | 91.43           | 100.00         | —           | 57.14             |
//! | quality 100×(66.6667−F)/66.6667 | 75.00 (74.99996)| 100.00     | 100.00      | 0.00              |
//! | total (mean of scores had)  | 393.93/5=78.79  | 450.83/5=90.17 | 155.56/3=51.85 | 222.14/5=44.43 |
//! | rank                        | 2               | 1              | 3           | 4                 |

use std::collections::BTreeMap;
use std::str::FromStr;

use haoban_cases::{EventKind, Role};
use haoban_insight::Config;
use rust_decimal::Decimal;
use serde_json::json;

use super::{Record, date};

pub fn d(text: &str) -> Decimal {
    Decimal::from_str(text).expect("decimal")
}

pub fn items() -> BTreeMap<String, Decimal> {
    [("allowance", "2"), ("pension", "3"), ("card", "0.5")]
        .into_iter()
        .map(|(item, points)| (item.to_owned(), d(points)))
        .collect()
}

pub fn c(n: u32) -> String {
    format!("linfen-20261101-{n:04}")
}

/// The sequence numbers the expectations name.
#[derive(Default)]
pub struct Seqs {
    pub li_accepted: Vec<u64>,
    pub li_tickets: Vec<u64>,
    pub li_supplement: u64,
    pub wang_accepted: Vec<u64>,
    pub wang_refused: u64,
    pub wang_ticket: u64,
    pub zhao_decided: Vec<u64>,
    pub chen_supplement: u64,
    pub chen_upheld: u64,
    pub f1_opened: u64,
    pub last_of_november: u64,
}

pub fn november() -> (Record, Seqs) {
    let mut r = Record::default();
    let mut s = Seqs::default();
    let office = |r: &mut Record, day, case: &str, approve| {
        r.decide(day, "zhao", Role::Office, case, approve)
    };

    // October: c1 accepted by li; chen's 1 from a resident, its follow-up f0.
    r.submit(date(10, 28), "li", &c(1), "allowance", 5);
    r.accept(date(10, 28), "li", &c(1));
    r.rate(date(10, 30), "chen", 1);
    r.feedback(date(10, 30), "sup", Role::Supervisor, "follow_up_opened",
        json!({"id": "f0", "target": {"kind": "case", "case": c(1)}, "level": 1, "staff": "chen", "due": "2026-11-06"}));

    // Nov 2 (Mon): li accepts c2, serves A001.
    r.submit(date(11, 2), "li", &c(2), "allowance", 5);
    s.li_accepted.push(r.accept(date(11, 2), "li", &c(2)));
    r.ticket(date(11, 2), "li", "A001", "call");
    r.ticket(date(11, 2), "li", "A001", "start");
    s.li_tickets
        .push(r.ticket(date(11, 2), "li", "A001", "finish"));
    // Nov 3: c3; A002 called and never finished; A003 a no-show.
    r.submit(date(11, 3), "li", &c(3), "pension", 10);
    s.li_accepted.push(r.accept(date(11, 3), "li", &c(3)));
    s.li_tickets
        .push(r.ticket(date(11, 3), "li", "A002", "call"));
    r.ticket(date(11, 3), "li", "A003", "call");
    r.ticket(date(11, 3), "li", "A003", "no_show");
    // Nov 4: zhao approves c1 and asks a supplement on c2 (li's acceptance mistake).
    s.zhao_decided
        .push(office(&mut r, date(11, 4), &c(1), true));
    s.li_supplement = r.case(
        date(11, 4),
        "zhao",
        Role::Office,
        &c(2),
        EventKind::SupplementRequested {
            on: date(11, 4),
            request: "户口本".into(),
            due: date(11, 11),
        },
    );
    // Nov 5: li, an instant card.
    r.submit(date(11, 5), "li", &c(4), "card", 0);
    let (accepted, _approval_not_counted) = r.accept_instant(date(11, 5), "li", &c(4));
    s.li_accepted.push(accepted);
    // Nov 6: zhao approves c3; li's 5 5 4 2 and the follow-up of the 2.
    s.zhao_decided
        .push(office(&mut r, date(11, 6), &c(3), true));
    for level in [5, 5, 4, 2] {
        r.rate(date(11, 6), "li", level);
    }
    s.f1_opened = r.feedback(date(11, 6), "sup", Role::Supervisor, "follow_up_opened",
        json!({"id": "f1", "target": {"kind": "visit", "day": "2026-11-06", "ticket": "A009"}, "level": 2, "staff": "li", "due": "2026-11-13"}));
    // Nov 9: the supplement is in; wang accepts c5 with deficiency; A001 transferred to li.
    r.case(
        date(11, 9),
        "li",
        Role::Clerk,
        &c(2),
        EventKind::SupplementProvided {
            on: date(11, 9),
            note: String::new(),
        },
    );
    r.submit(date(11, 9), "wang", &c(5), "allowance", 5);
    s.wang_accepted.push(r.case(
        date(11, 9),
        "wang",
        Role::Clerk,
        &c(5),
        EventKind::AcceptedWithDeficiency {
            on: date(11, 9),
            materials: Vec::new(),
            promise: "后补".into(),
            due: date(11, 16),
        },
    ));
    r.ticket(date(11, 9), "wang", "A001", "call");
    r.ticket(date(11, 9), "wang", "A001", "transfer");
    r.ticket(date(11, 9), "li", "A001", "call");
    s.li_tickets
        .push(r.ticket(date(11, 9), "li", "A001", "finish"));
    // Nov 10: wang accepts c6 and serves A002.
    r.submit(date(11, 10), "wang", &c(6), "pension", 10);
    s.wang_accepted.push(r.accept(date(11, 10), "wang", &c(6)));
    r.ticket(date(11, 10), "wang", "A002", "call");
    s.wang_ticket = r.ticket(date(11, 10), "wang", "A002", "finish");
    // Nov 11: wang refuses c7; zhao approves c5.
    r.submit(date(11, 11), "wang", &c(7), "allowance", 5);
    s.wang_refused = r.case(
        date(11, 11),
        "wang",
        Role::Clerk,
        &c(7),
        EventKind::NotAccepted {
            reason: "材料不全".into(),
            legal_basis: "—".into(),
        },
    );
    s.zhao_decided
        .push(office(&mut r, date(11, 11), &c(5), true));
    // Nov 12: wang's ratings; the 1 opens f2, dismissed on appeal; a rating of nobody.
    for level in [5, 3, 1] {
        r.rate(date(11, 12), "wang", level);
    }
    r.feedback(
        date(11, 12),
        "system",
        Role::SystemAdmin,
        "rating_defaulted",
        json!({"target": {"kind": "case", "case": c(5)}, "level": 5, "staff": "wang"}),
    );
    r.feedback(date(11, 12), "11010519491231002X", Role::Resident, "rating_given",
        json!({"target": {"kind": "case", "case": c(9)}, "level": 1, "channel": "portal", "staff": null}));
    r.feedback(date(11, 12), "sup", Role::Supervisor, "follow_up_opened",
        json!({"id": "f2", "target": {"kind": "case", "case": c(6)}, "level": 1, "staff": "wang", "due": "2026-11-19"}));
    r.feedback(
        date(11, 16),
        "sup",
        Role::Supervisor,
        "appeal_decided",
        json!({"id": "f2", "upheld": false, "note": "评价与事实不符"}),
    );
    // Nov 13: c2 approved a day late.
    s.zhao_decided
        .push(office(&mut r, date(11, 13), &c(2), true));
    // Nov 18-20: chen.
    r.submit(date(11, 18), "chen", &c(9), "allowance", 5);
    let c9 = r.accept(date(11, 18), "chen", &c(9));
    r.ticket(date(11, 18), "chen", "A001", "call");
    let chen_ticket = r.ticket(date(11, 18), "chen", "A001", "finish");
    r.case(
        date(11, 19),
        "zhao",
        Role::Office,
        &c(9),
        EventKind::ReviewStarted,
    );
    s.chen_supplement = r.case(
        date(11, 19),
        "zhao",
        Role::Office,
        &c(9),
        EventKind::SupplementRequested {
            on: date(11, 19),
            request: "证明".into(),
            due: date(11, 26),
        },
    );
    r.submit(date(11, 19), "chen", &c(10), "card", 0);
    let (c10, _) = r.accept_instant(date(11, 19), "chen", &c(10));
    r.rate(date(11, 20), "chen", 4);
    s.chen_upheld = r.feedback(
        date(11, 20),
        "sup",
        Role::Supervisor,
        "appeal_decided",
        json!({"id": "f0", "upheld": true, "note": "态度问题属实"}),
    );
    // Nov 23: c6 denied (not a fault of wang's). Nov 30: wang accepts c8.
    s.zhao_decided
        .push(office(&mut r, date(11, 23), &c(6), false));
    r.submit(date(11, 30), "wang", &c(8), "pension", 10);
    s.wang_accepted.push(r.accept(date(11, 30), "wang", &c(8)));
    s.last_of_november = r.entries.len() as u64;
    // 01:00 on December 1 in Shanghai: after the month.
    r.at_hour(17);
    r.submit(date(11, 30), "wang", &c(11), "pension", 10);
    r.accept(date(11, 30), "wang", &c(11));
    let _ = (c9, c10, chen_ticket);
    (r, s)
}

pub fn config() -> Config {
    let mut config = Config::default();
    config.days_on_duty.insert("chen".into(), 5);
    config
}
