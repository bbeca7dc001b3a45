//! The 24-hour self-service area and online handling: the door, the certificate cabinets
//! (自助证照柜) and residents' uploads. The functions here are the one path for the API,
//! the kiosk and the portal.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;

use super::extract::{Object, Path, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use haoban_cases::{
    Action, Case, CaseNumber, CenterId, Event, FileKind, IdNumber, Role, UploadMeta,
};
use haoban_hall::{Cabinet, Compartment, CompartmentSize, HallEvent, Parcel, PickupOutcome};
use haoban_store::By;
use haoban_store::self_service::{Deposit, Upload, pickup_code_hash};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::api::cases::reachable;
use crate::api::feedback::{case_target, invite};
use crate::auth::{Principal, new_secret};
use crate::error::{AppError, AppResult};
use crate::{AppState, authorize};

type Body<T> = Result<Object<T>, AppError>;

fn invalid(err: impl std::fmt::Display) -> AppError {
    AppError::Invalid(err.to_string())
}

/// Who a kiosk or door step is recorded as: the resident, masked, at the device.
fn at_device(state: &AppState, id: &IdNumber) -> By {
    By {
        actor: format!("resident:{}", id.masked()),
        role: Role::Resident,
        at: state.clock.now(),
    }
}

fn by(state: &AppState, principal: &Principal) -> By {
    By {
        actor: principal.actor(),
        role: principal.role,
        at: state.clock.now(),
    }
}

/// A door's name: what the controller calls it.
fn door_name(text: &str) -> AppResult<String> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > 40 || name.chars().any(char::is_control) {
        return Err(invalid("a door's name is 1 to 40 characters"));
    }
    Ok(name.to_owned())
}

/// A resident identified at the door of the 24-hour area: recorded as a visit, then the
/// door opens.
pub(crate) async fn enter_door(
    state: &AppState,
    center: &str,
    id_number: &str,
    door: &str,
) -> AppResult<()> {
    let center = CenterId::parse(center).map_err(invalid)?;
    let id = IdNumber::parse(id_number).map_err(invalid)?;
    let door = door_name(door)?;
    let event = HallEvent::DoorEntered {
        visitor: id.to_string(),
        door: door.clone(),
    };
    state
        .store
        .note_hall(&center, &event, at_device(state, &id))
        .await?;
    state.devices.open_door(&door, &id.masked()).await;
    Ok(())
}

/// What a pickup try at the kiosk came to.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PickedUp {
    pub outcome: &'static str,
    /// Tries left before the result goes back to the desk.
    pub left: Option<u32>,
    pub compartment: Option<Compartment>,
    pub case: Option<CaseNumber>,
    /// A one-time rating link's token for the case just picked up.
    #[serde(skip)]
    pub rating_token: Option<String>,
}

/// Pickup codes are six digits.
fn pickup_code(text: &str) -> AppResult<String> {
    let code = text.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("a pickup code is 6 digits"));
    }
    Ok(code.to_owned())
}

/// One try of a pickup code: the right one opens the compartment and delivers the case.
pub(crate) async fn pick_up(
    state: &AppState,
    center: &str,
    id_number: &str,
    code: &str,
) -> AppResult<PickedUp> {
    let center = CenterId::parse(center).map_err(invalid)?;
    let id = IdNumber::parse(id_number).map_err(invalid)?;
    let code = pickup_code(code)?;
    let today = state.clock.today_in(state.catalog.time_zone);
    let attempt = state
        .store
        .try_pickup(
            &center,
            id.as_ref(),
            &code,
            state.config.self_service.pickup,
            today,
            at_device(state, &id),
        )
        .await?;
    let (outcome, left) = match attempt.outcome {
        PickupOutcome::Opened => ("opened", None),
        PickupOutcome::Wrong { left } => ("wrong", Some(left)),
        PickupOutcome::Locked => ("locked", Some(0)),
        PickupOutcome::Expired | PickupOutcome::Closed => ("returned", None),
    };
    let mut picked = PickedUp {
        outcome,
        left,
        compartment: None,
        case: None,
        rating_token: None,
    };
    if let Some(parcel) = attempt.opened {
        state.devices.open_compartment(&parcel.compartment).await;
        picked.rating_token = invite(state, &center, case_target(&parcel.case), id.as_ref()).await;
        picked.compartment = Some(parcel.compartment);
        picked.case = Some(parcel.case);
    }
    for parcel in attempt.changed.iter().filter(|p| p.returned_for.is_some()) {
        let message = format!(
            "【好办】您的办件 {} 的结果已因取件码多次输错或超期退回服务台，请携带身份证到服务台领取。",
            parcel.case
        );
        state.notifier.send(id.as_ref(), &message).await;
    }
    Ok(picked)
}

