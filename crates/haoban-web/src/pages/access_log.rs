//! `/access-log`, the access log (审计日志) for the audit role: who did what to which
//! object, when, with what result and from where, newest first; filtered by who, object
//! and days, fifty a page. It reads through the API's [`crate::api::access_log::read`],
//! so the page and `GET /api/v1/access-log` show the same and refuse the same. Opening it
//! is itself recorded.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::{Action, permits};
use haoban_store::access::Outcome;

use super::{Chrome, Lang, SignedIn, encode, error_page, render};
use crate::AppState;
use crate::api::access_log::{LogQuery, read};
use crate::auth::Principal;
use crate::error::AppError;

pub struct LogMsgs {
    pub title: &'static str,
    pub intro: &'static str,
    pub forbidden: &'static str,
    pub actor: &'static str,
    pub object: &'static str,
    pub from: &'static str,
    pub until: &'static str,
    pub show: &'static str,
    pub col_seq: &'static str,
    pub col_at: &'static str,
    pub col_actor: &'static str,
    pub col_action: &'static str,
    pub col_object: &'static str,
    pub col_result: &'static str,
    pub col_source: &'static str,
    pub allowed: &'static str,
    pub refused: &'static str,
    pub failed: &'static str,
    pub none: &'static str,
    pub newer: &'static str,
    pub older: &'static str,
}

static ZH: LogMsgs = LogMsgs {
    title: "审计日志",
    intro: "每一次改变数据的请求和每一次查看个人信息都记录一条：谁、何时、做了什么、对象、结果、来源。记录按哈希链相连，删改可被发现；至少保存 180 天。",
    forbidden: "只有审计管理员可以查看审计日志。",
    actor: "操作人",
    object: "对象包含",
    from: "起始日期",
    until: "截止日期",
    show: "查询",
    col_seq: "序号",
    col_at: "时间",
    col_actor: "操作人（角色）",
    col_action: "操作",
    col_object: "对象",
    col_result: "结果",
    col_source: "来源地址",
    allowed: "成功",
    refused: "被拒绝",
    failed: "失败",
    none: "没有符合条件的记录。",
    newer: "较新的记录",
    older: "较早的记录",
};

static EN: LogMsgs = LogMsgs {
    title: "Access log",
    intro: "Every request that changes data and every view of personal data writes one record: who, when, what, the object, the result and where from. Records are hash-chained, so a deletion or edit shows; they are kept at least 180 days.",
    forbidden: "Only the audit administrator may read the access log.",
    actor: "Who",
    object: "Object contains",
    from: "From (day)",
    until: "Until (day, included)",
    show: "Search",
    col_seq: "No.",
    col_at: "When",
    col_actor: "Who (role)",
    col_action: "What",
    col_object: "Object",
    col_result: "Result",
    col_source: "From address",
    allowed: "allowed",
    refused: "refused",
    failed: "failed",
    none: "No records match.",
    newer: "Newer records",
    older: "Older records",
};

impl LogMsgs {
    pub fn of(lang: Lang) -> &'static LogMsgs {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

pub fn may_use(principal: &Principal) -> bool {
    permits(principal.role, Action::ReadAccessLog).is_some()
}

pub fn nav_label(lang: Lang) -> &'static str {
    LogMsgs::of(lang).title
}

struct Row {
    seq: u64,
    at: String,
    actor: String,
    role: String,
    action: String,
    object: String,
    status: u16,
    result: &'static str,
    class: &'static str,
    source: String,
}

#[derive(Template)]
#[template(path = "access_log.html")]
struct LogPage {
    page: Chrome,
    m: &'static LogMsgs,
    query: LogQuery,
    rows: Vec<Row>,
    newer: Option<String>,
    older: Option<String>,
}

/// This search at another offset.
fn href(query: &LogQuery, offset: u32) -> String {
    format!(
        "/access-log?actor={}&object={}&from={}&until={}&offset={offset}",
        encode(&query.actor),
        encode(&query.object),
        encode(&query.from),
        encode(&query.until)
    )
}

pub async fn page(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    SignedIn(principal): SignedIn,
    query: Result<Query<LogQuery>, QueryRejection>,
) -> Response {
    let m = LogMsgs::of(lang);
    if !may_use(&principal) {
        let why = m.forbidden.to_owned();
        return error_page(lang, &uri, Some(&principal), AppError::Forbidden(why));
    }
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let found = match read(&state, &principal, &query).await {
        Ok(found) => found,
        Err(err) => return error_page(lang, &uri, Some(&principal), err),
    };
    let zone = state.catalog.time_zone;
    let rows = found
        .entries
        .into_iter()
        .map(|entry| {
            let record = entry.record;
            let (result, class) = match record.outcome {
                Outcome::Allowed => (m.allowed, "allowed"),
                Outcome::Refused => (m.refused, "refused"),
                Outcome::Failed => (m.failed, "failed"),
            };
            Row {
                seq: entry.seq,
                at: record
                    .at
                    .with_timezone(&zone)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string(),
                actor: record.actor,
                role: record.role,
                action: record.action,
                object: record.object,
                status: record.status,
                result,
                class,
                source: record.source,
            }
        })
        .collect();
    let newer = (found.offset > 0).then(|| href(&query, found.offset.saturating_sub(found.limit)));
    let older = found.next_offset.map(|offset| href(&query, offset));
    let mut chrome = Chrome::new(lang, m.title, &uri, Some(&principal));
    chrome.nav = "access-log";
    render(
        StatusCode::OK,
        &LogPage {
            page: chrome,
            m,
            query,
            rows,
            newer,
            older,
        },
    )
}
