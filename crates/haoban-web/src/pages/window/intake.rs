//! Acceptance at the window: the item's checklist from the pre-review the ticket carried,
//! each material ticked received, missing or electronic licence, and the decision
//! (accept, 容缺 with the promise and the date, or not accept with the reason and the legal
//! basis). The case opens and is decided through the API's own paths; then the receipt.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use chrono::NaiveDate;
use haoban_cases::{Action, CaseStatus, Command, IdNumber, MaterialCheck, MaterialState};
use haoban_catalog::value::parse_date;
use haoban_catalog::{Applicant, Selection, Status};
use haoban_hall::Ticket;

use super::msgs::WindowMsgs;
use super::{Failed, console, forbidden, may_use_window};
use crate::AppState;
use crate::api::cases::{Opening, apply, case_deadline, open, reachable};
use crate::auth::Principal;
use crate::error::AppError;
use crate::pages::{Chrome, Lang, SignedIn, encode, error_page, posted_form, render, see_other};

const TEXT_MAX: usize = 500;

/// The acceptance form for the held ticket and one item.
pub(crate) struct IntakeView {
    pub(super) ticket: String,
    /// The items the ticket carries, then the rest of the catalog: (id, name).
    pub(super) choices: Vec<(String, String)>,
    pub(super) item: String,
    pub(super) promised_days: u32,
    pub(super) instant: bool,
    pub(super) not_eligible: Vec<String>,
    pub(super) questions: Vec<String>,
    pub(super) materials: Vec<MaterialRow>,
    pub(super) entered: Entered,
    pub(super) errors: Errors,
    /// A case already opened by an earlier post whose decision was refused.
    pub(super) case: String,
}

impl IntakeView {
    pub(crate) fn has_errors(&self) -> bool {
        self.errors.any()
    }
}

pub(crate) struct MaterialRow {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) copies: u32,
    pub(super) conditional: bool,
    /// `received`, `missing`, `e_licence` or empty.
    pub(super) state: String,
}

#[derive(Default)]
pub(super) struct Entered {
    pub(super) id_number: String,
    pub(super) name: String,
    pub(super) decision: String,
    pub(super) promise: String,
    pub(super) due: String,
    pub(super) reason: String,
    pub(super) legal_basis: String,
}

#[derive(Default)]
pub(super) struct Errors {
    pub(super) id_number: Option<String>,
    pub(super) name: Option<String>,
    pub(super) materials: Option<String>,
    pub(super) decision: Option<String>,
    pub(super) promise: Option<String>,
    pub(super) due: Option<String>,
    pub(super) reason: Option<String>,
    pub(super) legal_basis: Option<String>,
    pub(super) form: Option<String>,
}

impl Errors {
    fn any(&self) -> bool {
        [
            &self.id_number,
            &self.name,
            &self.materials,
            &self.decision,
            &self.promise,
            &self.due,
            &self.reason,
            &self.legal_basis,
            &self.form,
        ]
        .iter()
        .any(|e| e.is_some())
    }
}

fn carried_applicant(state: &AppState, ticket: &Ticket) -> Applicant {
    let facts = ticket
        .carried
        .as_ref()
        .and_then(|c| serde_json::to_string(&c.facts).ok())
        .unwrap_or_else(|| "{}".into());
    Applicant::from_json(&state.catalog, &facts)
        .unwrap_or_else(|_| Applicant::empty(&state.catalog))
}

/// The form for `item` (or the ticket's first item), as the pre-review it carried sees it.
pub(crate) fn intake_view(
    state: &AppState,
    lang: Lang,
    ticket: &Ticket,
    item: Option<&str>,
) -> Option<IntakeView> {
    let catalog = &state.catalog;
    let locale = lang.locale();
    let item = item
        .and_then(|id| catalog.item(id))
        .or_else(|| ticket.items.first().and_then(|id| catalog.item(id)))?;
    let mut choices: Vec<(String, String)> = ticket
        .items
        .iter()
        .filter_map(|id| catalog.item(id))
        .chain(catalog.items().filter(|i| !ticket.items.contains(&i.id)))
        .map(|i| (i.id.clone(), i.name.get(locale).to_owned()))
        .collect();
    choices.dedup_by(|a, b| a.0 == b.0);
    let selected = catalog
        .select(&Selection::Items(vec![item.id.clone()]))
        .ok()?;
    let today = state.clock.today_in(catalog.time_zone);
    let review = catalog.prereview(&carried_applicant(state, ticket), &selected, today);
    let result = review.items.first();
    let carried = ticket.carried.clone().unwrap_or_default();
    Some(IntakeView {
        ticket: ticket.number.to_string(),
        choices,
        item: item.id.clone(),
        promised_days: item.promised_days,
        instant: item.promised_days == 0,
        not_eligible: result
            .filter(|r| r.status == Status::Ineligible)
            .map(|r| r.failed.iter().map(|s| (*s).to_owned()).collect())
            .unwrap_or_default(),
        questions: review
            .questions
            .iter()
            .map(|id| {
                catalog
                    .fact(id)
                    .and_then(|f| f.label.as_ref())
                    .map_or_else(|| (*id).to_owned(), |l| l.get(locale).to_owned())
            })
            .collect(),
        materials: review
            .checklist
            .iter()
            .map(|entry| MaterialRow {
                id: entry.material.to_owned(),
                name: catalog.material(entry.material).map_or_else(
                    || entry.material.to_owned(),
                    |m| m.name.get(locale).to_owned(),
                ),
                copies: entry.copies,
                conditional: entry.conditional,
                state: String::new(),
            })
            .collect(),
        entered: Entered {
            id_number: carried.id_number.unwrap_or_default(),
            name: carried.name.unwrap_or_default(),
            ..Entered::default()
        },
        errors: Errors::default(),
        case: String::new(),
    })
}

