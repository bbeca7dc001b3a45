//! The windows section: a center's windows and their skills (全岗通 unless given skills),
//! a form that adds or replaces one, and removal. The store records each change.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::Action;
use haoban_catalog::Catalog;
use haoban_hall::Window;
use haoban_store::StoreError;

use super::msgs::AdminMsgs;
use super::{Done, Posted, Shown, by, done, fill, show};
use crate::AppState;
use crate::auth::Principal;
use crate::error::AppError;
use crate::pages::{Lang, SignedIn, encode, error_page};

/// The longest window name, in characters (as the call API takes it).
const NAME_MAX: usize = 16;
/// The longest categories field, in characters (26 letters with commas and spaces fit).
const CATEGORIES_MAX: usize = 200;

/// The window form as typed.
#[derive(Debug, Default, Clone)]
pub(super) struct WindowEntry {
    name: String,
    categories: String,
    items: Vec<String>,
    errors: WindowErrors,
}

/// Messages shown next to the form's fields.
#[derive(Debug, Default, Clone)]
struct WindowErrors {
    name: Option<String>,
    categories: Option<String>,
    items: Option<String>,
}

impl WindowErrors {
    fn any(&self) -> bool {
        self.name.is_some() || self.categories.is_some() || self.items.is_some()
    }
}

impl WindowEntry {
    fn of(window: &Window) -> WindowEntry {
        WindowEntry {
            name: window.name.clone(),
            categories: window
                .categories
                .iter()
                .map(char::to_string)
                .collect::<Vec<_>>()
                .join(","),
            items: window.items.clone(),
            errors: WindowErrors::default(),
        }
    }

    /// The window the form describes; `None` when a field is refused, with its message
    /// set.
    fn window(&mut self, catalog: &Catalog, a: &AdminMsgs) -> Option<Window> {
        let name = self.name.trim().to_owned();
        let count = name.chars().count();
        if count == 0 || count > NAME_MAX || name.chars().any(char::is_control) {
            self.errors.name = Some(a.err_window_name.to_owned());
        }
        let categories = match parse_categories(&self.categories) {
            Ok(categories) => categories,
            Err(bad) => {
                self.errors.categories = Some(fill(a.err_category, &bad));
                Vec::new()
            }
        };
        if let Some(unknown) = self.items.iter().find(|id| catalog.item(id).is_none()) {
            self.errors.items = Some(fill(a.err_item, unknown));
        }
        if self.errors.any() {
            return None;
        }
        // Catalog order, each once.
        let items = catalog
            .items()
            .filter(|item| self.items.contains(&item.id))
            .map(|item| item.id.clone())
            .collect();
        Some(Window {
            name,
            categories,
            items,
        })
    }
}

/// `A,B` (full-width commas and spaces around letters allowed) as category letters, each
/// once; empty for every category. `Err` carries the first part that is not one capital
/// letter.
fn parse_categories(text: &str) -> Result<Vec<char>, String> {
    if text.chars().count() > CATEGORIES_MAX {
        let shown: String = text.chars().take(20).collect();
        return Err(format!("{shown}…"));
    }
    let mut letters = Vec::new();
    for part in text.split([',', '，', '、']).map(str::trim) {
        if part.is_empty() {
            continue;
        }
        let mut chars = part.chars();
        match (chars.next(), chars.next()) {
            (Some(letter), None) if letter.is_ascii_uppercase() => {
                if !letters.contains(&letter) {
                    letters.push(letter);
                }
            }
            _ => return Err(part.to_owned()),
        }
    }
    Ok(letters)
}

/// What the section shows besides the stored windows.
pub(super) struct Input<'a> {
    pub(super) done: Option<&'a (Done, String)>,
    pub(super) edit: Option<&'a str>,
    pub(super) entry: Option<WindowEntry>,
    pub(super) remove_error: Option<(String, String)>,
}

pub(super) struct WindowRow {
    pub(super) name: String,
    pub(super) all_round: bool,
    pub(super) categories: String,
    /// Item names in the page's language; empty: every item.
    pub(super) items: Vec<String>,
    pub(super) edit_href: String,
    pub(super) edit_label: String,
    pub(super) remove_label: String,
    pub(super) remove_error: Option<String>,
}

pub(super) struct ItemChoice {
    pub(super) id: String,
    pub(super) label: String,
    pub(super) checked: bool,
}

pub(super) struct WindowsSection {
    pub(super) rows: Vec<WindowRow>,
    pub(super) confirmation: Option<String>,
    /// A removal refused for a window not listed.
    pub(super) remove_error: Option<String>,
    pub(super) name: String,
    pub(super) categories: String,
    pub(super) choices: Vec<ItemChoice>,
    pub(super) name_error: Option<String>,
    pub(super) categories_error: Option<String>,
    pub(super) items_error: Option<String>,
}

