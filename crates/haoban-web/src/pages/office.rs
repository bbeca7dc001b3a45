//! `/office`, the back office (后台审核): the center's work list, sorted by deadline, and
//! the review page of one case with a form for each step the signed-in role may take in
//! the case's state.
//!
//! A form posts to `/office/cases/{number}/{action}` with the session's `csrf_token` and
//! the case `version` the page showed. The page checks what was typed (a message next to
//! the field, the text kept), then acts through the API's own path
//! ([`crate::api::cases::apply`]: policy table, domain decision, versioned write, the
//! resident's notice), so the page and the API cannot disagree. Success redirects (303)
//! to the case page, which confirms what was done.

mod form;
mod msgs;
pub(super) mod view;

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use chrono::NaiveDate;
use haoban_cases::{Action, Case, CaseStatus, Command, Scope, permits};
use haoban_store::CaseFilter;
use serde::Deserialize;

use self::form::{Entered, Errors, command};
use self::msgs::OfficeMsgs;
use self::view::{
    CaseView, DELIVERIES, RecordLine, Row, WAITING, delivery_code, record_lines, rows,
};
use super::{Chrome, Lang, SignedIn, error_page, form_field, posted_form, render, see_other};
use crate::api::cases::{apply, reachable};
use crate::auth::Principal;
use crate::error::AppError;
use crate::{AppState, authorize};

/// The most cases the work list reads (it sorts them all by deadline).
const LIST_MAX: u32 = 10_000;

/// A step the back-office pages offer, named in URLs as the API names the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    StartReview,
    RequestSupplement,
    ProvideSupplement,
    FulfilDeficiency,
    Approve,
    Deny,
    MarkReady,
    Deliver,
    Close,
}

impl Step {
    const ALL: [Step; 9] = [
        Step::StartReview,
        Step::RequestSupplement,
        Step::ProvideSupplement,
        Step::FulfilDeficiency,
        Step::Approve,
        Step::Deny,
        Step::MarkReady,
        Step::Deliver,
        Step::Close,
    ];

    fn action(self) -> Action {
        match self {
            Step::StartReview => Action::StartReview,
            Step::RequestSupplement => Action::RequestSupplement,
            Step::ProvideSupplement => Action::ProvideSupplement,
            Step::FulfilDeficiency => Action::FulfilDeficiency,
            Step::Approve => Action::Approve,
            Step::Deny => Action::Deny,
            Step::MarkReady => Action::MarkReady,
            Step::Deliver => Action::Deliver,
            Step::Close => Action::Close,
        }
    }

    fn code(self) -> String {
        self.action().name()
    }

