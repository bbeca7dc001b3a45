//! Issuing a queue ticket from the desk: it carries the items the pre-review found, so a
//! window with skills can tell, and shows the resident their place and wait.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::CenterId;
use haoban_catalog::Status;
use haoban_hall::{
    AgingRule, Carried, HallEvent, Priority, Ticket, Visitor, VisitorError, estimate_in_queue,
};
use haoban_store::{By, NewTicket};

use super::desk::sheet::Sheet;
use super::desk::{
    Submitted, View, VisitorForm, desk_form, desk_page, sheet_facts, sheet_review, show,
};
use super::{Chrome, Lang, SignedIn, error_page, render};
use crate::AppState;
use crate::error::AppError;

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPage {
    page: Chrome,
    slip: SlipView,
}

pub async fn issue(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let submitted = match desk_form(lang, &uri, &principal, form) {
        Ok(submitted) => submitted,
        Err(refused) => return *refused,
    };
    let visitor = match checked_visitor(&state, lang, &principal, &submitted).await {
        Ok(visitor) => visitor,
        Err(Refusal::Form(form)) => {
            let view = View {
                sheet: submitted.sheet,
                finish: true,
                visitor: form,
                ..View::default()
            };
            return show(
                lang,
                &uri,
                &principal,
                desk_page(&state, lang, &uri, &principal, view),
            );
        }
        Err(Refusal::Failed(err)) => return error_page(lang, &uri, Some(&principal), err),
    };
    if submitted.step == "consult" {
        return consult(&state, lang, &uri, &principal, &submitted, visitor).await;
    }
    let priority = match submitted.priority.as_deref().unwrap_or("normal") {
        "normal" => Priority::Normal,
        "elderly" => Priority::Elderly,
        "disabled" => Priority::Disabled,
        "veteran" => Priority::Veteran,
        other => {
            let err = AppError::Invalid(format!("priority `{other}` is not one of the classes"));
            return error_page(lang, &uri, Some(&principal), err);
        }
    };
    let by = By {
        actor: principal.actor(),
        role: principal.role,
        at: state.clock.now(),
    };
    let sheet = &submitted.sheet;
    let carried_name = visitor.as_ref().map(|v| v.name.clone()).or(submitted.name);
    let issued = issue_for_sheet(
        &state,
        &principal.center,
        sheet,
        priority,
        visitor,
        carried_name,
        by,
    );
    match issued.await {
        Ok(issued) => slip(&state, lang, &uri, &principal, &issued).await,
        Err(err) => error_page(lang, &uri, Some(&principal), err),
    }
}

/// The desk's page of a ticket just issued: its slip.
pub(super) async fn slip(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &crate::auth::Principal,
    issued: &Ticket,
) -> Response {
    match slip_view(state, lang, &principal.center, issued).await {
        Ok(slip) => {
            let mut chrome = Chrome::new(lang, lang.msgs().ticket_title, uri, Some(principal));
            chrome.nav = "desk";
            render(StatusCode::CREATED, &TicketPage { page: chrome, slip })
        }
        Err(err) => error_page(lang, uri, Some(principal), err),
    }
}

/// Issues a ticket for what a pre-review sheet found, by the desk's rules: the items met
/// first (the window opens the first), then those not yet ruled out; the answers and the
/// visitor go with it to the window. The one path for the desk and the kiosk.
pub(super) async fn issue_for_sheet(
    state: &AppState,
    center: &CenterId,
    sheet: &Sheet,
    priority: Priority,
    visitor: Option<Visitor>,
    name: Option<String>,
    by: By,
) -> Result<Ticket, AppError> {
    let catalog = &state.catalog;
    let review = sheet_review(state, sheet)?;
    let today = review.on;
    let items: Vec<String> = [Status::Eligible, Status::Unknown]
        .iter()
        .flat_map(|wanted| review.items.iter().filter(move |i| i.status == *wanted))
        .map(|i| i.id.to_owned())
        .collect();
    let new = NewTicket {
        center: center.clone(),
        category: 'A',
        priority,
        items,
        carried: Some(Carried {
            id_number: visitor.as_ref().map(|v| v.id_number.clone()),
            name: visitor.map(|v| v.name).or(name),
            facts: sheet_facts(catalog, sheet),
        }),
        rule: AgingRule::default(),
    };
    Ok(state.store.issue_ticket(today, new, by).await?)
}

