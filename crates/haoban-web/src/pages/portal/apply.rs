//! Applying online: choose an item that can be handled online, answer the questions its
//! conditions ask (pre-review for that item), then upload the materials the pre-review
//! lists (一次性告知) and submit. A supplement asked by the back office is sent the same
//! way, with a note and files. Files are checked by their content before anything is
//! stored, so a refused file leaves no case behind.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::{Command, UploadMeta};
use haoban_catalog::{Applicant, Catalog, FactType, Item, Selection, Status};

use super::msgs::PortalMsgs;
use super::{CaseShown, PortalChrome, case_page, chrome, material_label, resident};
use crate::AppState;
use crate::api::cases::{Opening, apply as apply_command, open};
use crate::api::self_service::add_upload;
use crate::auth::Principal;
use crate::error::AppError;
use crate::pages::desk::sheet::{answer_json, askable, json_string};
use crate::pages::{
    Chrome, Lang, MaybeSignedIn, check_csrf, csrf_page, error_page, render, see_other,
};

/// A form posted as `multipart/form-data`: its text fields and its files.
#[derive(Default)]
pub(super) struct Posted {
    pub fields: Vec<(String, String)>,
    pub files: Vec<PostedFile>,
}

pub(super) struct PostedFile {
    /// The form field: `file.<material>`.
    pub field: String,
    pub name: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl Posted {
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Reads the whole form; an unreadable one (cut off, over the size limit) is an error
/// naming why.
pub(super) async fn read_multipart(mut multipart: Multipart) -> Result<Posted, AppError> {
    let mut posted = Posted::default();
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        AppError::Invalid(format!("the form could not be read: {}", e.body_text()))
    };
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                let content_type = field.content_type().map(str::to_owned);
                let bytes = field.bytes().await.map_err(unreadable)?;
                // A file input left empty still sends a part, without a name or bytes.
                if !file_name.is_empty() || !bytes.is_empty() {
                    posted.files.push(PostedFile {
                        field: name,
                        name: file_name,
                        content_type,
                        bytes: bytes.to_vec(),
                    });
                }
            }
            None => {
                let text = field.text().await.map_err(unreadable)?;
                posted.fields.push((name, text));
            }
        }
    }
    Ok(posted)
}

/// The signed-in resident's form if its `csrf_token` is theirs; else the page saying why.
pub(super) async fn resident_form(
    lang: Lang,
    uri: &Uri,
    principal: Option<Principal>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(Principal, Posted), Box<Response>> {
    let principal = resident(principal)?;
    let bad = |err: AppError| Box::new(error_page(lang, uri, Some(&principal), err));
    let multipart = multipart.map_err(|e| bad(AppError::Invalid(e.body_text())))?;
    let posted = read_multipart(multipart).await.map_err(bad)?;
    if !check_csrf(&principal, posted.field("csrf_token")) {
        return Err(Box::new(csrf_page(lang, uri, &principal)));
    }
    Ok((principal, posted))
}

struct ItemLine {
    id: String,
    name: String,
    terms: String,
}

#[derive(Template)]
#[template(path = "portal_items.html")]
struct ItemsPage {
    page: Chrome,
    c: PortalChrome,
    items: Vec<ItemLine>,
}

fn online(item: &Item) -> bool {
    item.channels.iter().any(|c| c == "online")
}

/// `GET /portal/apply`: the items that can be applied for online.
pub async fn items(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    MaybeSignedIn(principal): MaybeSignedIn,
) -> Response {
    let principal = match resident(principal) {
        Ok(p) => p,
        Err(to_sign_in) => return *to_sign_in,
    };
    let p = PortalMsgs::of(lang);
    let items = state
        .catalog
        .items()
        .filter(|item| online(item))
        .map(|item| ItemLine {
            id: item.id.clone(),
            name: item.name.get(lang.locale()).to_owned(),
            terms: if item.is_instant() {
                p.instant.to_owned()
            } else {
                p.promised_days
                    .replace("{}", &item.promised_days.to_string())
            },
        })
        .collect();
    let (page, c) = chrome(lang, p.apply_title, &uri, Some(&principal));
    let page = ItemsPage { page, c, items };
    render(StatusCode::OK, &page)
}

/// One question of the item's pre-review, as the form shows it.
struct Question {
    fact: String,
    label: String,
    /// `yesno`, `choice`, `date`, `number` or `text`.
    control: &'static str,
    options: Vec<(String, bool)>,
    value: String,
    error: Option<&'static str>,
}

struct MaterialLine {
    id: String,
    label: String,
    copies: u32,
    conditional: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "portal_apply.html")]
struct ApplyPage {
    page: Chrome,
    c: PortalChrome,
    item_id: String,
    item_name: String,
    name: String,
    name_error: Option<&'static str>,
    questions: Vec<Question>,
    /// After the pre-review: its verdict, and the materials to upload.
    verdict: Option<(&'static str, &'static str)>,
    failed: Vec<String>,
    materials: Vec<MaterialLine>,
    file_hint: String,
}

