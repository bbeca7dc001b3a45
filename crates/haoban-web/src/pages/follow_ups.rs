//! `/follow-ups` (差评回访整改): the follow-ups of bad ratings, open ones first by due date
//! with the overdue marked, and the page of one with its rating, what was done, and a form
//! for each step the signed-in staff member may take now: the call-back and the fix (the
//! supervisor), the appeal (the staff member rated), the decision (another supervisor).
//!
//! The supervisor sees the center's; other staff only those about them, as the API lists
//! them ([`crate::api::follow_ups::listed`]). A form posts to `/follow-ups/{id}/{step}`
//! with the session's `csrf_token`, and the step goes through the API's own path
//! ([`crate::api::follow_ups::take`]). Which forms a page offers is asked of the domain
//! (`haoban_feedback::step` tried with the signed-in staff member), so no rule is
//! repeated here. A note the domain refuses is shown next to its field, the text kept.

mod msgs;
mod view;

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::{Action, Scope};
use haoban_feedback::{FollowUp, FollowUpCommand, TEXT_MAX_CHARS, Target, step};
use serde::Deserialize;

use self::msgs::FollowUpMsgs;
use self::view::{Line, RatingView, Row, history, rating_view, row};
use super::{Chrome, Lang, SignedIn, error_page, posted_form, render, see_other};
use crate::api::follow_ups::{listed, sees_all, take, visible};
use crate::auth::Principal;
use crate::error::AppError;
use crate::{AppState, authorize};

pub fn nav_label(lang: Lang) -> &'static str {
    FollowUpMsgs::of(lang).nav
}

/// Whether the navigation offers the follow-ups: to whoever the API lists them for.
pub fn may_use(principal: &Principal) -> bool {
    sees_all(principal).is_ok()
}

fn gate(lang: Lang, uri: &Uri, principal: &Principal) -> Result<bool, Box<Response>> {
    sees_all(principal).map_err(|_| {
        let why = FollowUpMsgs::of(lang).forbidden.to_owned();
        Box::new(error_page(
            lang,
            uri,
            Some(principal),
            AppError::Forbidden(why),
        ))
    })
}

#[derive(Template)]
#[template(path = "follow_ups.html")]
struct ListPage {
    page: Chrome,
    f: &'static FollowUpMsgs,
    all_staff: bool,
    counts: String,
    overdue: usize,
    rows: Vec<Row>,
}

/// GET /follow-ups: every follow-up the staff member may see, open ones first.
pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
) -> Response {
    let all_staff = match gate(lang, &uri, &principal) {
        Ok(all_staff) => all_staff,
        Err(refused) => return *refused,
    };
    let mut follow_ups = match listed(&state, &principal, true).await {
        Ok(found) => found,
        Err(err) => return error_page(lang, &uri, Some(&principal), err),
    };
    // The store gives them by due date; the open ones go first, still by due date.
    follow_ups.sort_by_key(|f| (f.resolved(), f.due));
    let rows: Vec<Row> = follow_ups.iter().map(|f| row(&state, lang, f)).collect();
    let open = rows.iter().filter(|r| !r.resolved).count();
    let overdue = rows.iter().filter(|r| r.overdue).count();
    let f = FollowUpMsgs::of(lang);
    let mut page = Chrome::new(lang, f.list_title, &uri, Some(&principal));
    page.nav = "follow-ups";
    let list = ListPage {
        page,
        f,
        all_staff,
        counts: f
            .counts
            .replace("{open}", &open.to_string())
            .replace("{overdue}", &overdue.to_string()),
        overdue,
        rows,
    };
    render(StatusCode::OK, &list)
}

/// A step of the follow-up, as its URL names it (the API's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StepName {
    CallBack,
    Fix,
    Appeal,
    Decide,
}

impl StepName {
    fn parse(code: &str) -> Option<StepName> {
        match code {
            "call_back" => Some(StepName::CallBack),
            "fix" => Some(StepName::Fix),
            "appeal" => Some(StepName::Appeal),
            "decide" => Some(StepName::Decide),
            _ => None,
        }
    }

