//! `/cabinets`, the certificate cabinets (自助证照柜) for staff: each cabinet with how many
//! compartments are taken, the results overdue (waiting past their time: the scheduler
//! returns them to the desk, and someone has to carry them there), and every compartment
//! with the case in it. Staff who see the queue (`ViewQueue`) see the cases; the
//! administrator (`ManageHall`) sees the counts and installs cabinets with the form here,
//! bad input refused next to its field with what was typed kept.

mod msgs;

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use chrono::{DateTime, Utc};
use haoban_cases::{Action, permits};
use haoban_hall::{Cabinet, CabinetError, MAX_COMPARTMENTS};
use haoban_store::{By, StoreError};
use serde::Deserialize;

use self::msgs::CabinetMsgs;
use super::{
    Chrome, Lang, SignedIn, encode, error_page, form_field, posted_form, render, see_other,
};
use crate::AppState;
use crate::api::self_service::{CompartmentLine, occupancy};
use crate::auth::Principal;
use crate::error::AppError;

fn may(principal: &Principal, action: Action) -> bool {
    permits(principal.role, action).is_some()
}

/// Whether the page has anything for the signed-in role: the occupancy (staff who see
/// the queue) or the installation (the administrator).
pub fn may_use(principal: &Principal) -> bool {
    may(principal, Action::ViewQueue) || may(principal, Action::ManageHall)
}

/// The navigation's name for the page.
pub fn nav_label(lang: Lang) -> &'static str {
    CabinetMsgs::of(lang).title
}

/// The installation form as typed, and what is wrong with it.
#[derive(Default)]
struct InstallForm {
    name: String,
    location: String,
    small: String,
    medium: String,
    large: String,
    name_error: Option<String>,
    location_error: Option<String>,
    small_error: Option<String>,
    medium_error: Option<String>,
    large_error: Option<String>,
    /// About the counts together (none, or too many).
    counts_error: Option<String>,
}

impl InstallForm {
    fn refused(&self) -> bool {
        [
            &self.name_error,
            &self.location_error,
            &self.small_error,
            &self.medium_error,
            &self.large_error,
            &self.counts_error,
        ]
        .iter()
        .any(|e| e.is_some())
    }
}

struct CabinetRow {
    name: String,
    location: String,
    compartments: usize,
    taken: usize,
    overdue: usize,
}

struct CompartmentRow {
    label: String,
    size: &'static str,
    case: String,
    deposited: String,
    expires: String,
    state: &'static str,
    /// `free`, `waiting` or `overdue`, for the stylesheet.
    class: &'static str,
}

#[derive(Template)]
#[template(path = "cabinets.html")]
struct CabinetsPage {
    page: Chrome,
    c: &'static CabinetMsgs,
    csrf_token: String,
    cabinets: Vec<CabinetRow>,
    /// Which cases wait where: for staff who see the queue.
    show_cases: bool,
    overdue: Vec<CompartmentRow>,
    compartments: Vec<CompartmentRow>,
    /// The installation form, for the administrator.
    install: Option<InstallForm>,
    confirmation: Option<String>,
}

fn time(state: &AppState, at: DateTime<Utc>) -> String {
    at.with_timezone(&state.catalog.time_zone)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn compartment_row(state: &AppState, c: &CabinetMsgs, line: &CompartmentLine) -> CompartmentRow {
    let parcel = line.parcel.as_ref();
    let (state_label, class) = match (parcel, line.overdue) {
        (None, _) => (c.free, "free"),
        (Some(_), false) => (c.waiting, "waiting"),
        (Some(_), true) => (c.overdue, "overdue"),
    };
    CompartmentRow {
        label: line.compartment.label(),
        size: c.size(line.compartment.size),
        case: parcel.map(|p| p.case.to_string()).unwrap_or_default(),
        deposited: parcel
            .map(|p| time(state, p.deposited_at))
            .unwrap_or_default(),
        expires: parcel
            .map(|p| time(state, p.expires_at))
            .unwrap_or_default(),
        state: state_label,
        class,
    }
}

async fn cabinets_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    install: Option<InstallForm>,
    confirmation: Option<String>,
) -> Result<CabinetsPage, AppError> {
    let c = CabinetMsgs::of(lang);
    let installed = state.store.cabinets(&principal.center).await?;
    let lines = occupancy(state, &principal.center).await?;
    let cabinets = installed
        .iter()
        .map(|cabinet| {
            let own: Vec<&CompartmentLine> = lines
                .iter()
                .filter(|l| l.compartment.cabinet == cabinet.name)
                .collect();
            CabinetRow {
                name: cabinet.name.clone(),
                location: cabinet.location.clone(),
                compartments: own.len(),
                taken: own.iter().filter(|l| l.parcel.is_some()).count(),
                overdue: own.iter().filter(|l| l.overdue).count(),
            }
        })
        .collect();
    let show_cases = may(principal, Action::ViewQueue);
    let rows = |keep: &dyn Fn(&CompartmentLine) -> bool| -> Vec<CompartmentRow> {
        if !show_cases {
            return Vec::new();
        }
        lines
            .iter()
            .filter(|l| keep(l))
            .map(|l| compartment_row(state, c, l))
            .collect()
    };
    let mut chrome = Chrome::new(lang, c.title, uri, Some(principal));
    chrome.nav = "cabinets";
    if uri.path() != "/cabinets" || uri.query().is_some_and(|q| q.contains("done=")) {
        chrome.switch_href = format!("/cabinets?lang={}", lang.other().code());
    }
    let may_install = may(principal, Action::ManageHall);
    Ok(CabinetsPage {
        page: chrome,
        c,
        csrf_token: principal.csrf_token.clone(),
        cabinets,
        show_cases,
        overdue: rows(&|l| l.overdue),
        compartments: rows(&|_| true),
        install: may_install.then(|| install.unwrap_or_default()),
        confirmation,
    })
}

