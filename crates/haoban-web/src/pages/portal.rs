//! `/portal`, the resident portal (网上办事): sign in with the ID number and a one-time
//! code, see one's cases with their status and deadline, apply online with uploads
//! ([`apply`]), send a supplement when asked, rate a delivered case, and be helped by a
//! clerk at the online area ([`assist`]). Every step goes through the API's own paths.

mod apply;
mod assist;
mod msgs;
mod offers;

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::Response;
use haoban_cases::{Case, CaseStatus, DeadlineState, IdNumber, Role};
use haoban_feedback::{Channel, Target};
use haoban_store::CaseFilter;
use serde::Deserialize;

pub use self::apply::{apply_form, apply_step, items as apply_items, supplement};
pub use self::assist::{assist_form, assist_step};
use self::msgs::PortalMsgs;
pub use self::offers::answer as answer_offer;
use super::office::status_label;
use super::office::view::{RecordLine, record_lines};
use super::rate::{LevelButton, level_buttons, level_label};
use super::{Chrome, Lang, MaybeSignedIn, error_page, form_field, posted_form, render, see_other};
use crate::AppState;
use crate::api::cases::{case_deadline, reachable};
use crate::api::feedback::{RateRequest, give};
use crate::api::self_service::{file_response, read_upload};
use crate::api::session::{send_resident_code, sign_resident_in};
use crate::audit::AccessNote;
use crate::auth::Principal;
use crate::error::AppError;

/// The most cases the home page lists.
const CASES_SHOWN: u32 = 200;

/// The signed-in resident, or the sign-in page's address to go to.
fn resident(principal: Option<Principal>) -> Result<Principal, Box<Response>> {
    match principal {
        Some(p) if p.role == Role::Resident => Ok(p),
        _ => Err(Box::new(see_other("/portal"))),
    }
}

/// What every portal page shows besides the frame: its words, the assisting clerk named,
/// the session's form token.
struct PortalChrome {
    p: &'static PortalMsgs,
    assisted: Option<String>,
    csrf_token: String,
}

/// The frame of a portal page (no staff navigation) and the portal's own parts.
fn chrome(
    lang: Lang,
    title: &str,
    uri: &Uri,
    principal: Option<&Principal>,
) -> (Chrome, PortalChrome) {
    let p = PortalMsgs::of(lang);
    let mut page = Chrome::new(lang, title, uri, principal);
    // A resident's pages have their own navigation and sign-out; the staff header's user
    // line (role, masked ID, a second sign-out) only crowds a phone.
    if principal.is_some_and(|pr| pr.role == Role::Resident) {
        page.user = None;
    }
    page.nav = "portal";
    let c = PortalChrome {
        p,
        assisted: principal
            .and_then(|pr| pr.assisted_by.as_ref())
            .map(|clerk| p.assisted_banner.replace("{}", clerk)),
        csrf_token: principal
            .map(|pr| pr.csrf_token.clone())
            .unwrap_or_default(),
    };
    (page, c)
}

#[derive(Template)]
#[template(path = "portal_sign_in.html")]
struct SignInPage {
    page: Chrome,
    c: PortalChrome,
    centers: Vec<String>,
    center: String,
    id_number: String,
    /// Shown once a code was sent: the code field.
    code_sent: Option<String>,
    id_error: Option<&'static str>,
    center_error: Option<&'static str>,
    code_error: Option<&'static str>,
    /// Where the form posts: the portal's own sign-in, or a clerk's assisted one.
    action: &'static str,
    title: &'static str,
    intro: &'static str,
}

impl SignInPage {
    async fn new(state: &AppState, lang: Lang, uri: &Uri, center: Option<String>) -> SignInPage {
        let p = PortalMsgs::of(lang);
        let centers = state.store.centers().await.unwrap_or_default();
        let center = center
            .or_else(|| (centers.len() == 1).then(|| centers[0].clone()))
            .unwrap_or_default();
        let (page, c) = chrome(lang, p.sign_in_title, uri, None);
        SignInPage {
            page,
            c,
            centers,
            center,
            id_number: String::new(),
            code_sent: None,
            id_error: None,
            center_error: None,
            code_error: None,
            action: "/portal",
            title: p.sign_in_title,
            intro: p.sign_in_intro,
        }
    }
}