    fn parse(code: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|step| step.code() == code)
    }

    /// The states the domain lets this step start from (`Command::from_states`).
    fn start_states(self) -> &'static [CaseStatus] {
        let day = NaiveDate::MIN;
        let command = match self {
            Step::StartReview => Command::StartReview,
            Step::RequestSupplement => Command::RequestSupplement {
                request: String::new(),
                due: day,
            },
            Step::ProvideSupplement => Command::ProvideSupplement {
                note: String::new(),
            },
            Step::FulfilDeficiency => Command::FulfilDeficiency,
            Step::Approve => Command::Approve { note: None },
            Step::Deny => Command::Deny {
                reason: String::new(),
            },
            Step::MarkReady => Command::MarkReady {
                delivery: DELIVERIES[0],
            },
            Step::Deliver => Command::Deliver,
            Step::Close => Command::Close,
        };
        command.from_states()
    }

    /// Whether the policy table lets `principal` take this step on a case in `status`.
    fn open(self, principal: &Principal, status: CaseStatus) -> bool {
        permits(principal.role, self.action()).is_some() && self.start_states().contains(&status)
    }

    /// The confirmation after the redirect, if the case is as this step leaves it.
    fn confirmation(self, lang: Lang, case: &Case) -> Option<String> {
        let o = OfficeMsgs::of(lang);
        let is = |status: CaseStatus| case.status == status;
        let text = match self {
            Step::StartReview if is(CaseStatus::InReview) => o.done_start_review.to_owned(),
            Step::RequestSupplement if is(CaseStatus::SupplementRequested) => {
                let asked = case.suspensions.last()?;
                o.done_request_supplement
                    .replace("{request}", &asked.request)
                    .replace("{due}", &asked.due.format("%Y-%m-%d").to_string())
            }
            Step::ProvideSupplement
                if is(CaseStatus::InReview)
                    && case.suspensions.last().is_some_and(|s| s.until.is_some()) =>
            {
                o.done_provide_supplement.to_owned()
            }
            Step::FulfilDeficiency
                if case
                    .deficiency
                    .as_ref()
                    .is_some_and(|d| d.fulfilled_on.is_some()) =>
            {
                o.done_fulfil_deficiency.to_owned()
            }
            Step::Approve if is(CaseStatus::Approved) => o.done_approve.to_owned(),
            Step::Deny if is(CaseStatus::Denied) => o.done_deny.to_owned(),
            Step::MarkReady if is(CaseStatus::Ready) => {
                let ready = o
                    .done_mark_ready
                    .replace("{}", case.delivery.map_or("", |d| o.delivery(d)));
                if case.delivery == Some(haoban_cases::Delivery::Cabinet) {
                    format!("{ready}{}", o.done_cabinet)
                } else {
                    ready
                }
            }
            Step::Deliver if is(CaseStatus::Delivered) => o.done_deliver.to_owned(),
            Step::Close if is(CaseStatus::Closed) => o.done_close.to_owned(),
            _ => return None,
        };
        Some(text)
    }
}

/// A case status in the page's language, as the back office names it.
pub(super) fn status_label(lang: Lang, status: haoban_cases::CaseStatus) -> &'static str {
    OfficeMsgs::of(lang).status(lang, status)
}

/// The back-office pages are for staff who read their center's cases.
fn gate(lang: Lang, uri: &Uri, principal: &Principal) -> Result<(), Box<Response>> {
    match authorize(principal, Action::ListCases) {
        Ok(Scope::OwnCenter) => Ok(()),
        _ => {
            let why = OfficeMsgs::of(lang).forbidden.to_owned();
            let page = error_page(lang, uri, Some(principal), AppError::Forbidden(why));
            Err(Box::new(page))
        }
    }
}

fn count(template: &str, n: usize) -> String {
    template.replace("{}", &n.to_string())
}

#[derive(Template)]
#[template(path = "office.html")]
struct ListPage {
    page: Chrome,
    o: &'static OfficeMsgs,
    rows: Vec<Row>,
    total: String,
    due_soon: String,
    due_soon_n: usize,
    overdue: String,
    overdue_n: usize,
}

/// GET /office: the center's cases waiting for the back office, earliest deadline first.
pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
) -> Response {
    if let Err(refused) = gate(lang, &uri, &principal) {
        return *refused;
    }
    let o = OfficeMsgs::of(lang);
    let mut filter = CaseFilter::center(principal.center.clone());
    filter.statuses = WAITING.to_vec();
    filter.limit = LIST_MAX;
    let cases = match state.store.cases(&filter).await {
        Ok(cases) => cases,
        Err(err) => return error_page(lang, &uri, Some(&principal), err.into()),
    };
    let rows = rows(&state, lang, &cases);
    let marked = |class: &str| {
        rows.iter()
            .filter(|r| r.deadline.as_ref().is_some_and(|d| d.class == class))
            .count()
    };
    let mut chrome = Chrome::new(lang, o.list_title, &uri, Some(&principal));
    chrome.nav = "office";
    let (due_soon_n, overdue_n) = (marked("due-soon"), marked("overdue"));
    let page = ListPage {
        total: count(o.count_total, rows.len()),
        due_soon: count(o.count_due_soon, due_soon_n),
        due_soon_n,
        overdue: count(o.count_overdue, overdue_n),
        overdue_n,
        page: chrome,
        o,
        rows,
    };
    render(StatusCode::OK, &page)
}