fn state_of(code: &str) -> Option<MaterialState> {
    match code {
        "received" => Some(MaterialState::Received),
        "missing" => Some(MaterialState::Missing),
        "e_licence" => Some(MaterialState::ELicence),
        _ => None,
    }
}

/// Reads the typed form into the view (kept as typed) and, if every field is right, the
/// decision to take.
fn read_form(
    w: &WindowMsgs,
    view: &mut IntakeView,
    pairs: &[(String, String)],
    today: NaiveDate,
) -> Option<Command> {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    view.entered = Entered {
        id_number: field("id_number"),
        name: field("name"),
        decision: field("decision"),
        promise: field("promise"),
        due: field("due"),
        reason: field("reason"),
        legal_basis: field("legal_basis"),
    };
    view.case = field("case");
    for row in &mut view.materials {
        row.state = field(&format!("m.{}", row.id));
    }
    let e = &mut view.errors;
    let entered = &view.entered;
    if let Err(why) = IdNumber::parse(&entered.id_number) {
        e.id_number = Some(format!("{}{why}", w.err_id_number));
    }
    let name_length = entered.name.chars().count();
    if name_length == 0 || name_length > 40 {
        e.name = Some(w.err_name.into());
    }
    let mut checks = Vec::new();
    for row in &view.materials {
        match state_of(&row.state) {
            Some(state) => checks.push(MaterialCheck {
                material: row.id.clone(),
                state,
            }),
            None => e.materials = Some(w.err_materials.into()),
        }
    }
    let missing = checks.iter().any(|c| c.state == MaterialState::Missing);
    let required = |text: &str, slot: &mut Option<String>| {
        if text.is_empty() || text.chars().count() > TEXT_MAX {
            *slot = Some(w.err_required.into());
        }
    };
    let command = match entered.decision.as_str() {
        "accept" => {
            if missing {
                e.decision = Some(w.err_accept_missing.into());
            }
            Some(Command::Accept { materials: checks })
        }
        "deficiency" => {
            if view.instant {
                e.decision = Some(w.err_instant_deficiency.into());
            } else if e.materials.is_none() && !missing {
                e.decision = Some(w.err_nothing_missing.into());
            }
            required(&entered.promise, &mut e.promise);
            let due = parse_date(&entered.due);
            match due {
                None => e.due = Some(w.err_date.into()),
                Some(day) if day < today => e.due = Some(w.err_date_past.into()),
                Some(_) => {}
            }
            due.map(|due| Command::AcceptWithDeficiency {
                materials: checks,
                promise: entered.promise.clone(),
                due,
            })
        }
        "not_accept" => {
            e.materials = None;
            required(&entered.reason, &mut e.reason);
            required(&entered.legal_basis, &mut e.legal_basis);
            Some(Command::NotAccept {
                reason: entered.reason.clone(),
                legal_basis: entered.legal_basis.clone(),
            })
        }
        _ => {
            e.decision = Some(w.err_decision.into());
            None
        }
    };
    if view.errors.any() { None } else { command }
}