impl WindowsSection {
    pub(super) async fn load(
        state: &AppState,
        lang: Lang,
        principal: &Principal,
        input: Input<'_>,
    ) -> Result<WindowsSection, AppError> {
        let a = AdminMsgs::of(lang);
        let locale = lang.locale();
        let catalog = &state.catalog;
        let windows = state.store.windows(&principal.center).await?;
        let confirmation = input.done.and_then(|(what, name)| {
            let listed = windows.iter().any(|w| w.name == *name);
            match what {
                Done::WindowSaved if listed => Some(fill(a.done_window_saved, name)),
                Done::WindowRemoved if !listed => Some(fill(a.done_window_removed, name)),
                _ => None,
            }
        });
        let entry = input.entry.unwrap_or_else(|| {
            input
                .edit
                .and_then(|name| windows.iter().find(|w| w.name == name))
                .map(WindowEntry::of)
                .unwrap_or_default()
        });
        // A refusal shows on the window's row, or above the table when it is not listed.
        let (row_error, remove_error) = match input.remove_error {
            Some((name, why)) if !windows.iter().any(|w| w.name == name) => (None, Some(why)),
            other => (other, None),
        };
        let rows = windows
            .iter()
            .map(|w| WindowRow {
                name: w.name.clone(),
                all_round: w.categories.is_empty() && w.items.is_empty(),
                categories: if w.categories.is_empty() {
                    a.all_categories.to_owned()
                } else {
                    let letters: Vec<String> = w.categories.iter().map(char::to_string).collect();
                    letters.join(", ")
                },
                items: w
                    .items
                    .iter()
                    .map(|id| match catalog.item(id) {
                        Some(item) => item.name.get(locale).to_owned(),
                        None => format!("{id}{}", a.not_in_catalog),
                    })
                    .collect(),
                edit_href: format!("/admin?edit={}#window-form", encode(&w.name)),
                edit_label: fill(a.edit_window, &w.name),
                remove_label: fill(a.remove_window, &w.name),
                remove_error: row_error
                    .as_ref()
                    .filter(|(name, _)| *name == w.name)
                    .map(|(_, why)| why.clone()),
            })
            .collect();
        let choices = catalog
            .items()
            .map(|item| ItemChoice {
                id: item.id.clone(),
                label: item.name.get(locale).to_owned(),
                checked: entry.items.contains(&item.id),
            })
            .collect();
        Ok(WindowsSection {
            rows,
            confirmation,
            remove_error,
            name: entry.name,
            categories: entry.categories,
            choices,
            name_error: entry.errors.name,
            categories_error: entry.errors.categories,
            items_error: entry.errors.items,
        })
    }
}

/// POST /admin/windows: adds a window or replaces its skills.
pub async fn save_window(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let posted = match Posted::read(lang, &uri, &principal, Action::ManageHall, form) {
        Ok(posted) => posted,
        Err(refused) => return *refused,
    };
    let mut entry = WindowEntry {
        name: posted.field("name"),
        categories: posted.field("categories"),
        items: posted.all("item"),
        errors: WindowErrors::default(),
    };
    let window = match entry.window(&state.catalog, AdminMsgs::of(lang)) {
        Some(window) => window,
        None => {
            let shown = Shown {
                window: Some(entry),
                ..Shown::default()
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return show(&state, lang, &uri, &principal, shown, status).await;
        }
    };
    let saved = state
        .store
        .save_window(&principal.center, &window, by(&state, &principal))
        .await;
    match saved {
        Ok(()) => done(Done::WindowSaved, &window.name),
        Err(err) => error_page(lang, &uri, Some(&principal), err.into()),
    }
}

/// POST /admin/windows/remove: removes a window (it then serves everything again, as any
/// window not listed does).
pub async fn remove_window(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let posted = match Posted::read(lang, &uri, &principal, Action::ManageHall, form) {
        Ok(posted) => posted,
        Err(refused) => return *refused,
    };
    let name = posted.field("name").trim().to_owned();
    let removed = state
        .store
        .remove_window(&principal.center, &name, by(&state, &principal))
        .await;
    match removed {
        Ok(()) => done(Done::WindowRemoved, &name),
        Err(StoreError::NotFound(_)) => {
            let why = fill(AdminMsgs::of(lang).err_no_window, &name);
            let shown = Shown {
                remove_error: Some((name, why)),
                ..Shown::default()
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            show(&state, lang, &uri, &principal, shown, status).await
        }
        Err(err) => error_page(lang, &uri, Some(&principal), err.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_categories;

    #[test]
    fn categories_are_capital_letters_separated_by_commas() {
        assert_eq!(parse_categories(""), Ok(vec![]));
        assert_eq!(parse_categories(" A, B ,A"), Ok(vec!['A', 'B']));
        assert_eq!(parse_categories("A，C、D,,"), Ok(vec!['A', 'C', 'D']));
        assert_eq!(parse_categories("A,b"), Err("b".to_owned()));
        assert_eq!(parse_categories("AB"), Err("AB".to_owned()));
        assert_eq!(parse_categories("A B"), Err("A B".to_owned()));
        assert_eq!(parse_categories("Ａ"), Err("Ａ".to_owned()));
    }
}