/// The given facts the item's pre-review asks about, in the order it asks them.
fn item_facts<'c>(catalog: &'c Catalog, item: &Item, today: chrono::NaiveDate) -> Vec<&'c str> {
    let Ok(selected) = catalog.select(&Selection::Items(vec![item.id.clone()])) else {
        return Vec::new();
    };
    catalog
        .prereview(&Applicant::empty(catalog), &selected, today)
        .questions
}

/// The form's answers: the questions with what was typed and what is wrong, and the
/// facts as JSON (unknown answers left out).
fn read_answers(
    catalog: &Catalog,
    lang: Lang,
    facts: &[&str],
    posted: Option<&Posted>,
) -> (Vec<Question>, String, bool) {
    let t = lang.msgs();
    let mut members = Vec::new();
    let mut ok = true;
    let questions = facts
        .iter()
        .filter_map(|id| askable(catalog, id))
        .map(|fact| {
            let value = posted
                .map(|p| p.field(&format!("f.{}", fact.id)).trim().to_owned())
                .unwrap_or_default();
            let error = if value.is_empty() {
                None
            } else {
                match answer_json(catalog, fact, &value) {
                    Ok(json) => {
                        members.push(format!("{}:{json}", json_string(&fact.id)));
                        None
                    }
                    Err(err) => {
                        ok = false;
                        Some(err.message(t))
                    }
                }
            };
            let (control, options) = match &fact.ty {
                FactType::Bool => ("yesno", Vec::new()),
                FactType::Enum(values) => (
                    "choice",
                    values.iter().map(|v| (v.clone(), *v == value)).collect(),
                ),
                FactType::Date => ("date", Vec::new()),
                FactType::Int | FactType::Decimal => ("number", Vec::new()),
                FactType::String => ("text", Vec::new()),
            };
            Question {
                fact: fact.id.clone(),
                label: fact.label(lang.locale()).to_owned(),
                control,
                options,
                value,
                error,
            }
        })
        .collect();
    (questions, format!("{{{}}}", members.join(",")), ok)
}

/// Why a typed applicant's name is refused, if it is.
pub(super) fn name_error(p: &'static PortalMsgs, name: &str) -> Option<&'static str> {
    let name = name.trim();
    (name.is_empty() || name.chars().count() > 40 || name.chars().any(char::is_control))
        .then_some(p.err_name)
}

fn find_item<'c>(catalog: &'c Catalog, id: &str) -> Result<&'c Item, AppError> {
    catalog
        .item(id)
        .filter(|item| online(item))
        .ok_or_else(|| AppError::NotFound(format!("no online item `{id}`")))
}

fn apply_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    item: &Item,
    posted: Option<&Posted>,
) -> (ApplyPage, String, bool) {
    let p = PortalMsgs::of(lang);
    let today = state.clock.today_in(state.catalog.time_zone);
    let facts = item_facts(&state.catalog, item, today);
    let (questions, facts_json, answers_ok) = read_answers(&state.catalog, lang, &facts, posted);
    let name = posted
        .map(|p| p.field("name").to_owned())
        .unwrap_or_default();
    let (chrome_page, c) = chrome(lang, p.apply_title, uri, Some(principal));
    let page = ApplyPage {
        page: chrome_page,
        c,
        item_id: item.id.clone(),
        item_name: item.name.get(lang.locale()).to_owned(),
        name_error: posted.and_then(|_| name_error(p, &name)),
        name,
        questions,
        verdict: None,
        failed: Vec::new(),
        materials: Vec::new(),
        file_hint: p.file_hint.replace(
            "{}",
            &(state.config.self_service.upload_limit / (1024 * 1024)).to_string(),
        ),
    };
    (page, facts_json, answers_ok)
}

/// `GET /portal/apply/{item}`: the item's questions.
pub async fn apply_form(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    MaybeSignedIn(principal): MaybeSignedIn,
    Path(item): Path<String>,
) -> Response {
    let principal = match resident(principal) {
        Ok(p) => p,
        Err(to_sign_in) => return *to_sign_in,
    };
    let item = match find_item(&state.catalog, &item) {
        Ok(item) => item,
        Err(err) => return error_page(lang, &uri, Some(&principal), err),
    };
    let (page, _, _) = apply_page(&state, lang, &uri, &principal, item, None);
    render(StatusCode::OK, &page)
}

