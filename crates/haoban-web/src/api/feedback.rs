//! Ratings (好差评): a resident rates a case or a visit once; the supervisor sees the
//! month's ratings and the good-rating rate.
//!
//! Who may rate what, by channel:
//! - `portal`: a signed-in resident, their own case, or a visit whose ticket carries their
//!   ID number.
//! - `window_pad`, `kiosk` (the hall's devices, no session): today's visit or a case, with
//!   the ID number the device read from the ID card, which must be the applicant's or the
//!   one the ticket carries; a ticket that carries no ID number is rated anonymously with
//!   its number alone. A resident signed in on the device counts as that resident.
//! - `link`: the one-time token of the message sent when a case is delivered or a visit
//!   with an ID number is finished; it names the target and the resident.
//!
//! Any staff session is refused (403), whatever the channel: staff never rate.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;

use super::extract::{Object, Query};
use axum::http::StatusCode;
use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use haoban_cases::{Action, CaseNumber, CenterId, Clock, IdNumber};
use haoban_feedback::{
    Channel, DefaultRule, FollowUp, Level, Month, Rated, Rating, Tally, Target,
    rate as decide_rating,
};
use haoban_store::{RatingLink, Store, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{MaybePrincipal, Principal, hash_secret, new_secret};
use crate::error::{AppError, AppResult};
use crate::{AppState, authorize};

type Body<T> = Result<Object<T>, AppError>;

#[derive(Deserialize)]
pub struct RateRequest {
    /// Not needed with a link, which names it.
    pub(crate) target: Option<Target>,
    /// A visit's center; the device's or the signed-in resident's when absent.
    pub(crate) center: Option<String>,
    pub(crate) level: i64,
    pub(crate) channel: Channel,
    /// The ID number a window pad or kiosk read.
    pub(crate) id_number: Option<String>,
    /// The token of a rating link.
    pub(crate) token: Option<String>,
}

/// Who is rating, as far as it has been shown.
enum Rater {
    Resident(IdNumber),
    Anonymous,
}

impl Rater {
    fn actor(&self) -> String {
        match self {
            Rater::Resident(id) => format!("resident:{}", id.masked()),
            Rater::Anonymous => "anonymous".to_owned(),
        }
    }
}

/// Where the page that a rating link opens lives: the one place the message and the
/// router agree on (an absolute path on this site, the token hex, so nothing to escape).
pub(crate) fn link_path(token: &str) -> String {
    format!("/rate/{token}")
}

pub async fn rate(
    State(state): State<AppState>,
    MaybePrincipal(principal): MaybePrincipal,
    body: Body<RateRequest>,
) -> AppResult<(StatusCode, Json<Value>)> {
    // Refused before the body is read, so a staff caller learns nothing from it.
    if let Some(principal) = &principal {
        authorize(principal, Action::Rate)?;
    }
    let Object(request) = body?;
    let rated = give(&state, principal.as_ref(), request).await?;
    Ok((
        StatusCode::CREATED,
        Json(rating_view(&rated.rating, rated.follow_up.as_ref())),
    ))
}

/// Gives a rating: the one path for the API, the rating link's page and the window pad.
/// `principal` is whoever is signed in on the device or browser, if anyone.
pub(crate) async fn give(
    state: &AppState,
    principal: Option<&Principal>,
    request: RateRequest,
) -> AppResult<Rated> {
    // Staff never rate, whatever the channel: the policy table allows residents only.
    if let Some(principal) = principal {
        authorize(principal, Action::Rate)?;
    }
    let level = Level::parse(request.level)?;
    let signed_in = principal
        .map(|p| IdNumber::parse(&p.subject).map_err(|e| AppError::Unexpected(e.to_string())))
        .transpose()?;
    let center_named = request
        .center
        .as_deref()
        .map(|c| CenterId::parse(c).map_err(|e| AppError::Invalid(e.to_string())))
        .transpose()?
        .or_else(|| principal.map(|p| p.center.clone()));
    let mut link_hash = None;
    let (target, center, rater) = match request.channel {
        Channel::Link => {
            let token = request.token.as_deref().ok_or_else(|| {
                AppError::Invalid("a rating by link sends the link's token".into())
            })?;
            let hash = hash_secret(token.trim());
            let link = state
                .store
                .rating_link(&hash)
                .await?
                .filter(|l| l.expires_at > state.clock.now())
                .ok_or_else(|| AppError::NotFound(haoban_store::feedback::LINK_USED.into()))?;
            if request.target.as_ref().is_some_and(|t| *t != link.target) {
                return Err(AppError::Invalid(
                    "this link rates another case or visit".into(),
                ));
            }
            let id = IdNumber::parse(&link.id_number)
                .map_err(|e| AppError::Unexpected(format!("a stored rating link: {e}")))?;
            link_hash = Some(hash);
            (link.target, Some(link.center), Rater::Resident(id))
        }
        Channel::Portal => {
            let id = signed_in.ok_or(AppError::Unauthorized)?;
            (
                needs_target(request.target)?,
                center_named,
                Rater::Resident(id),
            )
        }
        Channel::WindowPad | Channel::Kiosk => {
            let rater = match (signed_in, request.id_number.as_deref()) {
                (Some(id), _) => Rater::Resident(id),
                (None, Some(typed)) => Rater::Resident(
                    IdNumber::parse(typed).map_err(|e| AppError::Invalid(e.to_string()))?,
                ),
                (None, None) => Rater::Anonymous,
            };
            let target = needs_target(request.target)?;
            let today = state.clock.today_in(state.catalog.time_zone);
            if matches!(&target, Target::Visit { day, .. } if *day != today) {
                return Err(AppError::Invalid(
                    "the window pad and the kiosk rate today's visits; later, rate online".into(),
                ));
            }
            (target, center_named, rater)
        }
    };
    let (center, staff) = rated_staff(state, &target, center, &rater).await?;
    let rating = Rating {
        center,
        target,
        level,
        channel: Some(request.channel),
        staff,
        rater: rater.actor(),
        at: state.clock.now(),
        on: state.clock.today_in(state.catalog.time_zone),
    };
    let rated = decide_rating(rating, &state.config.feedback, state.catalog.calendar())?;
    state.store.rate(&rated, link_hash.as_deref()).await?;
    Ok(rated)
}

fn needs_target(target: Option<Target>) -> AppResult<Target> {
    target.ok_or_else(|| AppError::Invalid("say what is rated: a case or a visit".into()))
}

/// The center and the staff member a rating of `target` by `rater` rates, once it is
/// shown that `rater` may rate it. What they may not rate is "not found", as a case
/// that is not one's own is everywhere else.
async fn rated_staff(
    state: &AppState,
    target: &Target,
    center: Option<CenterId>,
    rater: &Rater,
) -> AppResult<(CenterId, String)> {
    match target {
        Target::Case { case } => {
            let missing = || AppError::NotFound(format!("case {case} not found"));
            let found = state.store.case(case).await?.ok_or_else(missing)?;
            match rater {
                Rater::Resident(id) if found.applicant.id_number.is(id) => {}
                Rater::Resident(_) => return Err(missing()),
                Rater::Anonymous => {
                    return Err(AppError::Invalid(
                        "a case is rated by its applicant: give the ID number from the ID card"
                            .into(),
                    ));
                }
            }
            let clerk = found.clerk.clone().ok_or_else(|| {
                AppError::Conflict(format!(
                    "case {case} has not been taken at a window yet: rate it once a clerk has"
                ))
            })?;
            Ok((found.center, clerk))
        }
        Target::Visit { day, ticket } => {
            let center = center.ok_or_else(|| {
                AppError::Invalid("a visit is rated at a center: name the center".into())
            })?;
            let missing = || AppError::NotFound(format!("ticket {ticket} of {day} not found"));
            let found = state
                .store
                .tickets(&center, *day)
                .await?
                .into_iter()
                .find(|t| t.number == *ticket)
                .ok_or_else(missing)?;
            let carried = found.carried.as_ref().and_then(|c| c.id_number.as_deref());
            match (rater, carried) {
                (Rater::Resident(id), Some(carried)) if id.as_ref() == carried => {}
                (Rater::Resident(_), _) => return Err(missing()),
                (Rater::Anonymous, None) => {}
                (Rater::Anonymous, Some(_)) => {
                    return Err(AppError::Forbidden(
                        "this ticket was issued to a registered visitor: rate with their ID card"
                            .into(),
                    ));
                }
            }
            let staff = found.served_by.clone().ok_or_else(|| {
                AppError::Conflict(format!(
                    "ticket {ticket} has not been called yet: rate the visit once a window has served it"
                ))
            })?;
            Ok((center, staff))
        }
    }
}

fn level_view(level: Level) -> Value {
    json!({ "value": level.value(), "zh": level.label_zh(), "en": level.label_en() })
}

pub(crate) fn rating_view(rating: &Rating, follow_up: Option<&FollowUp>) -> Value {
    json!({
        "center": rating.center,
        "target": rating.target,
        "level": level_view(rating.level),
        "channel": rating.channel,
        "defaulted": rating.defaulted(),
        "staff": rating.staff,
        "rater": rating.rater,
        "at": rating.at,
        "on": rating.on,
        "follow_up": follow_up.map(|f| json!({ "id": f.id, "due": f.due })),
    })
}

fn tally_view(tally: &Tally) -> Value {
    let by_level: BTreeMap<String, u64> = Level::ALL
        .iter()
        .map(|l| (l.value().to_string(), tally.count(*l)))
        .collect();
    json!({
        "by_level": by_level,
        "total": tally.total(),
        "good": tally.good(),
        "good_rate": tally.good_rate().map(|r| r.to_string()),
    })
}

#[derive(Deserialize)]
pub struct ListQuery {
    /// `YYYY-MM`; this month when absent.
    month: Option<String>,
}

/// The center's ratings of a month, counted overall and per staff member.
pub async fn list(
    State(state): State<AppState>,
    principal: crate::Principal,
    Query(query): Query<ListQuery>,
) -> AppResult<Json<Value>> {
    authorize(&principal, Action::ViewRatings)?;
    let month = match query.month.as_deref() {
        Some(text) => Month::parse(text.trim()).map_err(|e| AppError::Invalid(e.to_string()))?,
        None => Month::of(state.clock.today_in(state.catalog.time_zone)),
    };
    let ratings = state.store.ratings(&principal.center, month).await?;
    let overall = Tally::of(ratings.iter().map(|r| &r.level));
    let mut by_staff: BTreeMap<&str, Tally> = BTreeMap::new();
    for rating in &ratings {
        by_staff.entry(&rating.staff).or_default().add(rating.level);
    }
    let staff: Vec<Value> = by_staff
        .iter()
        .map(|(name, tally)| json!({ "staff": name, "tally": tally_view(tally) }))
        .collect();
    let views: Vec<Value> = ratings.iter().map(|r| rating_view(r, None)).collect();
    Ok(Json(json!({
        "center": principal.center,
        "month": month.to_string(),
        "tally": tally_view(&overall),
        "by_staff": staff,
        "ratings": views,
    })))
}

/// Keeps a one-time link for the resident to rate `target`, valid for the configured
/// days; its token, or `None` when the link could not be stored. The kiosk opens it on
/// the spot; [`invite`] sends it.
pub(crate) async fn rating_link(
    state: &AppState,
    center: &CenterId,
    target: Target,
    id_number: &str,
) -> Option<String> {
    let token = new_secret();
    let days = state.config.feedback.link_valid_days;
    let link = RatingLink {
        token_hash: hash_secret(&token),
        center: center.clone(),
        target,
        id_number: id_number.to_owned(),
        expires_at: state.clock.now() + Duration::days(i64::from(days)),
    };
    if let Err(err) = state.store.put_rating_link(&link).await {
        tracing::warn!(%err, "a rating link could not be stored");
        return None;
    }
    Some(token)
}

/// Sends the resident a one-time link to rate `target`. Best effort: the step that
/// prompted it has committed already, and an unrated case still gets its default.
/// Its token, for a kiosk that offers the rating there and then; `None` when the link
/// could not be stored (and nothing was sent).
pub(crate) async fn invite(
    state: &AppState,
    center: &CenterId,
    target: Target,
    id_number: &str,
) -> Option<String> {
    let days = state.config.feedback.link_valid_days;
    let what = match &target {
        Target::Case { case } => format!("您的办件 {case} 已送达"),
        Target::Visit { ticket, .. } => format!("感谢您今天来中心办事（{ticket}号）"),
    };
    let token = rating_link(state, center, target, id_number).await?;
    let message = format!(
        "【好办】{what}，请评价我们的服务：{link}（{days}天内有效）。Please rate our service: {link}",
        link = link_path(&token)
    );
    state.notifier.send(id_number, &message).await;
    Some(token)
}

/// Records the default ratings due today in every center, for the server's scheduler:
/// delivered cases nobody rated count as `rule` says. Safe to run any number of times a
/// day, on any number of instances: a case gets one rating.
pub async fn record_due_defaults(
    store: &dyn Store,
    clock: &dyn Clock,
    zone: Tz,
    rule: &DefaultRule,
) -> Result<Vec<Rating>, StoreError> {
    let today: NaiveDate = clock.today_in(zone);
    let mut recorded = Vec::new();
    for center in store.centers().await? {
        let center = CenterId::parse(&center).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        recorded.extend(
            store
                .record_default_ratings(&center, today, rule, clock.now())
                .await?,
        );
    }
    Ok(recorded)
}

/// The target of a delivered case, for its invitation.
pub(crate) fn case_target(case: &CaseNumber) -> Target {
    Target::Case { case: case.clone() }
}