/// Records `events` (the case made ready for the cabinet) and puts the result in a
/// compartment; the resident is sent the pickup code, which is kept only as a hash.
pub(crate) async fn deposit(
    state: &AppState,
    principal: &Principal,
    case: &Case,
    version: u64,
    events: Vec<Event>,
    size: CompartmentSize,
) -> AppResult<Case> {
    // Said plainly before trying; the store still refuses a compartment taken meanwhile.
    let free = occupancy(state, &case.center)
        .await?
        .iter()
        .any(|line| line.parcel.is_none() && line.compartment.size >= size);
    if !free {
        return Err(invalid(haoban_hall::CabinetError::Full(size.as_str())));
    }
    let code = format!("{:06}", rand::random::<u32>() % 1_000_000);
    let deposit = Deposit {
        size,
        code_hash: pickup_code_hash(&case.number, &code),
        rules: state.config.self_service.pickup,
    };
    let (updated, parcel) = state
        .store
        .deposit_parcel(
            &case.number,
            version,
            events,
            &deposit,
            by(state, principal),
        )
        .await?;
    let expires = parcel
        .expires_at
        .with_timezone(&state.catalog.time_zone)
        .format("%Y-%m-%d %H:%M");
    let message = format!(
        "【好办】您的办件 {number} 的结果已放入自助证照柜 {label}，取件码 {code}。请于 {expires} 前到24小时自助区，在自助机输入身份证号和取件码领取。Your result is in cabinet {label}; pickup code {code}.",
        number = case.number,
        label = parcel.compartment.label(),
    );
    if let Some(applicant) = updated.applicant.id_number.known() {
        state.notifier.send(applicant.as_ref(), &message).await;
    }
    Ok(updated)
}

/// What a file given for a supplement request (补正) is filed under when it is none of the
/// catalog's materials.
pub(crate) const SUPPLEMENT: &str = "supplement";

/// Checks and keeps a file for one of the case's materials.
pub(crate) async fn add_upload(
    state: &AppState,
    principal: &Principal,
    number: &str,
    material: &str,
    name: &str,
    content_type: Option<&str>,
    bytes: &[u8],
) -> AppResult<Upload> {
    let case = reachable(state, principal, number, Action::ProvideSupplement).await?;
    if principal.role != Role::Resident && case.center != principal.center {
        return Err(AppError::NotFound(format!("case {number} not found")));
    }
    let known = material == SUPPLEMENT
        || case.materials.iter().any(|m| m.material == material)
        || state.catalog.material(material).is_some();
    if !known {
        return Err(invalid(format!(
            "`{material}` is not a material of the catalog"
        )));
    }
    let meta = UploadMeta::check(
        name,
        content_type,
        bytes,
        state.config.self_service.upload_limit,
    )
    .map_err(invalid)?;
    let upload = Upload {
        id: new_secret(),
        center: case.center.clone(),
        case: case.number.clone(),
        material: material.to_owned(),
        meta,
        uploaded_at: state.clock.now(),
        uploaded_by: principal.actor(),
    };
    state
        .store
        .save_upload(&upload, bytes, by(state, principal))
        .await?;
    Ok(upload)
}

/// A case's upload and its bytes, for whoever may read the case.
pub(crate) async fn read_upload(
    state: &AppState,
    principal: &Principal,
    number: &str,
    id: &str,
) -> AppResult<(Upload, Vec<u8>)> {
    let case = reachable(state, principal, number, Action::ReadCase).await?;
    let missing = || AppError::NotFound(format!("upload {id} not found"));
    let (upload, bytes) = state
        .store
        .upload(&case.center, id)
        .await?
        .ok_or_else(missing)?;
    if upload.case != case.number {
        return Err(missing());
    }
    Ok((upload, bytes))
}

