//! Verifying the process record from the API (the command line has `haoban audit verify`).

use axum::Json;
use axum::extract::State;
use haoban_cases::Action;
use haoban_cases::record::verify as verify_chain;
use serde_json::{Value, json};

use crate::auth::Principal;
use crate::error::AppResult;
use crate::{AppState, authorize};

/// Verifies the signed-in person's own center's chain.
pub async fn verify(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Value>> {
    authorize(&principal, Action::VerifyAudit)?;
    let center = principal.center.to_string();
    let chain = state.store.chain(&center).await?;
    let body = match verify_chain(&center, &chain.entries, chain.head.as_ref()) {
        Ok(events) => json!({ "center": center, "intact": true, "events": events }),
        Err(broken) => json!({
            "center": center,
            "intact": false,
            "events": chain.entries.len(),
            "first_bad_event": broken.seq,
            "problem": broken.problem,
        }),
    };
    Ok(Json(body))
}