struct CaseRow {
    number: String,
    item: String,
    status: &'static str,
    deadline: String,
    deadline_class: &'static str,
    /// A supplement is asked for: the resident must act.
    needs_action: bool,
}

#[derive(Template)]
#[template(path = "portal_home.html")]
struct HomePage {
    page: Chrome,
    c: PortalChrome,
    cases: Vec<CaseRow>,
    offers: Vec<offers::OfferLine>,
    /// The name the center knows the resident by, prefilled when confirming an offer.
    known_name: String,
    done: Option<&'static str>,
}

fn item_name(state: &AppState, lang: Lang, id: &str) -> String {
    state.catalog.item(id).map_or_else(
        || id.to_owned(),
        |item| item.name.get(lang.locale()).to_owned(),
    )
}

/// The deadline in words and its CSS class.
fn deadline_words(state: &AppState, p: &PortalMsgs, case: &Case) -> (String, &'static str) {
    match case_deadline(state, case) {
        None => (String::new(), ""),
        Some(d) => {
            let (words, class) = match d.state {
                DeadlineState::OnTrack => (p.deadline_on_track, "on-track"),
                DeadlineState::DueSoon => (p.deadline_due_soon, "due-soon"),
                DeadlineState::Overdue => (p.deadline_overdue, "overdue"),
            };
            (format!("{} · {words}", d.due.format("%Y-%m-%d")), class)
        }
    }
}

#[derive(Deserialize)]
pub struct HomeQuery {
    center: Option<String>,
    done: Option<String>,
}

/// `GET /portal`: the resident's cases, or the sign-in form.
pub async fn home(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    query: Result<Query<HomeQuery>, QueryRejection>,
    MaybeSignedIn(principal): MaybeSignedIn,
) -> Response {
    let query = query.ok().map(|Query(q)| q);
    let Some(principal) = principal.filter(|p| p.role == Role::Resident) else {
        let center = query.and_then(|q| q.center);
        return render(
            StatusCode::OK,
            &SignInPage::new(&state, lang, &uri, center).await,
        );
    };
    let p = PortalMsgs::of(lang);
    let mut filter = CaseFilter::center(principal.center.clone());
    filter.applicant = Some(principal.subject.clone());
    filter.limit = CASES_SHOWN;
    let cases = match state.store.cases(&filter).await {
        Ok(cases) => cases,
        Err(err) => return error_page(lang, &uri, Some(&principal), err.into()),
    };
    let cases = cases
        .iter()
        .map(|case| {
            let (deadline, deadline_class) = deadline_words(&state, p, case);
            CaseRow {
                number: case.number.to_string(),
                item: item_name(&state, lang, &case.item),
                status: status_label(lang, case.status),
                deadline,
                deadline_class,
                needs_action: case.status == CaseStatus::SupplementRequested,
            }
        })
        .collect();
    let done = match query.and_then(|q| q.done).as_deref() {
        Some("applied") => Some(p.applied),
        Some("declined") => Some(p.declined),
        _ => None,
    };
    let (offers, known_name) = match offers::open_offers(&state, lang, &principal).await {
        Ok(found) => found,
        Err(err) => return error_page(lang, &uri, Some(&principal), err),
    };
    let (page, c) = chrome(lang, p.title, &uri, Some(&principal));
    let page = HomePage {
        page,
        c,
        cases,
        offers,
        known_name,
        done,
    };
    render(StatusCode::OK, &page)
}

/// The sign-in form's fields, for both steps.
#[derive(Deserialize, Default)]
pub struct SignInForm {
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    center: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    step: String,
}

/// Checks the ID number and center typed; errors go next to their fields.
fn check_sign_in(page: &mut SignInPage, p: &'static PortalMsgs, form: &SignInForm) -> bool {
    page.id_number = form.id_number.trim().to_uppercase();
    page.center = form.center.trim().to_owned();
    page.id_error = IdNumber::parse(&page.id_number)
        .is_err()
        .then_some(p.err_id);
    page.center_error = haoban_cases::CenterId::parse(&page.center)
        .is_err()
        .then_some(p.err_center);
    page.id_error.is_none() && page.center_error.is_none()
}