/// POST /window/accept: open the case from the held ticket and decide it.
pub async fn accept(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    if !may_use_window(&principal) {
        return forbidden(lang, &uri, &principal);
    }
    let pairs = match posted_form(lang, &uri, &principal, form) {
        Ok(pairs) => pairs,
        Err(refused) => return *refused,
    };
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let w = WindowMsgs::of(lang);
    let bad = |why: &str| AppError::Invalid(why.to_owned());
    let Some(window) = field("window").and_then(|w| crate::api::hall::window_name(w).ok()) else {
        return error_page(lang, &uri, Some(&principal), bad(w.bad_window));
    };
    let today = state.clock.today_in(state.catalog.time_zone);
    let held = match state.store.tickets(&principal.center, today).await {
        Ok(tickets) => tickets.into_iter().find(|t| {
            field("ticket") == Some(t.number.to_string().as_str())
                && t.window.as_deref() == Some(window)
        }),
        Err(err) => return error_page(lang, &uri, Some(&principal), err.into()),
    };
    let Some(ticket) = held else {
        return error_page(lang, &uri, Some(&principal), bad(w.step_refused));
    };
    let Some(mut view) = intake_view(&state, lang, &ticket, field("item")) else {
        return error_page(lang, &uri, Some(&principal), bad("item"));
    };
    let Some(command) = read_form(w, &mut view, &pairs, today) else {
        return refused(&state, lang, &uri, &principal, window, view).await;
    };
    let number = if view.case.is_empty() {
        let facts = ticket
            .carried
            .as_ref()
            .and_then(|c| serde_json::to_string(&c.facts).ok());
        let opening = Opening {
            item: &view.item,
            id_number: &view.entered.id_number,
            name: &view.entered.name,
            facts: facts.as_deref(),
            channel: None,
        };
        match open(&state, &principal, opening).await {
            Ok(case) => case.number.to_string(),
            Err(AppError::Unexpected(cause)) => {
                return error_page(lang, &uri, Some(&principal), AppError::Unexpected(cause));
            }
            Err(why) => {
                view.errors.form = Some(format!("{}{why}", w.err_refused));
                return refused(&state, lang, &uri, &principal, window, view).await;
            }
        }
    } else {
        view.case.clone()
    };
    match apply(&state, &principal, &number, command, None).await {
        Ok(_) => see_other(&format!("/window/cases/{}/receipt", encode(&number))),
        Err(AppError::Unexpected(cause)) => {
            error_page(lang, &uri, Some(&principal), AppError::Unexpected(cause))
        }
        Err(why) => {
            view.errors.form = Some(format!("{}{number}: {why}", w.case_opened));
            view.case = number;
            refused(&state, lang, &uri, &principal, window, view).await
        }
    }
}

async fn refused(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    window: &str,
    view: IntakeView,
) -> Response {
    let failed = Failed {
        intake: Some(view),
        ..Failed::default()
    };
    console(state, lang, uri, principal, window, None, failed).await
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    page: Chrome,
    w: &'static WindowMsgs,
    refused: bool,
    instant: bool,
    center: String,
    number: String,
    item: String,
    applicant: String,
    accepted_on: String,
    clerk: String,
    due: Option<NaiveDate>,
    promised_days: u32,
    materials: Vec<(String, &'static str)>,
    deficiency: Option<(String, NaiveDate)>,
    reason: String,
    legal_basis: String,
}

/// GET /window/cases/{number}/receipt: the acceptance receipt (or the notice of
/// non-acceptance), laid out for A4.
pub async fn receipt(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    Path(number): Path<String>,
) -> Response {
    let case = match reachable(&state, &principal, &number, Action::ReadCase).await {
        Ok(case) => case,
        Err(err) => return error_page(lang, &uri, Some(&principal), err),
    };
    let w = WindowMsgs::of(lang);
    let locale = lang.locale();
    let catalog = &state.catalog;
    let state_label = |s: MaterialState| match s {
        MaterialState::Received => w.received,
        MaterialState::Missing => w.missing,
        MaterialState::ELicence => w.e_licence,
    };
    let refused = case.status == CaseStatus::NotAccepted;
    let page = ReceiptPage {
        page: Chrome::new(
            lang,
            if refused {
                w.refusal_title
            } else {
                w.receipt_title
            },
            &uri,
            Some(&principal),
        ),
        w,
        refused,
        instant: case.promised_days == 0 && case.status == CaseStatus::Delivered,
        center: case.center.to_string(),
        number: case.number.to_string(),
        item: catalog
            .item(&case.item)
            .map_or_else(|| case.item.clone(), |i| i.name.get(locale).to_owned()),
        applicant: format!(
            "{} {}",
            case.applicant.name,
            case.applicant.id_number.masked()
        ),
        accepted_on: case
            .accepted_on
            .map(|d| d.to_string())
            .unwrap_or_else(|| state.clock.today_in(catalog.time_zone).to_string()),
        clerk: case.clerk.clone().unwrap_or_default(),
        due: case_deadline(&state, &case).map(|d| d.due),
        promised_days: case.promised_days,
        materials: case
            .materials
            .iter()
            .map(|m| {
                let name = catalog
                    .material(&m.material)
                    .map_or_else(|| m.material.clone(), |x| x.name.get(locale).to_owned());
                (name, state_label(m.state))
            })
            .collect(),
        deficiency: case.deficiency.as_ref().map(|d| (d.promise.clone(), d.due)),
        reason: case.reason.clone().unwrap_or_default(),
        legal_basis: case.legal_basis.clone().unwrap_or_default(),
    };
    render(StatusCode::OK, &page)
}
