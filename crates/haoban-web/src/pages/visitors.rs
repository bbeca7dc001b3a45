//! `/desk/visitors`: the first window looks a visitor up by ID number: who they are as
//! registered, and their cases at this center with where each stands. The number is
//! posted, never put in the address, so it stays out of histories and access logs.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::IdNumber;
use haoban_store::CaseFilter;
use serde::Deserialize;

use super::desk::{forbidden, may_use_desk};
use super::office::status_label;
use super::{Chrome, CsrfForm, Lang, SignedIn, error_page, posted_form, render};
use crate::AppState;
use crate::auth::Principal;

pub struct VisitorMsgs {
    pub title: &'static str,
    pub id_number: &'static str,
    pub look_up: &'static str,
    pub err_id_number: &'static str,
    pub unknown: &'static str,
    pub name: &'static str,
    pub phone: &'static str,
    pub registered: &'static str,
    pub cases: &'static str,
    pub no_cases: &'static str,
    pub col_number: &'static str,
    pub col_item: &'static str,
    pub col_status: &'static str,
    pub col_submitted: &'static str,
    pub back: &'static str,
}

const ZH: VisitorMsgs = VisitorMsgs {
    title: "办事人查询",
    id_number: "身份证号",
    look_up: "查询",
    err_id_number: "身份证号不正确，请核对 18 位号码及校验位。",
    unknown: "本中心尚未登记此办事人；取号时填写姓名即可登记。",
    name: "姓名",
    phone: "联系电话",
    registered: "登记时间",
    cases: "在本中心的办件",
    no_cases: "没有办件。",
    col_number: "办件编号",
    col_item: "事项",
    col_status: "状态",
    col_submitted: "申请时间",
    back: "返回总服务台",
};

const EN: VisitorMsgs = VisitorMsgs {
    title: "Look up a visitor",
    id_number: "ID number",
    look_up: "Look up",
    err_id_number: "The ID number is not valid: check the 18 characters and the check digit.",
    unknown: "This center has not registered this visitor; giving the name with a ticket registers them.",
    name: "Name",
    phone: "Phone",
    registered: "Registered",
    cases: "Cases at this center",
    no_cases: "No cases.",
    col_number: "Case number",
    col_item: "Item",
    col_status: "Status",
    col_submitted: "Applied",
    back: "Back to the general desk",
};

struct Found {
    masked: String,
    known: Option<Known>,
    cases: Vec<CaseRow>,
}

struct Known {
    name: String,
    phone: String,
    registered: String,
}

struct CaseRow {
    number: String,
    item: String,
    status: &'static str,
    submitted: String,
}

#[derive(Template)]
#[template(path = "visitors.html")]
struct VisitorsPage {
    page: Chrome,
    v: &'static VisitorMsgs,
    typed: String,
    error: Option<&'static str>,
    found: Option<Found>,
}

#[derive(Deserialize)]
pub struct LookUp {
    csrf_token: String,
    #[serde(default)]
    id: String,
}

impl CsrfForm for LookUp {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// GET /desk/visitors: the lookup form.
pub async fn form(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
) -> Response {
    shown(&state, lang, &uri, &principal, String::new()).await
}

/// POST /desk/visitors: the visitor with this ID number.
pub async fn look_up(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    form: Result<Form<LookUp>, FormRejection>,
) -> Response {
    match posted_form(lang, &uri, &principal, form) {
        Ok(form) => shown(&state, lang, &uri, &principal, form.id).await,
        Err(refused) => *refused,
    }
}

async fn shown(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    typed: String,
) -> Response {
    if !may_use_desk(principal) {
        return forbidden(lang, uri, principal);
    }
    let v = match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    };
    let mut chrome = Chrome::new(lang, v.title, uri, Some(principal));
    chrome.nav = "desk";
    let mut page = VisitorsPage {
        page: chrome,
        v,
        typed: typed.clone(),
        error: None,
        found: None,
    };
    if typed.trim().is_empty() {
        return render(StatusCode::OK, &page);
    }
    let Ok(id) = IdNumber::parse(&typed) else {
        page.error = Some(v.err_id_number);
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let store = &state.store;
    let zone = state.catalog.time_zone;
    let visitor = match store.visitor(&principal.center, id.as_ref()).await {
        Ok(visitor) => visitor,
        Err(err) => return error_page(lang, uri, Some(principal), err.into()),
    };
    let mut filter = CaseFilter::center(principal.center.clone());
    filter.applicant = Some(id.as_ref().to_owned());
    let cases = match store.cases(&filter).await {
        Ok(cases) => cases,
        Err(err) => return error_page(lang, uri, Some(principal), err.into()),
    };
    let locale = lang.locale();
    page.found = Some(Found {
        masked: id.masked(),
        known: visitor.map(|known| Known {
            name: known.name,
            phone: known.phone.unwrap_or_default(),
            registered: known
                .registered_at
                .with_timezone(&zone)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        }),
        cases: cases
            .iter()
            .map(|case| CaseRow {
                number: case.number.to_string(),
                item: state
                    .catalog
                    .item(&case.item)
                    .map_or_else(|| case.item.clone(), |i| i.name.get(locale).to_owned()),
                status: status_label(lang, case.status),
                submitted: case
                    .submitted_at
                    .with_timezone(&zone)
                    .format("%Y-%m-%d")
                    .to_string(),
            })
            .collect(),
    });
    render(StatusCode::OK, &page)
}