/// The bytes of an upload as a download: its checked type, never sniffed by the browser,
/// never rendered in the page's origin.
pub(crate) fn file_response(upload: &Upload, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename=\"upload.{ext}\"; filename*=UTF-8''{name}",
        ext = match upload.meta.kind {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
        },
        name = crate::pages::encode(&upload.meta.name),
    );
    (
        [
            (header::CONTENT_TYPE, upload.meta.kind.mime().to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// Refuses handing over at the window a result that waits in a compartment: it is
/// picked up there, or returned to the desk first.
pub(crate) async fn not_in_a_cabinet(state: &AppState, case: &Case) -> AppResult<()> {
    let waiting = state.store.parcels(&case.center, true).await?;
    match waiting.iter().find(|p| p.case == case.number) {
        Some(parcel) => Err(invalid(format!(
            "the result of {} waits in cabinet compartment {}: it is picked up there with its code",
            case.number,
            parcel.compartment.label()
        ))),
        None => Ok(()),
    }
}

/// A compartment and what is in it now.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CompartmentLine {
    pub compartment: Compartment,
    pub parcel: Option<Parcel>,
    pub overdue: bool,
}

/// Every compartment of the center's cabinets, with the parcel waiting in it.
pub(crate) async fn occupancy(
    state: &AppState,
    center: &CenterId,
) -> AppResult<Vec<CompartmentLine>> {
    let cabinets = state.store.cabinets(center).await?;
    let waiting = state.store.parcels(center, true).await?;
    let now = state.clock.now();
    Ok(cabinets
        .iter()
        .flat_map(Cabinet::compartments)
        .map(|compartment| {
            let parcel = waiting
                .iter()
                .find(|p| {
                    p.compartment.cabinet == compartment.cabinet
                        && p.compartment.number == compartment.number
                })
                .cloned();
            let overdue = parcel.as_ref().is_some_and(|p| p.is_overdue(now));
            CompartmentLine {
                compartment,
                parcel,
                overdue,
            }
        })
        .collect())
}

// --- the JSON API ---

#[derive(Deserialize)]
pub struct DoorRequest {
    center: String,
    id_number: String,
    door: String,
}

/// `POST /kiosk/door`: the door controller's call when it has identified a resident.
pub async fn door(State(state): State<AppState>, body: Body<DoorRequest>) -> AppResult<StatusCode> {
    let Object(request) = body?;
    enter_door(&state, &request.center, &request.id_number, &request.door).await?;
    Ok(StatusCode::CREATED)
}

#[derive(Deserialize)]
pub struct PickupRequest {
    center: String,
    id_number: String,
    code: String,
}

/// `POST /kiosk/pickup`: one try of a pickup code.
pub async fn pickup(
    State(state): State<AppState>,
    body: Body<PickupRequest>,
) -> AppResult<Json<Value>> {
    let Object(request) = body?;
    let picked = pick_up(&state, &request.center, &request.id_number, &request.code).await?;
    Ok(Json(json!(picked)))
}

/// `GET /cabinets`: every compartment and what waits in it (staff of the center).
pub async fn cabinets(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Value>> {
    authorize(&principal, Action::ViewQueue)?;
    let lines = occupancy(&state, &principal.center).await?;
    let lines: Vec<Value> = lines
        .into_iter()
        .map(|line| {
            json!({
                "compartment": line.compartment.label(),
                "size": line.compartment.size,
                "case": line.parcel.as_ref().map(|p| p.case.to_string()),
                "deposited_at": line.parcel.as_ref().map(|p| p.deposited_at),
                "expires_at": line.parcel.as_ref().map(|p| p.expires_at),
                "overdue": line.overdue,
            })
        })
        .collect();
    Ok(Json(json!({ "compartments": lines })))
}

#[derive(Deserialize)]
pub struct CabinetRequest {
    name: String,
    location: String,
    #[serde(default)]
    small: usize,
    #[serde(default)]
    medium: usize,
    #[serde(default)]
    large: usize,
}

/// `POST /cabinets`: installs (or changes an empty) cabinet. Admin.
pub async fn install(
    State(state): State<AppState>,
    principal: Principal,
    body: Body<CabinetRequest>,
) -> AppResult<StatusCode> {
    authorize(&principal, Action::ManageHall)?;
    let Object(request) = body?;
    let cabinet = Cabinet::new(
        &request.name,
        &request.location,
        request.small,
        request.medium,
        request.large,
    )
    .map_err(invalid)?;
    state
        .store
        .install_cabinet(&principal.center, &cabinet, by(&state, &principal))
        .await?;
    Ok(StatusCode::CREATED)
}

#[derive(Deserialize)]
pub struct UploadQuery {
    material: String,
    name: String,
}

/// `POST /cases/{number}/uploads?material=&name=`: the file is the body.
pub async fn upload(
    State(state): State<AppState>,
    principal: Principal,
    Path(number): Path<String>,
    query: Result<Query<UploadQuery>, AppError>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Value>)> {
    let Query(query) =
        query.map_err(|e| invalid(format!("material and name are required: {e}")))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let upload = add_upload(
        &state,
        &principal,
        &number,
        &query.material,
        &query.name,
        content_type,
        &body,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!(upload))))
}

/// `GET /cases/{number}/uploads`.
pub async fn uploads(
    State(state): State<AppState>,
    principal: Principal,
    Path(number): Path<String>,
) -> AppResult<Json<Value>> {
    let case = reachable(&state, &principal, &number, Action::ReadCase).await?;
    let uploads = state.store.uploads(&case.number).await?;
    Ok(Json(json!({ "uploads": uploads })))
}

/// `GET /cases/{number}/uploads/{id}`: the file, checked against its hash.
pub async fn download(
    State(state): State<AppState>,
    principal: Principal,
    Path((number, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let (upload, bytes) = read_upload(&state, &principal, &number, &id).await?;
    Ok(file_response(&upload, bytes))
}