/// `POST /portal`: `step=code` sends a code, `step=sign_in` checks it.
pub async fn sign_in(
    State(state): State<AppState>,
    note: AccessNote,
    lang: Lang,
    uri: Uri,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let p = PortalMsgs::of(lang);
    let form = form.map(|Form(f)| f).unwrap_or_default();
    note.attempted(&form.id_number);
    let mut page = SignInPage::new(&state, lang, &uri, None).await;
    if !check_sign_in(&mut page, p, &form) {
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let masked = IdNumber::parse(&page.id_number)
        .map(|id| id.masked())
        .unwrap_or_default();
    if form.step != "sign_in" {
        return match send_resident_code(&state, &page.id_number, &page.center).await {
            Ok(()) => {
                page.code_sent = Some(p.code_sent.replace("{}", &masked));
                render(StatusCode::OK, &page)
            }
            Err(err) => error_page(lang, &uri, None, err),
        };
    }
    page.code_sent = Some(p.code_sent.replace("{}", &masked));
    let code = form.code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        page.code_error = Some(p.err_code);
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    match sign_resident_in(&state, &page.id_number, code, None).await {
        Ok(signed_in) => with_session(signed_in, "/portal"),
        Err(AppError::Forbidden(_)) => {
            page.code_error = Some(p.err_code_wrong);
            render(StatusCode::UNAUTHORIZED, &page)
        }
        Err(err) => error_page(lang, &uri, None, err),
    }
}

/// A redirect to `next` that sets the session cookie the API's sign-in set.
fn with_session(signed_in: Response, next: &str) -> Response {
    let mut response = see_other(next);
    if let Some(cookie) = signed_in.headers().get(header::SET_COOKIE) {
        response
            .headers_mut()
            .insert(header::SET_COOKIE, cookie.clone());
    }
    response
}

struct UploadLine {
    id: String,
    material: String,
    name: String,
    size_kb: String,
}

#[derive(Template)]
#[template(path = "portal_case.html")]
struct CasePage {
    page: Chrome,
    c: PortalChrome,
    number: String,
    item: String,
    status: &'static str,
    deadline: String,
    deadline_class: &'static str,
    /// The supplement asked for and by when, if one is awaited.
    supplement: Option<(String, String)>,
    supplement_error: Option<String>,
    note: String,
    materials: Vec<(String, String)>,
    uploads: Vec<UploadLine>,
    record: Vec<RecordLine>,
    /// Delivered and not rated yet: the rating buttons.
    rate: bool,
    levels: Vec<LevelButton>,
    /// The rating buttons' shared template asks; a level is chosen by pressing one.
    level_error: Option<&'static str>,
    rated: Option<&'static str>,
    done: Option<&'static str>,
    file_hint: String,
}

pub(super) fn material_label(state: &AppState, lang: Lang, id: &str) -> String {
    if id == crate::api::self_service::SUPPLEMENT {
        return PortalMsgs::of(lang).supplement_file.to_owned();
    }
    state
        .catalog
        .material(id)
        .map_or_else(|| id.to_owned(), |m| m.name.get(lang.locale()).to_owned())
}

/// What the case page shows besides the case: a refused supplement, a confirmation.
#[derive(Default)]
pub(super) struct CaseShown {
    pub supplement_error: Option<String>,
    pub note: String,
    pub done: Option<&'static str>,
}

pub(super) async fn case_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    number: &str,
    shown: CaseShown,
    status: StatusCode,
) -> Response {
    let p = PortalMsgs::of(lang);
    let fail = |err: AppError| error_page(lang, uri, Some(principal), err);
    let case = match reachable(state, principal, number, haoban_cases::Action::ReadCase).await {
        Ok(case) => case,
        Err(err) => return fail(err),
    };
    let target = Target::Case {
        case: case.number.clone(),
    };
    let (uploads, entries, rating) = match tokio::try_join!(
        state.store.uploads(&case.number),
        state.store.case_record(&case.number),
        state.store.rating(&case.center, &target),
    ) {
        Ok(found) => found,
        Err(err) => return fail(err.into()),
    };
    let (deadline, deadline_class) = deadline_words(state, p, &case);
    let supplement = case
        .suspensions
        .last()
        .filter(|_| case.status == CaseStatus::SupplementRequested)
        .map(|s| {
            (
                s.request.clone(),
                p.supplement_due
                    .replace("{}", &s.due.format("%Y-%m-%d").to_string()),
            )
        });
    let materials = case
        .required_materials
        .iter()
        .chain(&case.conditional_materials)
        .map(|m| (m.clone(), material_label(state, lang, m)))
        .collect();
    let (page, c) = chrome(lang, p.case_title, uri, Some(principal));
    let page = CasePage {
        page,
        c,
        number: case.number.to_string(),
        item: item_name(state, lang, &case.item),
        status: status_label(lang, case.status),
        deadline,
        deadline_class,
        supplement,
        supplement_error: shown.supplement_error,
        note: shown.note,
        materials,
        uploads: uploads
            .into_iter()
            .map(|u| UploadLine {
                material: material_label(state, lang, &u.material),
                size_kb: format!("{:.1} KB", u.meta.size as f64 / 1024.0),
                name: u.meta.name,
                id: u.id,
            })
            .collect(),
        record: record_lines(state, lang, &entries),
        rate: rating.is_none() && matches!(case.status, CaseStatus::Delivered | CaseStatus::Closed),
        levels: level_buttons(lang),
        level_error: None,
        rated: rating.map(|r| level_label(lang, r.level)),
        done: shown.done,
        file_hint: p.file_hint.replace(
            "{}",
            &(state.config.self_service.upload_limit / (1024 * 1024)).to_string(),
        ),
    };
    render(status, &page)
}