/// Which forms the review page shows.
struct Offered {
    start_review: bool,
    request_supplement: bool,
    provide_supplement: bool,
    fulfil_deficiency: bool,
    approve: bool,
    /// Approving would be allowed but the 容缺 materials have not followed yet.
    approve_blocked: bool,
    deny: bool,
    mark_ready: bool,
    deliver: bool,
    close: bool,
}

impl Offered {
    fn new(principal: &Principal, case: &Case) -> Offered {
        let open = |step: Step| step.open(principal, case.status);
        let deficiency_open = case
            .deficiency
            .as_ref()
            .is_some_and(|d| d.fulfilled_on.is_none());
        Offered {
            start_review: open(Step::StartReview),
            request_supplement: open(Step::RequestSupplement),
            provide_supplement: open(Step::ProvideSupplement),
            fulfil_deficiency: open(Step::FulfilDeficiency) && deficiency_open,
            approve: open(Step::Approve) && !deficiency_open,
            approve_blocked: open(Step::Approve) && deficiency_open,
            deny: open(Step::Deny),
            mark_ready: open(Step::MarkReady),
            deliver: open(Step::Deliver),
            close: open(Step::Close),
        }
    }

    fn any(&self) -> bool {
        self.start_review
            || self.request_supplement
            || self.provide_supplement
            || self.fulfil_deficiency
            || self.approve
            || self.approve_blocked
            || self.deny
            || self.mark_ready
            || self.deliver
            || self.close
    }
}

struct DeliveryOption {
    code: String,
    label: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "office_case.html")]
struct CasePage {
    page: Chrome,
    o: &'static OfficeMsgs,
    case: CaseView,
    /// `None` where the role may not read the record.
    record: Option<Vec<RecordLine>>,
    /// Files the resident uploaded: id, name, material, size.
    uploads: Vec<(String, String, String, String)>,
    offered: Offered,
    any_offered: bool,
    deliveries: Vec<DeliveryOption>,
    entered: Entered,
    errors: Errors,
    csrf_token: String,
    version: u64,
    today: String,
    confirmation: Option<String>,
    conflict: bool,
    /// The step the domain refused, and why (in its words).
    refused_step: String,
    refused: Option<String>,
}

/// What a review page shows besides the case.
#[derive(Default)]
struct Shown {
    done: Option<Step>,
    entered: Entered,
    errors: Errors,
    conflict: bool,
    refused: Option<(Step, String)>,
}

async fn case_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    number: &str,
    shown: Shown,
    status: StatusCode,
) -> Response {
    let o = OfficeMsgs::of(lang);
    let case = match reachable(state, principal, number, Action::ReadCase).await {
        Ok(case) => case,
        Err(err) => return error_page(lang, uri, Some(principal), err),
    };
    let record = if authorize(principal, Action::ReadRecord).is_ok() {
        match state.store.case_record(&case.number).await {
            Ok(entries) => Some(record_lines(state, lang, &entries)),
            Err(err) => return error_page(lang, uri, Some(principal), err.into()),
        }
    } else {
        None
    };
    let uploads = match state.store.uploads(&case.number).await {
        Ok(uploads) => uploads
            .into_iter()
            .map(|u| {
                let material = super::portal::material_label(state, lang, &u.material);
                let size = format!("{:.1} KB", u.meta.size as f64 / 1024.0);
                (u.id, u.meta.name, material, size)
            })
            .collect(),
        Err(err) => return error_page(lang, uri, Some(principal), err.into()),
    };
    let today = state.clock.today_in(state.catalog.time_zone);
    let title = format!("{} {}", o.case_title, case.number);
    let mut chrome = Chrome::new(lang, &title, uri, Some(principal));
    chrome.switch_href = format!("/office/cases/{}?lang={}", case.number, lang.other().code());
    chrome.nav = "office";
    let offered = Offered::new(principal, &case);
    let (refused_step, refused) = match shown.refused {
        Some((step, why)) => (step.code(), Some(why)),
        None => (String::new(), None),
    };
    let page = CasePage {
        page: chrome,
        o,
        any_offered: offered.any(),
        offered,
        deliveries: DELIVERIES
            .into_iter()
            .map(|d| {
                let code = delivery_code(d);
                DeliveryOption {
                    checked: code == shown.entered.delivery,
                    code,
                    label: o.delivery(d),
                }
            })
            .collect(),
        confirmation: shown.done.and_then(|step| step.confirmation(lang, &case)),
        case: CaseView::new(state, lang, &case),
        record,
        uploads,
        entered: shown.entered,
        errors: shown.errors,
        csrf_token: principal.csrf_token.clone(),
        version: case.version,
        today: today.format("%Y-%m-%d").to_string(),
        conflict: shown.conflict,
        refused_step,
        refused,
    };
    render(status, &page)
}

