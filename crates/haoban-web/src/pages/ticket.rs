//! Issuing a queue ticket from the desk: it carries the items the pre-review found, so a
//! window with skills can tell, and shows the resident their place and wait.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_catalog::Status;
use haoban_hall::{AgingRule, Carried, Priority, estimate_in_queue};
use haoban_store::{By, NewTicket};

use super::desk::{desk_form, sheet_facts, sheet_review};
use super::{Chrome, Lang, SignedIn, error_page, render};
use crate::AppState;
use crate::error::AppError;

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPage {
    page: Chrome,
    number: String,
    ahead: usize,
    minutes: i64,
    priority: &'static str,
    items: Vec<String>,
    rule: String,
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
    let t = lang.msgs();
    let (priority, priority_label) = match submitted.priority.as_deref().unwrap_or("normal") {
        "normal" => (Priority::Normal, t.priority_normal),
        "elderly" => (Priority::Elderly, t.priority_elderly),
        "disabled" => (Priority::Disabled, t.priority_disabled),
        "veteran" => (Priority::Veteran, t.priority_veteran),
        other => {
            let err = AppError::Invalid(format!("priority `{other}` is not one of the classes"));
            return error_page(lang, &uri, Some(&principal), err);
        }
    };
    let catalog = &state.catalog;
    let review = match sheet_review(&state, &submitted.sheet) {
        Ok(review) => review,
        Err(err) => return error_page(lang, &uri, Some(&principal), err),
    };
    let today = review.on;
    let items: Vec<String> = review
        .items
        .iter()
        .filter(|i| i.status != Status::Ineligible)
        .map(|i| i.id.to_owned())
        .collect();
    let by = By {
        actor: principal.actor(),
        role: principal.role,
        at: state.clock.now(),
    };
    let new = NewTicket {
        center: principal.center.clone(),
        category: 'A',
        priority,
        items: items.clone(),
        carried: Some(Carried {
            id_number: None,
            name: submitted.name.clone(),
            facts: sheet_facts(catalog, &submitted.sheet),
        }),
        rule: AgingRule::default(),
    };
    let issued = match state.store.issue_ticket(today, new, by).await {
        Ok(ticket) => ticket,
        Err(err) => return error_page(lang, &uri, Some(&principal), err.into()),
    };
    let queue = match state.store.tickets(&principal.center, today).await {
        Ok(queue) => queue,
        Err(err) => return error_page(lang, &uri, Some(&principal), err.into()),
    };
    let rule = AgingRule::default();
    let estimate = estimate_in_queue(&queue, &issued.number, &rule);
    let locale = lang.locale();
    let page = TicketPage {
        page: Chrome::new(lang, t.ticket_title, &uri, Some(&principal)),
        number: issued.number.to_string(),
        ahead: estimate.as_ref().map_or(0, |e| e.ahead),
        minutes: estimate.as_ref().map_or(0, |e| e.minutes),
        priority: priority_label,
        items: items
            .iter()
            .filter_map(|id| {
                catalog
                    .item(id)
                    .map(|item| item.name.get(locale).to_owned())
            })
            .collect(),
        rule: if lang == Lang::Zh {
            rule.describe_zh()
        } else {
            rule.describe_en()
        },
    };
    render(StatusCode::CREATED, &page)
}
