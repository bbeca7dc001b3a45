//! The staff section, the security administrator's (安全管理员): the center's accounts and
//! roles, a form that creates one (the same username and password rules as `haoban admin
//! create-user`), disabling one, which ends its sessions and tokens at once, and issuing
//! an account a new TOTP key, shown once on the page that answers the form.
//!
//! Security administrators are created on the command line only, so one of them cannot
//! make another from the page.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::{Action, Role};
use haoban_store::{StoreError, User};

use super::msgs::AdminMsgs;
use super::{Done, Posted, Shown, done, fill, show};
use crate::AppState;
use crate::audit::AccessNote;
use crate::auth::totp::TotpSecret;
use crate::auth::{CredentialProblem, PasswordRule, Principal, check_username, hash_password};
use crate::error::AppError;
use crate::pages::{Lang, SignedIn, error_page};

/// The account form as typed. Passwords are never sent back to the browser.
#[derive(Debug, Default, Clone)]
pub(super) struct UserEntry {
    username: String,
    role: String,
    errors: UserErrors,
}

#[derive(Debug, Default, Clone)]
struct UserErrors {
    username: Option<String>,
    role: Option<String>,
    password: Option<String>,
    password_again: Option<String>,
}

impl UserErrors {
    fn any(&self) -> bool {
        self.username.is_some()
            || self.role.is_some()
            || self.password.is_some()
            || self.password_again.is_some()
    }
}

fn problem(a: &AdminMsgs, problem: CredentialProblem) -> String {
    match problem {
        CredentialProblem::Username => a.err_username.to_owned(),
        CredentialProblem::PasswordShort(min) => fill(a.err_password_short, &min.to_string()),
        CredentialProblem::PasswordLong => a.err_password_long.to_owned(),
        CredentialProblem::PasswordSimple => a.err_password_simple.to_owned(),
        CredentialProblem::PasswordHasUsername => a.err_password_has_username.to_owned(),
    }
}

/// The roles the page may give: every staff role but the security administrator's.
fn assignable(role: Role) -> bool {
    Role::STAFF.contains(&role) && role != Role::SecurityAdmin
}

/// A TOTP key just issued, shown on this one answer and never again.
pub(super) struct IssuedKey {
    pub(super) heading: String,
    pub(super) key: String,
    pub(super) link: String,
}

/// What the section shows besides the stored accounts.
pub(super) struct Input<'a> {
    pub(super) done: Option<&'a (Done, String)>,
    pub(super) entry: Option<UserEntry>,
    pub(super) disable_error: Option<(String, String)>,
    pub(super) issued: Option<IssuedKey>,
}

pub(super) struct UserRow {
    pub(super) username: String,
    pub(super) role: &'static str,
    pub(super) disabled: bool,
    /// Whether it has a TOTP key, and whether its role needs one.
    pub(super) second_factor: &'static str,
    pub(super) needs_key: bool,
    pub(super) is_self: bool,
    pub(super) disable_label: String,
    pub(super) issue_label: String,
    pub(super) error: Option<String>,
}

pub(super) struct RoleOption {
    pub(super) code: &'static str,
    pub(super) label: &'static str,
    pub(super) selected: bool,
}

pub(super) struct StaffSection {
    pub(super) rows: Vec<UserRow>,
    pub(super) confirmation: Option<String>,
    /// A disabling refused for an account not listed.
    pub(super) disable_error: Option<String>,
    pub(super) username: String,
    pub(super) roles: Vec<RoleOption>,
    pub(super) password_hint: &'static str,
    pub(super) issued: Option<IssuedKey>,
    pub(super) username_error: Option<String>,
    pub(super) role_error: Option<String>,
    pub(super) password_error: Option<String>,
    pub(super) password_again_error: Option<String>,
}