/// What a ticket's slip shows: its number, place and wait, the items to handle and the
/// calling rule.
pub(super) struct SlipView {
    pub(super) number: String,
    pub(super) ahead: usize,
    pub(super) minutes: i64,
    pub(super) priority: &'static str,
    pub(super) items: Vec<String>,
    pub(super) rule: String,
}

/// The slip of a ticket just issued, its place and wait read from today's queue.
pub(super) async fn slip_view(
    state: &AppState,
    lang: Lang,
    center: &CenterId,
    issued: &Ticket,
) -> Result<SlipView, AppError> {
    let t = lang.msgs();
    let today = state.clock.today_in(state.catalog.time_zone);
    let queue = state.store.tickets(center, today).await?;
    let rule = AgingRule::default();
    let estimate = estimate_in_queue(&queue, &issued.number, &rule);
    let locale = lang.locale();
    Ok(SlipView {
        number: issued.number.to_string(),
        ahead: estimate.as_ref().map_or(0, |e| e.ahead),
        minutes: estimate.as_ref().map_or(0, |e| e.minutes),
        priority: t.priority(issued.priority),
        items: issued
            .items
            .iter()
            .filter_map(|id| {
                state
                    .catalog
                    .item(id)
                    .map(|item| item.name.get(locale).to_owned())
            })
            .collect(),
        rule: if lang == Lang::Zh {
            rule.describe_zh()
        } else {
            rule.describe_en()
        },
    })
}

enum Refusal {
    /// The visitor fields are wrong: the desk again, with a message next to each.
    Form(VisitorForm),
    Failed(AppError),
}

/// The visitor the ticket form names, looked up or registered; `None` when the fields
/// are left empty (an anonymous ticket).
async fn checked_visitor(
    state: &AppState,
    lang: Lang,
    principal: &crate::auth::Principal,
    submitted: &Submitted,
) -> Result<Option<Visitor>, Refusal> {
    let t = lang.msgs();
    let typed = &submitted.visitor;
    let id_number = typed.id_number.trim();
    if id_number.is_empty() && typed.name.trim().is_empty() && typed.phone.trim().is_empty() {
        return Ok(None);
    }
    let mut form = typed.clone();
    let known = match haoban_cases::IdNumber::parse(id_number) {
        Ok(id) => state
            .store
            .visitor(&principal.center, id.as_ref())
            .await
            .map_err(|e| Refusal::Failed(e.into()))?,
        Err(_) => None,
    };
    // A known visitor needs only the ID number; what is typed updates the record.
    let name = match (typed.name.trim(), &known) {
        ("", Some(known)) => known.name.clone(),
        (name, _) => name.to_owned(),
    };
    let phone = match (typed.phone.trim(), &known) {
        ("", Some(known)) => known.phone.clone(),
        ("", None) => None,
        (phone, _) => Some(phone.to_owned()),
    };
    match Visitor::new(id_number, &name, phone.as_deref(), state.clock.now()) {
        Ok(visitor) => {
            state
                .store
                .save_visitor(&principal.center, &visitor)
                .await
                .map_err(|e| Refusal::Failed(e.into()))?;
            Ok(Some(visitor))
        }
        Err(err) => {
            match err {
                VisitorError::IdNumber(_) => form.id_error = Some(t.err_visitor_id),
                VisitorError::Name => form.name_error = Some(t.err_visitor_name),
                VisitorError::Phone(_) => form.phone_error = Some(t.err_visitor_phone),
            }
            Err(Refusal::Form(form))
        }
    }
}

/// A visit that ended in advice, not a ticket: recorded with what was asked about.
async fn consult(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &crate::auth::Principal,
    submitted: &Submitted,
    visitor: Option<Visitor>,
) -> Response {
    let items = match sheet_review(state, &submitted.sheet) {
        Ok(review) => review
            .items
            .iter()
            .filter(|i| i.status != Status::Ineligible)
            .map(|i| i.id.to_owned())
            .collect(),
        Err(err) => return error_page(lang, uri, Some(principal), err),
    };
    let event = HallEvent::VisitRecorded {
        visitor: visitor.map(|v| v.id_number),
        items,
        consult_only: true,
        note: String::new(),
    };
    let by = By {
        actor: principal.actor(),
        role: principal.role,
        at: state.clock.now(),
    };
    match state.store.note_hall(&principal.center, &event, by).await {
        Ok(()) => super::see_other("/desk?consulted=1"),
        Err(err) => error_page(lang, uri, Some(principal), err.into()),
    }
}
