//! `/admin`, the administrator's basics of a staffed hall: the center's windows and their
//! skills, its staff accounts and roles, and the catalog in use (with a check of another
//! catalog directory, which never replaces the one in use).
//!
//! One page shows every section the policy table lets the signed-in role use
//! (`ManageHall`, `ManageUsers`, `CheckCatalog`: today the admin role only). Each form posts
//! with the session's `csrf_token`; bad input comes back on the same page with the message
//! next to its field and what was typed kept (passwords excepted), with 422; a change
//! redirects (303) to `/admin?done=…&name=…#section`, and the page confirms it only when
//! the store shows it done.

mod catalog;
mod msgs;
mod staff;
mod windows;

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::{Action, permits};
use haoban_store::By;
use serde::Deserialize;

use self::catalog::{CatalogSection, CheckEntry};
use self::msgs::AdminMsgs;
use self::staff::{StaffSection, UserEntry};
use self::windows::{WindowEntry, WindowsSection};
use super::{Chrome, Lang, SignedIn, encode, error_page, posted_form, render, see_other};
use crate::AppState;
use crate::auth::Principal;
use crate::error::AppError;

pub use self::catalog::check;
pub use self::staff::{create_user, disable_user, issue_totp};
pub use self::windows::{remove_window, save_window};

/// The actions the page's sections need, one each.
const ACTIONS: [Action; 3] = [
    Action::ManageHall,
    Action::ManageUsers,
    Action::CheckCatalog,
];

/// Whether the signed-in role may use the admin page at all (any of its sections).
pub fn may_use(principal: &Principal) -> bool {
    ACTIONS
        .iter()
        .any(|action| permits(principal.role, *action).is_some())
}

/// The navigation's name for the page.
pub fn nav_label(lang: Lang) -> &'static str {
    AdminMsgs::of(lang).title
}

fn may(principal: &Principal, action: Action) -> bool {
    permits(principal.role, action).is_some()
}

fn forbidden(lang: Lang, uri: &Uri, principal: &Principal) -> Response {
    let why = AdminMsgs::of(lang).forbidden.to_owned();
    error_page(lang, uri, Some(principal), AppError::Forbidden(why))
}

/// A change the page confirms after the redirect, when the store shows it done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Done {
    WindowSaved,
    WindowRemoved,
    UserCreated,
    UserDisabled,
}

impl Done {
    const ALL: [Done; 4] = [
        Done::WindowSaved,
        Done::WindowRemoved,
        Done::UserCreated,
        Done::UserDisabled,
    ];

    fn code(self) -> &'static str {
        match self {
            Done::WindowSaved => "window-saved",
            Done::WindowRemoved => "window-removed",
            Done::UserCreated => "user-created",
            Done::UserDisabled => "user-disabled",
        }
    }

    fn section(self) -> &'static str {
        match self {
            Done::WindowSaved | Done::WindowRemoved => "windows",
            Done::UserCreated | Done::UserDisabled => "staff",
        }
    }

    fn parse(code: &str) -> Option<Done> {
        Done::ALL.into_iter().find(|d| d.code() == code)
    }

    /// Where a form that did this sends the browser.
    fn location(self, name: &str) -> String {
        format!(
            "/admin?done={}&name={}#{}",
            self.code(),
            encode(name),
            self.section()
        )
    }
}

/// What the page shows besides the stored state: a form as typed with its messages, or
/// the confirmation of a change.
#[derive(Default)]
struct Shown {
    done: Option<(Done, String)>,
    /// `?edit=`: the window whose skills the form starts from.
    edit: Option<String>,
    window: Option<WindowEntry>,
    /// A removal refused: the window's name and why.
    remove_error: Option<(String, String)>,
    user: Option<UserEntry>,
    /// A disabling refused: the username and why.
    disable_error: Option<(String, String)>,
    /// A TOTP key just issued: shown on this answer only.
    issued: Option<staff::IssuedKey>,
    check: Option<CheckEntry>,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    page: Chrome,
    a: &'static AdminMsgs,
    csrf_token: String,
    windows: Option<WindowsSection>,
    staff: Option<StaffSection>,
    catalog: Option<CatalogSection>,
}