    fn code(self) -> &'static str {
        match self {
            StepName::CallBack => "call_back",
            StepName::Fix => "fix",
            StepName::Appeal => "appeal",
            StepName::Decide => "decide",
        }
    }

    fn done(self, f: &FollowUpMsgs) -> &'static str {
        match self {
            StepName::CallBack => f.done_call_back,
            StepName::Fix => f.done_fix,
            StepName::Appeal => f.done_appeal,
            StepName::Decide => f.done_decide,
        }
    }

    /// The command with `text` (and for a decision, `upheld`).
    fn command(self, text: String, upheld: bool) -> FollowUpCommand {
        match self {
            StepName::CallBack => FollowUpCommand::CallBack { note: text },
            StepName::Fix => FollowUpCommand::Fix { note: text },
            StepName::Appeal => FollowUpCommand::Appeal { reason: text },
            StepName::Decide => FollowUpCommand::Decide { upheld, note: text },
        }
    }
}

/// The forms the page offers: the steps the domain would let this staff member take now.
#[derive(Default)]
struct Offered {
    call_back: bool,
    fix: bool,
    appeal: bool,
    decide: bool,
}

impl Offered {
    fn new(state: &AppState, principal: &Principal, follow_up: &FollowUp) -> Offered {
        let by = crate::api::hall::by(state, principal);
        let may = |name: StepName| {
            let command = name.command("-".into(), true);
            step(follow_up, &command, &by.actor, by.role, by.at).is_ok()
        };
        Offered {
            call_back: may(StepName::CallBack),
            fix: may(StepName::Fix),
            appeal: may(StepName::Appeal),
            decide: may(StepName::Decide),
        }
    }

    fn any(&self) -> bool {
        self.call_back || self.fix || self.appeal || self.decide
    }
}

/// What was typed, kept when a form is refused.
#[derive(Default)]
struct Entered {
    call_back: String,
    fix: String,
    appeal: String,
    decide: String,
    /// `upheld`, `rejected`, or empty.
    decision: String,
}

impl Entered {
    fn text(&self, name: StepName) -> &str {
        match name {
            StepName::CallBack => &self.call_back,
            StepName::Fix => &self.fix,
            StepName::Appeal => &self.appeal,
            StepName::Decide => &self.decide,
        }
    }
}

/// A refusal next to a field: which step's text, or the decision's choice.
#[derive(Default)]
struct Errors {
    /// The step whose text was refused (its code), and why.
    text_step: &'static str,
    text: Option<String>,
    decision: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "follow_up.html")]
struct DetailPage {
    page: Chrome,
    f: &'static FollowUpMsgs,
    row: Row,
    item: String,
    case_href: Option<String>,
    rating: Option<RatingView>,
    history: Vec<Line>,
    offered: Offered,
    any_offered: bool,
    entered: Entered,
    errors: Errors,
    refused_step: &'static str,
    refused: Option<String>,
    confirmation: Option<&'static str>,
    csrf_token: String,
    text_max: usize,
}

/// What the page shows besides the follow-up.
#[derive(Default)]
struct Shown {
    done: Option<StepName>,
    entered: Entered,
    errors: Errors,
    refused: Option<(StepName, String)>,
}

async fn detail_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    id: &str,
    shown: Shown,
    status: StatusCode,
) -> Response {
    let f = FollowUpMsgs::of(lang);
    let fail = |err: AppError| error_page(lang, uri, Some(principal), err);
    let follow_up = match visible(state, principal, id).await {
        Ok(found) => found,
        Err(err) => return fail(err),
    };
    let rating = match rating_view(state, lang, &follow_up).await {
        Ok(rating) => rating,
        Err(err) => return fail(err),
    };
    let (item, case_href) = match &follow_up.target {
        Target::Case { case } => {
            let item = match state.store.case(case).await {
                Ok(found) => found
                    .map(|c| {
                        state
                            .catalog
                            .item(&c.item)
                            .map_or(c.item.clone(), |i| i.name.get(lang.locale()).to_owned())
                    })
                    .unwrap_or_default(),
                Err(err) => return fail(err.into()),
            };
            let office = matches!(
                authorize(principal, Action::ListCases),
                Ok(Scope::OwnCenter)
            );
            (item, office.then(|| format!("/office/cases/{case}")))
        }
        Target::Visit { .. } => (String::new(), None),
    };
    let offered = Offered::new(state, principal, &follow_up);
    let (refused_step, refused) = match shown.refused {
        Some((name, why)) => (name.code(), Some(why)),
        None => ("", None),
    };
    let title = format!("{} {}", f.title, follow_up.id);
    let mut page = Chrome::new(lang, &title, uri, Some(principal));
    page.nav = "follow-ups";
    page.switch_href = format!("/follow-ups/{}?lang={}", follow_up.id, lang.other().code());
    let detail = DetailPage {
        page,
        f,
        row: row(state, lang, &follow_up),
        item,
        case_href,
        rating,
        history: history(state, f, &follow_up),
        any_offered: offered.any(),
        offered,
        entered: shown.entered,
        errors: shown.errors,
        refused_step,
        refused,
        confirmation: shown.done.map(|name| name.done(f)),
        csrf_token: principal.csrf_token.clone(),
        text_max: TEXT_MAX_CHARS,
    };
    render(status, &detail)
}