#[derive(Deserialize)]
pub struct CaseQuery {
    done: Option<String>,
}

/// `GET /portal/cases/{number}`.
pub async fn case(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    MaybeSignedIn(principal): MaybeSignedIn,
    Path(number): Path<String>,
    query: Result<Query<CaseQuery>, QueryRejection>,
) -> Response {
    let principal = match resident(principal) {
        Ok(p) => p,
        Err(to_sign_in) => return *to_sign_in,
    };
    let p = PortalMsgs::of(lang);
    let done = match query.ok().and_then(|Query(q)| q.done).as_deref() {
        Some("applied") => Some(p.applied),
        Some("supplemented") => Some(p.supplemented),
        Some("rated") => Some(p.rated_thanks),
        _ => None,
    };
    let shown = CaseShown {
        done,
        ..CaseShown::default()
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

/// `POST /portal/cases/{number}/rate`.
pub async fn rate(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    MaybeSignedIn(principal): MaybeSignedIn,
    Path(number): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let principal = match resident(principal) {
        Ok(p) => p,
        Err(to_sign_in) => return *to_sign_in,
    };
    let pairs = match posted_form(lang, &uri, &principal, form) {
        Ok(pairs) => pairs,
        Err(refused) => return *refused,
    };
    let level = form_field(&pairs, "level").parse::<i64>().unwrap_or(0);
    let case = match reachable(&state, &principal, &number, haoban_cases::Action::Rate).await {
        Ok(case) => case,
        Err(err) => return error_page(lang, &uri, Some(&principal), err),
    };
    let request = RateRequest {
        target: Some(Target::Case {
            case: case.number.clone(),
        }),
        center: Some(case.center.to_string()),
        level,
        channel: Channel::Portal,
        id_number: None,
        token: None,
    };
    match give(&state, Some(&principal), request).await {
        Ok(_) => see_other(&format!("/portal/cases/{}?done=rated", case.number)),
        Err(err) => error_page(lang, &uri, Some(&principal), err),
    }
}

/// `GET /portal/cases/{number}/uploads/{id}`: one's own file, checked against its hash.
pub async fn download(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    MaybeSignedIn(principal): MaybeSignedIn,
    Path((number, id)): Path<(String, String)>,
) -> Response {
    let Some(principal) = principal else {
        return see_other("/portal");
    };
    match read_upload(&state, &principal, &number, &id).await {
        Ok((upload, bytes)) => file_response(&upload, bytes),
        Err(err) => error_page(lang, &uri, Some(&principal), err),
    }
}
