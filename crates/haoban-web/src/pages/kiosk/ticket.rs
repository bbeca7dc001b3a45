//! Taking a queue ticket at the kiosk (取号): what the resident came for, as big buttons
//! (the catalog's life events, then its items under their broad categories), or the
//! pre-review just done; the ticket is issued by the desk's own rules
//! (`ticket::issue_for_sheet`: the items met first, then those not ruled out, the answers
//! carried to the window) and shown large with the wait, like the desk's slip.
//!
//! The kiosk issues the normal class only: priority (elderly, disabled, veterans) is
//! given at the desk, where someone can see the papers that entitle to it.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::Role;
use haoban_catalog::Catalog;
use haoban_hall::Priority;
use haoban_store::By;

use super::track::posted;
use super::{CenterQuery, KioskFrame, KioskMsgs, chrome, failed, queried_center};
use crate::AppState;
use crate::pages::desk::Submitted;
use crate::pages::ticket::{SlipView, issue_for_sheet, slip_view};
use crate::pages::{Chrome, Lang, render};

/// One button: what the form posts as `selection`, and its name.
struct Choice {
    value: String,
    label: String,
}

/// A heading and its buttons.
struct ChoiceGroup {
    heading: String,
    choices: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "kiosk_ticket.html")]
struct ChoosePage {
    page: Chrome,
    k: &'static KioskMsgs,
    frame: Option<KioskFrame>,
    center: String,
    groups: Vec<ChoiceGroup>,
}

#[derive(Template)]
#[template(path = "kiosk_slip.html")]
struct SlipPage {
    page: Chrome,
    k: &'static KioskMsgs,
    frame: Option<KioskFrame>,
    slip: SlipView,
    ahead: String,
    wait: String,
}

/// The broad category an item's category belongs to (the top of its `parent` chain).
fn broad_category<'c>(catalog: &'c Catalog, id: &'c str) -> &'c str {
    let mut current = id;
    // The catalog refuses cycles at load; the bound only keeps a bad one from hanging.
    for _ in 0..32 {
        match catalog.category(current).and_then(|c| c.parent.as_deref()) {
            Some(parent) => current = parent,
            None => break,
        }
    }
    current
}

/// The life events, then the items by broad category, in catalog order.
fn groups(catalog: &Catalog, lang: Lang) -> Vec<ChoiceGroup> {
    let k = KioskMsgs::of(lang);
    let locale = lang.locale();
    let mut groups = Vec::new();
    let bundles: Vec<Choice> = catalog
        .bundles()
        .map(|b| Choice {
            value: format!("bundle:{}", b.id),
            label: b.name.get(locale).to_owned(),
        })
        .collect();
    if !bundles.is_empty() {
        groups.push(ChoiceGroup {
            heading: k.scope_bundles.to_owned(),
            choices: bundles,
        });
    }
    let mut by_category: BTreeMap<&str, Vec<Choice>> = BTreeMap::new();
    for item in catalog.items() {
        by_category
            .entry(broad_category(catalog, &item.category))
            .or_default()
            .push(Choice {
                value: format!("item:{}", item.id),
                label: item.name.get(locale).to_owned(),
            });
    }
    for (category, choices) in by_category {
        let heading = catalog
            .category(category)
            .map_or_else(|| category.to_owned(), |c| c.name.get(locale).to_owned());
        groups.push(ChoiceGroup { heading, choices });
    }
    groups
}

/// `GET /kiosk/ticket?center=…`: what did you come for?
pub async fn ticket_choose(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    query: Result<Query<CenterQuery>, QueryRejection>,
) -> Response {
    let center = match queried_center(&state, lang, &uri, query).await {
        Ok(center) => center,
        Err(refused) => return *refused,
    };
    let k = KioskMsgs::of(lang);
    let page = ChoosePage {
        page: chrome(lang, k.ticket_title, &uri, "/kiosk/ticket", Some(&center)),
        k,
        frame: Some(KioskFrame::new(&state, lang, &center)),
        center: center.to_string(),
        groups: groups(&state.catalog, lang),
    };
    render(StatusCode::OK, &page)
}

/// `POST /kiosk/ticket`: a ticket for the choice, or for the pre-review the form carries.
pub async fn ticket_issue(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let k = KioskMsgs::of(lang);
    let (center, pairs) = match posted(&state, lang, &uri, form).await {
        Ok(posted) => posted,
        Err(refused) => return *refused,
    };
    let sheet = Submitted::read(pairs).sheet;
    // Nobody signed in: the ticket is the kiosk's, as a resident's step.
    let by = By {
        actor: "kiosk".to_owned(),
        role: Role::Resident,
        at: state.clock.now(),
    };
    let issued = issue_for_sheet(&state, &center, &sheet, Priority::Normal, None, None, by).await;
    let slip = match issued {
        Ok(ticket) => slip_view(&state, lang, &center, &ticket).await,
        Err(err) => Err(err),
    };
    let slip = match slip {
        Ok(slip) => slip,
        Err(err) => return failed(&state, lang, &uri, Some(&center), err),
    };
    let page = SlipPage {
        page: chrome(lang, k.slip_title, &uri, "/kiosk/ticket", Some(&center)),
        k,
        frame: Some(KioskFrame::new(&state, lang, &center)),
        ahead: k.slip_ahead.replace("{}", &slip.ahead.to_string()),
        wait: k.slip_wait.replace("{}", &slip.minutes.to_string()),
        slip,
    };
    render(StatusCode::CREATED, &page)
}