fn forbidden(lang: Lang, uri: &Uri, principal: &Principal) -> Response {
    let why = CabinetMsgs::of(lang).forbidden.to_owned();
    error_page(lang, uri, Some(principal), AppError::Forbidden(why))
}

#[derive(Deserialize)]
pub struct CabinetsQuery {
    done: Option<String>,
    name: Option<String>,
}

/// `GET /cabinets`.
pub async fn page(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    query: Result<Query<CabinetsQuery>, QueryRejection>,
) -> Response {
    if !may_use(&principal) {
        return forbidden(lang, &uri, &principal);
    }
    let c = CabinetMsgs::of(lang);
    let query = query.ok().map(|Query(q)| q);
    let installed_name = query
        .filter(|q| q.done.as_deref() == Some("installed"))
        .and_then(|q| q.name);
    let built = cabinets_page(&state, lang, &uri, &principal, None, None).await;
    match built {
        Ok(mut page) => {
            // Confirmed only when the store shows it.
            page.confirmation = installed_name
                .filter(|name| page.cabinets.iter().any(|row| row.name == *name))
                .map(|name| c.installed.replace("{}", &name));
            render(StatusCode::OK, &page)
        }
        Err(err) => error_page(lang, &uri, Some(&principal), err),
    }
}

/// A compartment count as typed: empty is none.
fn count(typed: &str) -> Option<usize> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Some(0);
    }
    if typed.len() > 3 || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    typed.parse().ok()
}

/// `POST /cabinets`: installs a cabinet (the administrator).
pub async fn install(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    if !may(&principal, Action::ManageHall) {
        return forbidden(lang, &uri, &principal);
    }
    let pairs = match posted_form(lang, &uri, &principal, form) {
        Ok(pairs) => pairs,
        Err(refused) => return *refused,
    };
    let c = CabinetMsgs::of(lang);
    let field = |name: &str| form_field(&pairs, name).to_owned();
    let mut typed = InstallForm {
        name: field("name"),
        location: field("location"),
        small: field("small"),
        medium: field("medium"),
        large: field("large"),
        ..InstallForm::default()
    };
    let counts = [
        (count(&typed.small), &mut typed.small_error),
        (count(&typed.medium), &mut typed.medium_error),
        (count(&typed.large), &mut typed.large_error),
    ]
    .map(|(n, error)| {
        if n.is_none() {
            *error = Some(c.err_count.to_owned());
        }
        n.unwrap_or(0)
    });
    let cabinet = Cabinet::new(
        &typed.name,
        &typed.location,
        counts[0],
        counts[1],
        counts[2],
    );
    let refused = |mut typed: InstallForm, err: Option<CabinetError>| {
        match err {
            Some(CabinetError::BadName(_)) => typed.name_error = Some(c.err_name.to_owned()),
            Some(CabinetError::BadLocation) => {
                typed.location_error = Some(c.err_location.to_owned())
            }
            Some(CabinetError::BadCount(_)) => {
                let total = MAX_COMPARTMENTS.to_string();
                typed.counts_error = Some(c.err_total.replace("{}", &total))
            }
            Some(CabinetError::Full(_)) | None => {}
        }
        typed
    };
    let cabinet = match cabinet {
        Ok(cabinet) if !typed.refused() => cabinet,
        Ok(_) => return show_refused(&state, lang, &uri, &principal, typed).await,
        Err(err) => {
            let typed = refused(typed, Some(err));
            return show_refused(&state, lang, &uri, &principal, typed).await;
        }
    };
    let by = By {
        actor: principal.actor(),
        role: principal.role,
        at: state.clock.now(),
    };
    match state
        .store
        .install_cabinet(&principal.center, &cabinet, by)
        .await
    {
        Ok(()) => see_other(&format!(
            "/cabinets?done=installed&name={}",
            encode(&cabinet.name)
        )),
        // Results wait in it: a cabinet is not changed under them.
        Err(StoreError::Conflict(_)) => {
            typed.name_error = Some(c.err_in_use.replace("{}", &cabinet.name));
            show_refused(&state, lang, &uri, &principal, typed).await
        }
        Err(err) => error_page(lang, &uri, Some(&principal), err.into()),
    }
}

async fn show_refused(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    typed: InstallForm,
) -> Response {
    match cabinets_page(state, lang, uri, principal, Some(typed), None).await {
        Ok(page) => render(StatusCode::UNPROCESSABLE_ENTITY, &page),
        Err(err) => error_page(lang, uri, Some(principal), err),
    }
}