impl StaffSection {
    pub(super) async fn load(
        state: &AppState,
        lang: Lang,
        principal: &Principal,
        input: Input<'_>,
    ) -> Result<StaffSection, AppError> {
        let a = AdminMsgs::of(lang);
        let t = lang.msgs();
        let users = state.store.users(&principal.center).await?;
        let confirmation = input.done.and_then(|(what, name)| {
            let user = users.iter().find(|u| u.username == *name)?;
            match what {
                Done::UserCreated => Some(fill(a.done_user_created, name)),
                Done::UserDisabled if user.disabled => Some(fill(a.done_user_disabled, name)),
                _ => None,
            }
        });
        let (row_error, disable_error) = match input.disable_error {
            Some((name, why)) if !users.iter().any(|u| u.username == name) => (None, Some(why)),
            other => (other, None),
        };
        let rows = users
            .iter()
            .map(|user| UserRow {
                username: user.username.clone(),
                role: t.role(user.role),
                disabled: user.disabled,
                second_factor: match (&user.totp_secret, state.config.needs_totp(user.role)) {
                    (Some(_), _) => a.totp_on,
                    (None, true) => a.totp_missing,
                    (None, false) => a.totp_off,
                },
                needs_key: user.totp_secret.is_none() && state.config.needs_totp(user.role),
                is_self: user.username == principal.subject,
                disable_label: fill(a.disable_user, &user.username),
                issue_label: fill(a.issue_totp_user, &user.username),
                error: row_error
                    .as_ref()
                    .filter(|(name, _)| *name == user.username)
                    .map(|(_, why)| why.clone()),
            })
            .collect();
        let entry = input.entry.unwrap_or_default();
        let roles = Role::STAFF
            .into_iter()
            .filter(|role| assignable(*role))
            .map(|role| RoleOption {
                code: role.as_str(),
                label: t.role(role),
                selected: entry.role == role.as_str(),
            })
            .collect();
        Ok(StaffSection {
            rows,
            confirmation,
            disable_error,
            username: entry.username,
            roles,
            password_hint: match state.config.password_rule {
                PasswordRule::Mlps => a.password_hint_mlps,
                PasswordRule::Asvs => a.password_hint_asvs,
            },
            issued: input.issued,
            username_error: entry.errors.username,
            role_error: entry.errors.role,
            password_error: entry.errors.password,
            password_again_error: entry.errors.password_again,
        })
    }
}

