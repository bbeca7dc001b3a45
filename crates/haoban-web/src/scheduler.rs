//! What the server does without anyone asking. From the first working day of a month on,
//! each center's monthly list (5个维度) of the month before is computed from the process
//! record and stored, once; each day, delivered cases nobody rated get their default
//! rating; results left in a cabinet past their time go back to the desk; once a day,
//! personal data past its retention is removed (`retention`), the removal itself an
//! access-log record. Every instance ticks; the store keeps a list once and a default once, so two
//! instances ticking together do the work once.

use std::time::Duration;

use haoban_cases::{CenterId, Role};
use haoban_insight::{Config, Month, MonthlyList};
use haoban_store::access::{AccessFilter, Expiry, Purged, RETENTION_ACTION};
use haoban_store::{By, StoreError};

use crate::AppState;
use crate::api::feedback::record_due_defaults;

/// Who the record names for what the scheduler does.
pub const SCHEDULER: &str = "scheduler";

/// What one tick did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Done {
    /// The monthly lists stored now, by center.
    pub lists: Vec<(String, Month)>,
    pub default_ratings: usize,
    /// Results returned from the cabinets to the desk, nobody having come for them.
    pub returned_parcels: usize,
    /// What the day's retention run removed, when it ran in this tick.
    pub purged: Option<Purged>,
}

/// Does whatever is due now; errors name the center they came from.
pub async fn tick(state: &AppState) -> Result<Done, StoreError> {
    let catalog = &state.catalog;
    let today = state.clock.today_in(catalog.time_zone);
    let mut done = Done::default();
    let this_month = Month::of(today);
    let due = this_month
        .first_working_day(catalog.calendar())
        .is_some_and(|first| today >= first);
    if due {
        let month = this_month.previous();
        for center in state.store.centers().await? {
            let id = CenterId::parse(&center).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if state.store.monthly_list(&id, month).await?.is_some() {
                continue;
            }
            let chain = state.store.chain(&center).await?;
            let config = Config {
                time_zone: catalog.time_zone,
                ..Config::default()
            };
            let list = MonthlyList::compute(
                &center,
                &chain.entries,
                catalog.as_ref(),
                catalog.calendar(),
                month,
                &config,
            )
            .map_err(|e| StoreError::Corrupt(format!("the process record of {center}: {e}")))?;
            let by = By {
                actor: SCHEDULER.into(),
                role: Role::Supervisor,
                at: state.clock.now(),
            };
            match state.store.save_monthly_list(&list, by).await {
                Ok(()) => done.lists.push((center, month)),
                // Another instance stored it first.
                Err(StoreError::Conflict(_)) => {}
                Err(other) => return Err(other),
            }
        }
    }
    done.default_ratings = record_due_defaults(
        state.store.as_ref(),
        state.clock.as_ref(),
        catalog.time_zone,
        &state.config.feedback.defaults,
    )
    .await?
    .len();
    for center in state.store.centers().await? {
        let id = CenterId::parse(&center).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let by = By {
            actor: SCHEDULER.into(),
            role: Role::Supervisor,
            at: state.clock.now(),
        };
        for parcel in state.store.expire_parcels(&id, by).await? {
            done.returned_parcels += 1;
            let message = format!(
                "【好办】您的办件 {} 的结果超过领取期限，已退回服务台，请携带身份证到服务台领取。",
                parcel.case
            );
            state.notifier.send(&parcel.id_number, &message).await;
        }
    }
    done.purged = retention(state).await?;
    Ok(done)
}

/// Removes personal data past its retention, once a day: a run is due when the access log
/// has no retention record since the day began (in the catalog's time zone). Two
/// instances may both run; the second removes nothing and says so.
pub async fn retention(state: &AppState) -> Result<Option<Purged>, StoreError> {
    let now = state.clock.now();
    let zone = state.catalog.time_zone;
    let day_began = now
        .with_timezone(&zone)
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .and_then(|midnight| midnight.and_local_timezone(zone).earliest())
        .map_or(now, |t| t.with_timezone(&chrono::Utc));
    let today = AccessFilter {
        actor: Some(SCHEDULER.to_owned()),
        from: Some(day_began),
        limit: 1000,
        ..AccessFilter::default()
    };
    let ran_today = state
        .store
        .access_log(&today)
        .await?
        .iter()
        .any(|entry| entry.record.action == RETENTION_ACTION);
    if ran_today {
        return Ok(None);
    }
    purge_now(state).await.map(Some)
}

/// The retention run itself, now: see [`crate::Retention`] and `docs/audit.md`.
pub async fn purge_now(state: &AppState) -> Result<Purged, StoreError> {
    let now = state.clock.now();
    let config = &state.config;
    let days = |n: u32| chrono::Duration::days(i64::from(n));
    let expiry = Expiry {
        now,
        personal_before: now - days(config.retention.personal_data_days),
        idle_before: now - config.idle_timeout,
        started_before: now - config.absolute_timeout,
        access_log_before: now - days(config.retention.access_log_days),
        actor: SCHEDULER.to_owned(),
    };
    state.store.purge_personal_data(&expiry).await
}

/// Ticks every `every` for as long as the server runs; a failed tick is logged and tried
/// again at the next.
pub fn spawn(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            match tick(&state).await {
                Ok(done) if done != Done::default() => {
                    tracing::info!(lists = ?done.lists, default_ratings = done.default_ratings, purged = ?done.purged, "scheduled work done");
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::error!(cause = %err, "scheduled work failed; trying again later")
                }
            }
        }
    })
}