async fn admin_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    shown: Shown,
) -> Result<AdminPage, AppError> {
    let a = AdminMsgs::of(lang);
    let mut chrome = Chrome::new(lang, a.title, uri, Some(principal));
    chrome.nav = "admin";
    if uri.path() != "/admin" {
        // A form's answer: the switch leads to the page itself, not to the form's address.
        chrome.switch_href = format!("/admin?lang={}", lang.other().code());
    }
    let Shown {
        done,
        edit,
        window,
        remove_error,
        user,
        disable_error,
        issued,
        check,
    } = shown;
    let windows = if may(principal, Action::ManageHall) {
        let input = windows::Input {
            done: done.as_ref().filter(|(d, _)| d.section() == "windows"),
            edit: edit.as_deref(),
            entry: window,
            remove_error,
        };
        Some(WindowsSection::load(state, lang, principal, input).await?)
    } else {
        None
    };
    let staff = if may(principal, Action::ManageUsers) {
        let input = staff::Input {
            done: done.as_ref().filter(|(d, _)| d.section() == "staff"),
            entry: user,
            disable_error,
            issued,
        };
        Some(StaffSection::load(state, lang, principal, input).await?)
    } else {
        None
    };
    let catalog = may(principal, Action::CheckCatalog)
        .then(|| CatalogSection::new(state, lang, check.unwrap_or_default()));
    Ok(AdminPage {
        page: chrome,
        a,
        csrf_token: principal.csrf_token.clone(),
        windows,
        staff,
        catalog,
    })
}

/// The page, or the error page when it cannot be read.
async fn show(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    shown: Shown,
    status: StatusCode,
) -> Response {
    match admin_page(state, lang, uri, principal, shown).await {
        Ok(page) => render(status, &page),
        Err(err) => error_page(lang, uri, Some(principal), err),
    }
}

#[derive(Deserialize)]
pub struct AdminQuery {
    done: Option<String>,
    name: Option<String>,
    edit: Option<String>,
}

/// GET /admin: every section the role may use.
pub async fn page(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    query: Result<Query<AdminQuery>, QueryRejection>,
) -> Response {
    if !may_use(&principal) {
        return forbidden(lang, &uri, &principal);
    }
    let query = query.ok().map(|Query(q)| q);
    let (done, name, edit) = match query {
        Some(q) => (q.done, q.name, q.edit),
        None => (None, None, None),
    };
    let shown = Shown {
        done: done
            .as_deref()
            .and_then(Done::parse)
            .zip(name.map(|n| n.trim().to_owned())),
        edit,
        ..Shown::default()
    };
    show(&state, lang, &uri, &principal, shown, StatusCode::OK).await
}

/// A form posted to one of the page's actions: its fields, once the role may take
/// `action` and the `csrf_token` is the session's.
struct Posted(Vec<(String, String)>);

impl Posted {
    fn read(
        lang: Lang,
        uri: &Uri,
        principal: &Principal,
        action: Action,
        form: Result<Form<Vec<(String, String)>>, FormRejection>,
    ) -> Result<Posted, Box<Response>> {
        if !may(principal, action) {
            return Err(Box::new(forbidden(lang, uri, principal)));
        }
        posted_form(lang, uri, principal, form).map(Posted)
    }

    /// The field's value as sent (the last, if sent twice), or `""`.
    fn field(&self, name: &str) -> String {
        self.0
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map_or_else(String::new, |(_, value)| value.clone())
    }

    /// Every value sent for a field (checkboxes).
    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .collect()
    }
}

/// Who made a change, for the process record.
fn by(state: &AppState, principal: &Principal) -> By {
    By {
        actor: principal.actor(),
        role: principal.role,
        at: state.clock.now(),
    }
}

/// After a change: back to the page, which confirms it.
fn done(what: Done, name: &str) -> Response {
    see_other(&what.location(name))
}

/// `template` with `{}` replaced by `value`.
fn fill(template: &str, value: &str) -> String {
    template.replacen("{}", value, 1)
}