/// POST /admin/users: creates an account of this center.
pub async fn create_user(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    note: AccessNote,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let posted = match Posted::read(lang, &uri, &principal, Action::ManageUsers, form) {
        Ok(posted) => posted,
        Err(refused) => return *refused,
    };
    note.about("username", &posted.field("username"));
    let a = AdminMsgs::of(lang);
    let typed = posted.field("username");
    let password = posted.field("password");
    let mut entry = UserEntry {
        username: typed.clone(),
        role: posted.field("role"),
        errors: UserErrors::default(),
    };
    let username = check_username(&typed)
        .map_err(|p| entry.errors.username = Some(problem(a, p)))
        .ok();
    let role = Role::parse(&entry.role).filter(|role| assignable(*role));
    if role.is_none() {
        entry.errors.role = Some(a.err_role.to_owned());
    }
    if let Err(p) = state.config.password_rule.check(&password, &typed) {
        entry.errors.password = Some(problem(a, p));
    } else if posted.field("password_again") != password {
        entry.errors.password_again = Some(a.err_password_mismatch.to_owned());
    }
    let refuse = |entry: UserEntry| {
        let shown = Shown {
            user: Some(entry),
            ..Shown::default()
        };
        show(
            &state,
            lang,
            &uri,
            &principal,
            shown,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let (Some(username), Some(role)) = (username, role) else {
        return refuse(entry).await;
    };
    if entry.errors.any() {
        return refuse(entry).await;
    }
    let hash = match hash_password(&password) {
        Ok(hash) => hash,
        Err(err) => return error_page(lang, &uri, Some(&principal), err),
    };
    let user = User {
        username: username.to_owned(),
        role,
        center: principal.center.clone(),
        password_hash: hash,
        disabled: false,
        totp_secret: None,
        created_at: state.clock.now(),
    };
    match state.store.create_user(&user).await {
        Ok(()) => {
            tracing::info!(
                center = %principal.center,
                actor = %principal.actor(),
                username = %user.username,
                role = %user.role,
                "staff account created"
            );
            done(Done::UserCreated, &user.username)
        }
        Err(StoreError::Conflict(_)) => {
            entry.errors.username = Some(a.err_username_taken.to_owned());
            refuse(entry).await
        }
        Err(err) => error_page(lang, &uri, Some(&principal), err.into()),
    }
}

/// The account a row's button names: one of this center's (and, with `enabled_only`, not
/// disabled), not the caller's own (`own` says why not). Otherwise the page again, the
/// reason in the account's row, with 422.
async fn row_account(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    posted: &Posted,
    own: &str,
    enabled_only: bool,
) -> Result<String, Response> {
    let username = posted.field("username").trim().to_owned();
    let refused = if username == principal.subject {
        Some(own.to_owned())
    } else {
        match state.store.user(&username).await {
            Ok(Some(user))
                if user.center == principal.center && !(enabled_only && user.disabled) =>
            {
                None
            }
            // Another center's account is as unknown here as one that does not exist.
            Ok(_) => Some(fill(AdminMsgs::of(lang).err_no_user, &username)),
            Err(err) => return Err(error_page(lang, uri, Some(principal), err.into())),
        }
    };
    let Some(why) = refused else {
        return Ok(username);
    };
    let shown = Shown {
        disable_error: Some((username, why)),
        ..Shown::default()
    };
    Err(show(
        state,
        lang,
        uri,
        principal,
        shown,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await)
}

/// POST /admin/users/disable: disables an account of this center and ends its sessions.
pub async fn disable_user(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    note: AccessNote,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let posted = match Posted::read(lang, &uri, &principal, Action::ManageUsers, form) {
        Ok(posted) => posted,
        Err(refused) => return *refused,
    };
    note.about("username", &posted.field("username"));
    let own = AdminMsgs::of(lang).err_disable_self;
    let username = match row_account(&state, lang, &uri, &principal, &posted, own, false).await {
        Ok(username) => username,
        Err(refused) => return refused,
    };
    match state.store.disable_user(&username).await {
        Ok(()) => {
            tracing::info!(
                center = %principal.center,
                actor = %principal.actor(),
                username = %username,
                "staff account disabled, its sessions ended"
            );
            done(Done::UserDisabled, &username)
        }
        Err(err) => error_page(lang, &uri, Some(&principal), err.into()),
    }
}

/// POST /admin/users/totp: issues an account of this center a new TOTP key (the old one
/// stops working) and shows it this once, for its holder to add to an authenticator app.
pub async fn issue_totp(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    note: AccessNote,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let posted = match Posted::read(lang, &uri, &principal, Action::ManageUsers, form) {
        Ok(posted) => posted,
        Err(refused) => return *refused,
    };
    note.about("username", &posted.field("username"));
    let a = AdminMsgs::of(lang);
    let own = a.err_issue_self;
    let username = match row_account(&state, lang, &uri, &principal, &posted, own, true).await {
        Ok(username) => username,
        Err(refused) => return refused,
    };
    let secret = TotpSecret::generate();
    let key = secret.to_base32();
    if let Err(err) = state.store.set_totp_secret(&username, Some(&key)).await {
        return error_page(lang, &uri, Some(&principal), err.into());
    }
    tracing::info!(
        center = %principal.center,
        actor = %principal.actor(),
        username = %username,
        "TOTP key issued"
    );
    let shown = Shown {
        issued: Some(IssuedKey {
            heading: fill(a.issued_heading, &username),
            link: secret.uri("haoban", &username),
            key,
        }),
        ..Shown::default()
    };
    show(&state, lang, &uri, &principal, shown, StatusCode::OK).await
}
