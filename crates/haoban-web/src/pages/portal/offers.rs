//! Offers (一键即享) in the portal: what a scan of the population found a resident eligible
//! for, confirmed with one click, which opens the case online with the facts the center
//! already knew filled in; or declined. Both answers are on the process record.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use haoban_cases::IdNumber;
use haoban_store::By;
use haoban_store::offers::{OfferAnswer, OfferStatus};

use super::apply::name_error;
use super::msgs::PortalMsgs;
use super::{
    AppState, Lang, MaybeSignedIn, Principal, error_page, posted_form, resident, see_other,
};
use crate::api::cases::{Opening, open};
use crate::error::AppError;
use crate::pages::form_field;

/// An open offer as the home page shows it.
pub(super) struct OfferLine {
    pub item: String,
    pub name: String,
    /// When the center found them eligible, in words.
    pub found: String,
    /// The item can be applied for online; otherwise it is taken up at a window.
    pub online: bool,
}

/// The resident's open offers, and the name the center knows them by (to prefill).
pub(super) async fn open_offers(
    state: &AppState,
    lang: Lang,
    principal: &Principal,
) -> Result<(Vec<OfferLine>, String), AppError> {
    let id =
        IdNumber::parse(&principal.subject).map_err(|e| AppError::Unexpected(e.to_string()))?;
    let offers = state.store.offers_for(&principal.center, &id).await?;
    let lines = offers
        .into_iter()
        .filter(|offer| offer.status == OfferStatus::Open)
        .filter_map(|offer| {
            let item = state.catalog.item(&offer.item)?;
            Some(OfferLine {
                name: item.name.get(lang.locale()).to_owned(),
                online: item.channels.iter().any(|c| c == "online"),
                found: PortalMsgs::of(lang)
                    .offer_found
                    .replace("{}", &offer.eligible_on.format("%Y-%m-%d").to_string()),
                item: offer.item,
            })
        })
        .collect();
    let known_name = state
        .store
        .visitor(&principal.center, id.as_ref())
        .await?
        .map(|v| v.name)
        .unwrap_or_default();
    Ok((lines, known_name))
}

/// `POST /portal/offers/{item}`: `answer=confirm` (with the applicant's `name`) or
/// `answer=decline`.
pub async fn answer(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    MaybeSignedIn(principal): MaybeSignedIn,
    Path(item): Path<String>,
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
    let field = |name: &str| form_field(&pairs, name).trim().to_owned();
    let p = PortalMsgs::of(lang);
    let fail = |err: AppError| error_page(lang, &uri, Some(&principal), err);
    let id = match IdNumber::parse(&principal.subject) {
        Ok(id) => id,
        Err(err) => return fail(AppError::Unexpected(err.to_string())),
    };
    let online = state
        .catalog
        .item(&item)
        .is_some_and(|i| i.channels.iter().any(|c| c == "online"));
    let choice = match field("answer").as_str() {
        "confirm" if online => OfferAnswer::Confirm,
        "confirm" => return fail(AppError::Invalid(p.offer_at_window.to_owned())),
        "decline" => OfferAnswer::Decline,
        _ => return fail(AppError::Invalid("answer is confirm or decline".into())),
    };
    let name = field("name");
    if let Some(refused) = name_error(p, &name).filter(|_| choice == OfferAnswer::Confirm) {
        return fail(AppError::Invalid(refused.to_owned()));
    }
    let by = By {
        actor: principal.actor(),
        role: principal.role,
        at: state.clock.now(),
    };
    // Answered first: a second click finds it answered (409) and opens no second case.
    let offer = match state
        .store
        .answer_offer(&principal.center, &id, &item, choice, by)
        .await
    {
        Ok(offer) => offer,
        Err(err) => return fail(err.into()),
    };
    if choice == OfferAnswer::Decline {
        return see_other("/portal?done=declined");
    }
    let opening = Opening {
        item: &offer.item,
        id_number: id.as_ref(),
        name: &name,
        facts: Some(&offer.facts),
        channel: Some(haoban_cases::Channel::Online),
    };
    match open(&state, &principal, opening).await {
        Ok(case) => see_other(&format!("/portal/cases/{}?done=applied", case.number)),
        Err(err) => {
            tracing::warn!(%err, item = %offer.item, "a confirmed offer did not open a case");
            let mut page = error_page(lang, &uri, Some(&principal), err);
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            page
        }
    }
}