#[derive(Deserialize)]
pub struct CaseQuery {
    done: Option<String>,
}

/// GET /office/cases/{number}: the review page.
pub async fn case(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    Path(number): Path<String>,
    query: Result<Query<CaseQuery>, QueryRejection>,
) -> Response {
    if let Err(refused) = gate(lang, &uri, &principal) {
        return *refused;
    }
    let done = query
        .ok()
        .and_then(|Query(q)| q.done.as_deref().and_then(Step::parse));
    let shown = Shown {
        done,
        ..Shown::default()
    };
    case_page(
        &state,
        lang,
        &uri,
        &principal,
        &number,
        shown,
        StatusCode::OK,
    )
    .await
}

/// GET /office/cases/{number}/uploads/{id}: a file the resident gave, only if it still
/// matches the hash it was stored with.
pub async fn download(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    Path((number, id)): Path<(String, String)>,
) -> Response {
    if let Err(refused) = gate(lang, &uri, &principal) {
        return *refused;
    }
    match crate::api::self_service::read_upload(&state, &principal, &number, &id).await {
        Ok((upload, bytes)) => crate::api::self_service::file_response(&upload, bytes),
        Err(err) => error_page(lang, &uri, Some(&principal), err),
    }
}

/// POST /office/cases/{number}/{action}: one step on the case.
pub async fn act(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    Path((number, code)): Path<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    if let Err(refused) = gate(lang, &uri, &principal) {
        return *refused;
    }
    let fail = |err: AppError| error_page(lang, &uri, Some(&principal), err);
    let Some(step) = Step::parse(&code) else {
        return fail(AppError::NotFound(format!("no action `{code}`")));
    };
    let pairs = match posted_form(lang, &uri, &principal, form) {
        Ok(pairs) => pairs,
        Err(refused) => return *refused,
    };
    let field = |name: &str| form_field(&pairs, name).to_owned();
    if let Err(err) = authorize(&principal, step.action()) {
        return fail(err);
    }
    let Ok(version) = field("version").trim().parse::<u64>() else {
        return fail(AppError::Invalid("the form lacks the case version".into()));
    };
    let entered = Entered {
        request: field("request"),
        due: field("due"),
        provide_note: field("provide_note"),
        approve_note: field("approve_note"),
        reason: field("reason"),
        delivery: field("delivery"),
    };
    let o = OfficeMsgs::of(lang);
    let today = state.clock.today_in(state.catalog.time_zone);
    let command = match command(step, &entered, today, o) {
        Ok(command) => command,
        Err(errors) => {
            let shown = Shown {
                entered,
                errors: *errors,
                ..Shown::default()
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return case_page(&state, lang, &uri, &principal, &number, shown, status).await;
        }
    };
    let (shown, status) = match apply(&state, &principal, &number, command, Some(version)).await {
        Ok(case) => {
            return see_other(&format!(
                "/office/cases/{}?done={}",
                case.number,
                step.code()
            ));
        }
        Err(AppError::Conflict(_)) => (
            Shown {
                entered,
                conflict: true,
                ..Shown::default()
            },
            StatusCode::CONFLICT,
        ),
        Err(AppError::Invalid(why)) => (
            Shown {
                entered,
                refused: Some((step, why)),
                ..Shown::default()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(other) => return fail(other),
    };
    case_page(&state, lang, &uri, &principal, &number, shown, status).await
}