#[derive(Deserialize)]
pub struct DetailQuery {
    done: Option<String>,
}

/// GET /follow-ups/{id}.
pub async fn detail(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    Path(id): Path<String>,
    query: Result<Query<DetailQuery>, QueryRejection>,
) -> Response {
    if let Err(refused) = gate(lang, &uri, &principal) {
        return *refused;
    }
    let done = query
        .ok()
        .and_then(|Query(q)| q.done.as_deref().and_then(StepName::parse));
    let shown = Shown {
        done,
        ..Shown::default()
    };
    detail_page(&state, lang, &uri, &principal, &id, shown, StatusCode::OK).await
}

/// POST /follow-ups/{id}/{step}: one step, through the API's path.
pub async fn act(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    Path((id, code)): Path<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    if let Err(refused) = gate(lang, &uri, &principal) {
        return *refused;
    }
    let Some(name) = StepName::parse(&code) else {
        let missing = AppError::NotFound(format!("no step `{code}`"));
        return error_page(lang, &uri, Some(&principal), missing);
    };
    let pairs = match posted_form(lang, &uri, &principal, form) {
        Ok(pairs) => pairs,
        Err(refused) => return *refused,
    };
    let field = |key: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map_or_else(String::new, |(_, value)| value.clone())
    };
    let entered = Entered {
        call_back: field("call_back_note"),
        fix: field("fix_note"),
        appeal: field("appeal_reason"),
        decide: field("decide_note"),
        decision: field("decision"),
    };
    let f = FollowUpMsgs::of(lang);
    let text = entered.text(name).to_owned();
    let upheld = match name {
        StepName::Decide => match entered.decision.as_str() {
            "upheld" => Some(true),
            "rejected" => Some(false),
            _ => None,
        },
        // Only a decision has a choice; the other steps ignore it.
        _ => Some(true),
    };
    let refuse_text = |errors: &mut Errors| {
        errors.text_step = name.code();
        errors.text = Some(f.err_note.replace("{max}", &TEXT_MAX_CHARS.to_string()));
    };
    let Some(upheld) = upheld else {
        // No decision chosen: say so, and say now too if the grounds would be refused.
        let mut errors = Errors {
            decision: Some(f.err_decide),
            ..Errors::default()
        };
        if let Ok(follow_up) = visible(&state, &principal, &id).await {
            let by = crate::api::hall::by(&state, &principal);
            let tried = step(
                &follow_up,
                &name.command(text, true),
                &by.actor,
                by.role,
                by.at,
            );
            if let Err(haoban_feedback::FollowUpError::Invalid(_)) = tried {
                refuse_text(&mut errors);
            }
        }
        let shown = Shown {
            entered,
            errors,
            ..Shown::default()
        };
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return detail_page(&state, lang, &uri, &principal, &id, shown, status).await;
    };
    let (shown, status) = match take(&state, &principal, &id, name.command(text, upheld)).await {
        Ok(follow_up) => {
            return see_other(&format!(
                "/follow-ups/{}?done={}",
                follow_up.id,
                name.code()
            ));
        }
        // The only thing a step refuses as invalid is its text: empty or too long.
        Err(AppError::Invalid(_)) => {
            let mut errors = Errors::default();
            refuse_text(&mut errors);
            let shown = Shown {
                entered,
                errors,
                ..Shown::default()
            };
            (shown, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(AppError::Conflict(why)) => (
            Shown {
                entered,
                refused: Some((name, why)),
                ..Shown::default()
            },
            StatusCode::CONFLICT,
        ),
        Err(AppError::Forbidden(why)) => (
            Shown {
                entered,
                refused: Some((name, why)),
                ..Shown::default()
            },
            StatusCode::FORBIDDEN,
        ),
        Err(other) => return error_page(lang, &uri, Some(&principal), other),
    };
    detail_page(&state, lang, &uri, &principal, &id, shown, status).await
}