/// `POST /portal/apply/{item}`: `step=check` runs the pre-review and lists the materials
/// to upload; `step=submit` checks the files and opens the case with them.
pub async fn apply_step(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    MaybeSignedIn(principal): MaybeSignedIn,
    Path(item): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let (principal, posted) = match resident_form(lang, &uri, principal, multipart).await {
        Ok(form) => form,
        Err(refused) => return *refused,
    };
    let p = PortalMsgs::of(lang);
    let fail = |err: AppError| error_page(lang, &uri, Some(&principal), err);
    let item = match find_item(&state.catalog, &item) {
        Ok(item) => item,
        Err(err) => return fail(err),
    };
    let (mut page, facts_json, answers_ok) =
        apply_page(&state, lang, &uri, &principal, item, Some(&posted));
    if !answers_ok || page.name_error.is_some() {
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let catalog = &state.catalog;
    let applicant = match Applicant::from_json(catalog, &facts_json) {
        Ok(applicant) => applicant,
        Err(err) => return fail(AppError::Invalid(err.to_string())),
    };
    let selected = match catalog.select(&Selection::Items(vec![item.id.clone()])) {
        Ok(selected) => selected,
        Err(err) => return fail(AppError::Invalid(err.to_string())),
    };
    let today = state.clock.today_in(catalog.time_zone);
    let review = catalog.prereview(&applicant, &selected, today);
    let Some(verdict) = review.items.first() else {
        return fail(AppError::Unexpected("a pre-review without its item".into()));
    };
    if verdict.status == Status::Ineligible {
        page.verdict = Some((p.ineligible, "ineligible"));
        page.failed = verdict
            .failed
            .iter()
            .map(|conjunct| {
                let facts = catalog.failed_labels(&item.id, conjunct, lang.locale());
                if facts.is_empty() {
                    (*conjunct).to_owned()
                } else {
                    facts.join(lang.msgs().list_sep)
                }
            })
            .collect();
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    page.verdict = Some(match verdict.status {
        Status::Eligible => (p.eligible, "eligible"),
        _ => (p.unknown, "unknown"),
    });
    page.materials = review
        .checklist
        .iter()
        .map(|entry| MaterialLine {
            id: entry.material.to_owned(),
            label: material_label(&state, lang, entry.material),
            copies: entry.copies,
            conditional: entry.conditional,
            error: None,
        })
        .collect();
    if posted.field("step") != "submit" {
        return render(StatusCode::OK, &page);
    }
    // Every file is checked before the case is opened: a refused one stores nothing.
    let limit = state.config.self_service.upload_limit;
    let mut files = Vec::new();
    for file in &posted.files {
        let Some(material) = file.field.strip_prefix("file.") else {
            continue;
        };
        let Some(line) = page.materials.iter_mut().find(|m| m.id == material) else {
            return fail(AppError::Invalid(format!("`{material}` is not asked for")));
        };
        match UploadMeta::check(&file.name, file.content_type.as_deref(), &file.bytes, limit) {
            Ok(_) => files.push((material.to_owned(), file)),
            Err(err) => line.error = Some(p.upload_error(&err)),
        }
    }
    if page.materials.iter().any(|m| m.error.is_some()) {
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let opening = Opening {
        item: &item.id,
        id_number: &principal.subject,
        name: page.name.trim(),
        facts: Some(&facts_json),
        channel: Some(haoban_cases::Channel::Online),
    };
    let case = match open(&state, &principal, opening).await {
        Ok(case) => case,
        Err(err) => return fail(err),
    };
    for (material, file) in files {
        let number = case.number.to_string();
        let content_type = file.content_type.as_deref();
        let kept = add_upload(
            &state,
            &principal,
            &number,
            &material,
            &file.name,
            content_type,
            &file.bytes,
        )
        .await;
        if let Err(err) = kept {
            return fail(err);
        }
    }
    see_other(&format!("/portal/cases/{}?done=applied", case.number))
}

/// `POST /portal/cases/{number}/supplement`: a note and files for the supplement asked.
pub async fn supplement(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    MaybeSignedIn(principal): MaybeSignedIn,
    Path(number): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let (principal, posted) = match resident_form(lang, &uri, principal, multipart).await {
        Ok(form) => form,
        Err(refused) => return *refused,
    };
    let p = PortalMsgs::of(lang);
    let note = posted.field("note").trim().to_owned();
    let limit = state.config.self_service.upload_limit;
    let refuse = |why: String| CaseShown {
        supplement_error: Some(why),
        note: note.clone(),
        done: None,
    };
    let shown = if note.is_empty() && posted.files.is_empty() {
        Some(refuse(p.err_supplement.to_owned()))
    } else if note.chars().count() > 500 {
        Some(refuse(lang.msgs().err_required.to_owned()))
    } else {
        posted.files.iter().find_map(|file| {
            UploadMeta::check(&file.name, file.content_type.as_deref(), &file.bytes, limit)
                .err()
                .map(|err| refuse(format!("{}: {}", file.name, p.upload_error(&err))))
        })
    };
    if let Some(shown) = shown {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return case_page(&state, lang, &uri, &principal, &number, shown, status).await;
    }
    let fail = |err: AppError| error_page(lang, &uri, Some(&principal), err);
    for file in &posted.files {
        let material = posted.field("material");
        let material = if material.is_empty() {
            "supplement"
        } else {
            material
        };
        let kept = add_upload(
            &state,
            &principal,
            &number,
            material,
            &file.name,
            file.content_type.as_deref(),
            &file.bytes,
        )
        .await;
        if let Err(err) = kept {
            return fail(err);
        }
    }
    let note = if note.is_empty() {
        posted
            .files
            .iter()
            .map(|f| f.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        note
    };
    let command = Command::ProvideSupplement { note };
    match apply_command(&state, &principal, &number, command, None).await {
        Ok(case) => see_other(&format!("/portal/cases/{}?done=supplemented", case.number)),
        Err(err) => fail(err),
    }
}
