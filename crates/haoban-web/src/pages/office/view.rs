//! Cases as the back-office pages show them: names from the catalog in the page's
//! language, ID numbers masked, deadlines as the API computes them, and the process record
//! in words.

use chrono::DateTime;
use haoban_cases::record::Entry;
use haoban_cases::{
    Case, CaseStatus, Deadline, DeadlineState, Delivery, EventKind, MaterialCheck, Role,
};
use haoban_catalog::Catalog;

use super::msgs::OfficeMsgs;
use crate::AppState;
use crate::api::cases::case_deadline;
use crate::pages::Lang;

/// Statuses that wait on the back office: accepted (with or without deficiency), in
/// review, waiting for a supplement, approved and waiting for a delivery choice.
pub const WAITING: [CaseStatus; 5] = [
    CaseStatus::Accepted,
    CaseStatus::AcceptedWithDeficiency,
    CaseStatus::InReview,
    CaseStatus::SupplementRequested,
    CaseStatus::Approved,
];

pub const DELIVERIES: [Delivery; 4] = [
    Delivery::Window,
    Delivery::Cabinet,
    Delivery::Post,
    Delivery::ELicence,
];

/// How a form names a delivery: as the API does (`e_licence`).
pub fn delivery_code(delivery: Delivery) -> String {
    serde_json::to_value(delivery)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn date(day: chrono::NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// A deadline in words: the date and a mark that says it (the colour only repeats it).
pub struct DeadlineView {
    pub due: String,
    pub mark: &'static str,
    /// `on-track`, `due-soon` or `overdue`, for the stylesheet.
    pub class: &'static str,
    pub paused: bool,
    /// How long the clock has stood still for supplements, if at all.
    pub suspended: Option<String>,
}

impl DeadlineView {
    fn new(o: &OfficeMsgs, deadline: &Deadline) -> DeadlineView {
        DeadlineView {
            due: date(deadline.due),
            mark: o.deadline_state(deadline.state),
            class: match deadline.state {
                DeadlineState::OnTrack => "on-track",
                DeadlineState::DueSoon => "due-soon",
                DeadlineState::Overdue => "overdue",
            },
            paused: deadline.paused,
            suspended: (deadline.suspended_days > 0).then(|| {
                o.suspended_days
                    .replace("{}", &deadline.suspended_days.to_string())
            }),
        }
    }
}

fn item_name(catalog: &Catalog, id: &str, lang: Lang) -> String {
    catalog
        .item(id)
        .map_or_else(|| id.to_owned(), |i| i.name.get(lang.locale()).to_owned())
}

fn material_name(catalog: &Catalog, id: &str, lang: Lang) -> String {
    catalog
        .material(id)
        .map_or_else(|| id.to_owned(), |m| m.name.get(lang.locale()).to_owned())
}

/// One line of the work list.
pub struct Row {
    pub number: String,
    pub item: String,
    pub applicant: String,
    pub id_number: String,
    pub status: &'static str,
    pub deadline: Option<DeadlineView>,
}

/// The work list: earliest deadline first, cases without one last, then by number.
pub fn rows(state: &AppState, lang: Lang, cases: &[Case]) -> Vec<Row> {
    let o = OfficeMsgs::of(lang);
    let mut judged: Vec<(&Case, Option<Deadline>)> = cases
        .iter()
        .map(|case| (case, case_deadline(state, case)))
        .collect();
    judged.sort_by(|(a, da), (b, db)| {
        let due = |d: &Option<Deadline>| d.as_ref().map(|d| d.due);
        match (due(da), due(db)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then_with(|| a.number.as_ref().cmp(b.number.as_ref()))
    });
    judged
        .into_iter()
        .map(|(case, deadline)| Row {
            number: case.number.to_string(),
            item: item_name(&state.catalog, &case.item, lang),
            applicant: case.applicant.name.clone(),
            id_number: o.id_number(&case.applicant.id_number),
            status: o.status(lang, case.status),
            deadline: deadline.as_ref().map(|d| DeadlineView::new(o, d)),
        })
        .collect()
}

pub struct MaterialRow {
    pub id: String,
    pub name: String,
    pub conditional: bool,
    pub check: &'static str,
    /// `received`, `missing`, `e-licence` or `unchecked`.
    pub class: &'static str,
}

pub struct DeficiencyView {
    pub materials: String,
    pub promise: String,
    pub due: String,
    pub fulfilled_on: Option<String>,
}

pub struct SupplementRow {
    pub request: String,
    pub from: String,
    pub due: String,
    pub until: Option<String>,
    /// Still awaited after its due date.
    pub late: bool,
}

/// One case, everything the review page shows about it.
pub struct CaseView {
    pub number: String,
    pub item: String,
    pub item_id: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub applicant: String,
    pub id_number: String,
    pub channel: &'static str,
    pub promised: String,
    pub accepted_on: Option<String>,
    pub clerk: Option<String>,
    pub deadline: Option<DeadlineView>,
    pub decided_on: Option<String>,
    pub reason: Option<String>,
    pub legal_basis: Option<String>,
    pub delivery: Option<&'static str>,
    pub materials: Vec<MaterialRow>,
    pub deficiency: Option<DeficiencyView>,
    pub supplements: Vec<SupplementRow>,
}

impl CaseView {
    pub fn new(state: &AppState, lang: Lang, case: &Case) -> CaseView {
        let o = OfficeMsgs::of(lang);
        let catalog = &state.catalog;
        let today = state.clock.today_in(catalog.time_zone);
        let check = |id: &str| case.materials.iter().find(|m| m.material == id);
        let materials = case
            .required_materials
            .iter()
            .map(|id| (id, false))
            .chain(case.conditional_materials.iter().map(|id| (id, true)))
            .map(|(id, conditional)| {
                let (check, class) = match check(id) {
                    Some(m) => (
                        o.material_state(m.state),
                        match m.state {
                            haoban_cases::MaterialState::Received => "received",
                            haoban_cases::MaterialState::Missing => "missing",
                            haoban_cases::MaterialState::ELicence => "e-licence",
                        },
                    ),
                    None => (o.unchecked, "unchecked"),
                };
                MaterialRow {
                    id: id.clone(),
                    name: material_name(catalog, id, lang),
                    conditional,
                    check,
                    class,
                }
            })
            .collect();
        CaseView {
            number: case.number.to_string(),
            item: item_name(catalog, &case.item, lang),
            item_id: case.item.clone(),
            status: o.status(lang, case.status),
            status_code: case.status.as_str(),
            applicant: case.applicant.name.clone(),
            id_number: o.id_number(&case.applicant.id_number),
            channel: o.channel(case.channel),
            promised: if case.promised_days == 0 {
                o.instant.to_owned()
            } else {
                o.working_days
                    .replace("{}", &case.promised_days.to_string())
            },
            accepted_on: case.accepted_on.map(date),
            clerk: case.clerk.clone(),
            deadline: case_deadline(state, case).map(|d| DeadlineView::new(o, &d)),
            decided_on: case.decided_on.map(date),
            reason: case.reason.clone(),
            legal_basis: case.legal_basis.clone(),
            delivery: case.delivery.map(|d| o.delivery(d)),
            materials,
            deficiency: case.deficiency.as_ref().map(|d| DeficiencyView {
                materials: d
                    .materials
                    .iter()
                    .map(|id| material_name(catalog, id, lang))
                    .collect::<Vec<_>>()
                    .join(o.list_sep),
                promise: d.promise.clone(),
                due: date(d.due),
                fulfilled_on: d.fulfilled_on.map(date),
            }),
            supplements: case
                .suspensions
                .iter()
                .map(|s| SupplementRow {
                    request: s.request.clone(),
                    from: date(s.from),
                    due: date(s.due),
                    until: s.until.map(date),
                    late: s.until.is_none() && s.due < today,
                })
                .collect(),
        }
    }
}

/// One entry of the process record, in words.
pub struct RecordLine {
    pub seq: u64,
    pub time: String,
    pub actor: String,
    pub role: String,
    pub event: String,
    pub detail: String,
}

pub fn record_lines(state: &AppState, lang: Lang, entries: &[Entry]) -> Vec<RecordLine> {
    let o = OfficeMsgs::of(lang);
    let catalog = &state.catalog;
    let checks = |materials: &[MaterialCheck]| -> String {
        materials
            .iter()
            .map(|m| {
                format!(
                    "{}{}{}",
                    material_name(catalog, &m.material, lang),
                    o.colon,
                    o.material_state(m.state)
                )
            })
            .collect::<Vec<_>>()
            .join(o.list_sep)
    };
    entries
        .iter()
        .map(|entry| {
            let kind = serde_json::from_str::<EventKind>(&entry.payload).ok();
            let detail = match &kind {
                Some(EventKind::Submitted { channel, .. }) => o.channel(*channel).to_owned(),
                Some(
                    EventKind::MaterialsChecked { materials }
                    | EventKind::Accepted { materials, .. },
                ) => checks(materials),
                Some(EventKind::AcceptedWithDeficiency {
                    materials,
                    promise,
                    due,
                    ..
                }) => format!(
                    "{}; {}{}{promise}; {}{}{due}",
                    checks(materials),
                    o.promise,
                    o.colon,
                    o.due_by,
                    o.colon
                ),
                Some(EventKind::NotAccepted {
                    reason,
                    legal_basis,
                }) => format!("{reason} ({legal_basis})"),
                Some(EventKind::SupplementRequested { request, due, .. }) => {
                    format!("{request}; {}{}{due}", o.due_by, o.colon)
                }
                Some(EventKind::SupplementProvided { note, .. }) => note.clone(),
                Some(EventKind::Approved { note, .. }) => note.clone(),
                Some(EventKind::Denied { reason, .. } | EventKind::Withdrawn { reason }) => {
                    reason.clone()
                }
                Some(EventKind::Ready { delivery }) => o.delivery(*delivery).to_owned(),
                Some(EventKind::NoteAdded { text }) => text.clone(),
                Some(EventKind::PersonalDataViewed { what }) => what.clone(),
                Some(
                    EventKind::ReviewStarted
                    | EventKind::DeficiencyFulfilled { .. }
                    | EventKind::Delivered { .. }
                    | EventKind::Closed,
                )
                | None => String::new(),
            };
            let time = DateTime::parse_from_rfc3339(&entry.at).map_or_else(
                |_| entry.at.clone(),
                |at| {
                    at.with_timezone(&catalog.time_zone)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                },
            );
            RecordLine {
                seq: entry.seq,
                time,
                actor: entry.actor.clone(),
                role: Role::parse(&entry.role)
                    .map_or_else(|| entry.role.clone(), |r| lang.msgs().role(r).to_owned()),
                event: match &kind {
                    Some(kind) => o.event(kind).to_owned(),
                    None => o
                        .self_service_event(&entry.kind)
                        .map_or_else(|| entry.kind.clone(), str::to_owned),
                },
                detail: if kind.is_none() {
                    self_service_detail(&entry.payload)
                } else {
                    detail
                },
            }
        })
        .collect()
}

/// What a self-service step was about: the file's name, or the compartment.
fn self_service_detail(payload: &str) -> String {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(payload) else {
        return String::new();
    };
    if let Some(name) = value.get("name").and_then(|n| n.as_str()) {
        return name.to_owned();
    }
    match value.get("compartment") {
        Some(c) => format!(
            "{}-{:02}",
            c.get("cabinet").and_then(|v| v.as_str()).unwrap_or(""),
            c.get("number").and_then(|v| v.as_u64()).unwrap_or(0)
        ),
        None => String::new(),
    }
}
