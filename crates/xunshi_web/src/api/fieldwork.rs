//! Fieldwork (进驻了解): the public's intake (no token, no cookie, the receipt code only in
//! bodies, never in an address), the entry announcement, the team's register of letters with
//! the revealing of a writer, talks, document requests, the other methods' records, and the
//! citations of papers and clues.
//!
//! Everything but the public routes and the document requests is the inspection team's alone:
//! to anyone else an inspection's fieldwork does not exist (404) or is refused (403).

use axum::Json;
use axum::body::Body;
use axum::extract::multipart::Multipart;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::Id;
use xunshi_core::fieldwork::{
    Announcement, AnnouncementInput, Citation, CitationInput, CitingKind, DocAnswerInput,
    DocRequest, DocRequestInput, DocReturnInput, FieldRecord, FieldRecordInput, Letter,
    LetterHandlerInput, LetterHandlingInput, LetterInput, LetterNote, PublicSubmissionInput,
    SourceKind, Talk, TalkInput, TalkPlanEntry, TalkPlanInput, Writer,
};
use xunshi_core::permission::Actor;
use xunshi_core::service::{
    DocRequestEntry, FieldRecordDetail, LetterDetail, LetterTally, PublicInspection,
    PublicLetterStatus, TalkCoverage, TalkDetail,
};
use xunshi_core::store::FieldworkFile;

use super::papers::UploadForm;
use super::{ApiJson, ApiQuery, Page, path_id};
use crate::AppState;
use crate::auth::{ApiUser, PublicAttempt};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::Path;
use crate::http::files::{UPLOAD_LIMIT, fieldwork_file_response};
use crate::http::filters::{LetterQuery, PageQuery};
use crate::http::intake::{SUBMISSION_LIMIT, read_submission};

pub fn routes() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(add_letter_file))
        .routes(routes!(add_field_record_file))
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT));
    let intake = OpenApiRouter::new()
        .routes(routes!(public_submit))
        .layer(DefaultBodyLimit::max(SUBMISSION_LIMIT));
    OpenApiRouter::new()
        .routes(routes!(public_inspections))
        .merge(intake)
        .routes(routes!(public_status))
        .routes(routes!(public_follow_up))
        .routes(routes!(get_announcement, save_announcement))
        .routes(routes!(list_letters, register_letter))
        .routes(routes!(letter_tally))
        .routes(routes!(get_letter))
        .routes(routes!(handle_letter))
        .routes(routes!(reply_to_writer))
        .routes(routes!(reveal_writer))
        .merge(uploads)
        .routes(routes!(download_fieldwork_file))
        .routes(routes!(list_letter_handlers, set_letter_handler))
        .routes(routes!(talk_plan, plan_talk))
        .routes(routes!(list_talks, record_talk))
        .routes(routes!(get_talk))
        .routes(routes!(list_doc_requests, send_doc_request))
        .routes(routes!(doc_requests_to_answer))
        .routes(routes!(get_doc_request))
        .routes(routes!(answer_doc_request))
        .routes(routes!(return_doc_request))
        .routes(routes!(list_field_records, add_field_record))
        .routes(routes!(get_field_record))
        .routes(routes!(problem_sources, cite_for_problem))
        .routes(routes!(clue_sources, cite_for_clue))
}

// ----- the public -----

/// The inspections on site now taking letters, with their announcements. No token needed.
#[utoipa::path(get, path = "/public/announcements", tag = "fieldwork",
    responses((status = 200, body = Vec<PublicInspection>)))]
async fn public_inspections(State(app): State<AppState>) -> ApiResult<Json<Vec<PublicInspection>>> {
    Ok(Json(app.services.public_inspections().await?))
}

#[derive(Serialize, ToSchema)]
pub struct Receipt {
    /// The receipt code (查询码), shown once: only its hash is kept, so it cannot be sent
    /// again. With it the writer reads the status and adds information.
    pub receipt: String,
}

/// A public submission as a multipart form: the fields of the JSON body as text parts, and up
/// to three parts named `file`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PublicSubmissionForm {
    #[schema(value_type = String, format = "uuid")]
    inspection_id: String,
    #[schema(min_length = 10, max_length = 20000, pattern = r"\S")]
    content: String,
    #[schema(max_length = 50)]
    name: Option<String>,
    #[schema(max_length = 200)]
    contact: Option<String>,
    #[schema(max_length = 50)]
    about_name: Option<String>,
    #[schema(max_length = 100)]
    about_post: Option<String>,
    /// pdf, docx, xlsx, doc, xls, jpg, png, txt or zip; at most 20 MB each, three in all.
    #[schema(value_type = Option<String>, format = Binary)]
    file: Option<Vec<u8>>,
}

/// Sends a letter to an inspection on site, as JSON or, with files, as a multipart form (read
/// as the public page reads it). No token, no cookie; the caller's address and user agent are
/// neither stored nor logged. Throttled per address and overall (429).
#[utoipa::path(post, path = "/public/submissions", tag = "fieldwork",
    request_body(content(
        (PublicSubmissionInput = "application/json"),
        (PublicSubmissionForm = "multipart/form-data"))),
    responses((status = 201, body = Receipt), (status = 400, body = ErrorBody),
        (status = 404, description = "no inspection on site takes letters under this id", body = ErrorBody),
        (status = 413, description = "a file over 20 MB", body = ErrorBody),
        (status = 429, body = ErrorBody)))]
async fn public_submit(
    State(app): State<AppState>,
    _: PublicAttempt,
    req: Request,
) -> ApiResult<(StatusCode, Json<Receipt>)> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    let (input, files) = if multipart {
        let mut mp = Multipart::from_request(req, &app).await.map_err(|r| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_input",
                format!("无法读取 multipart/form-data：{}", r.body_text()),
            )
        })?;
        read_submission(&crate::http::files::Staging::of(&app), &mut mp).await?
    } else {
        // Without files the body is held to the API's own limit, not the files'.
        let limit = app.config.form_limit;
        let req = req.map(|b| Body::new(http_body_util::Limited::new(b, limit)));
        let ApiJson(input) = ApiJson::<PublicSubmissionInput>::from_request(req, &app).await?;
        (input, Vec::new())
    };
    let receipt = app
        .services
        .submit_public_letter(&input, files)
        .await?
        .receipt;
    Ok((StatusCode::CREATED, Json(Receipt { receipt })))
}

#[derive(Deserialize, ToSchema)]
pub struct ReceiptInput {
    /// The receipt code as given (case, spaces and dashes do not matter).
    #[schema(min_length = 1, max_length = 64)]
    pub receipt: String,
}

/// What the writer may know of their letter, by its receipt code (in the body, never in the
/// address). An unknown code is 404. Throttled as submissions are.
#[utoipa::path(post, path = "/public/submissions/status", tag = "fieldwork",
    request_body = ReceiptInput,
    responses((status = 200, body = PublicLetterStatus), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn public_status(
    State(app): State<AppState>,
    _: PublicAttempt,
    ApiJson(input): ApiJson<ReceiptInput>,
) -> ApiResult<Json<PublicLetterStatus>> {
    Ok(Json(
        app.services.public_letter_status(&input.receipt).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct FollowUpText {
    #[schema(min_length = 1, max_length = 64)]
    pub receipt: String,
    /// What the writer adds.
    #[schema(min_length = 1, max_length = 20000, pattern = r"\S")]
    pub content: String,
}

/// The writer adds information to their letter, by its receipt code, until the team closes
/// it (422 after).
#[utoipa::path(post, path = "/public/submissions/follow-up", tag = "fieldwork",
    request_body = FollowUpText,
    responses((status = 200, body = PublicLetterStatus), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn public_follow_up(
    State(app): State<AppState>,
    _: PublicAttempt,
    ApiJson(input): ApiJson<FollowUpText>,
) -> ApiResult<Json<PublicLetterStatus>> {
    Ok(Json(
        app.services
            .public_letter_add(&input.receipt, &input.content)
            .await?,
    ))
}

// ----- the announcement -----

/// The entry announcement of an inspection (null before one is published).
#[utoipa::path(get, path = "/inspections/{id}/announcement", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Option<Announcement>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_announcement(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Option<Announcement>>> {
    let id = path_id(&id, "巡视任务")?;
    Ok(Json(app.services.announcement(&actor, id).await?))
}

/// Publishes or changes the entry announcement: the team's leader or the office, before the
/// team enters or on site; a change names the version it was based on.
#[utoipa::path(put, path = "/inspections/{id}/announcement", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AnnouncementInput,
    responses((status = 200, body = Announcement), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_announcement(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AnnouncementInput>,
) -> ApiResult<Json<Announcement>> {
    let id = path_id(&id, "巡视任务")?;
    Ok(Json(
        app.services.save_announcement(&actor, id, &input).await?,
    ))
}

// ----- the register -----

/// The inspection's register of letters, calls and visits, newest first, with the total
/// under the filter: the team.
#[utoipa::path(get, path = "/inspections/{id}/letters", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path), LetterQuery),
    responses((status = 200, body = Page<Letter>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_letters(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<LetterQuery>,
) -> ApiResult<Json<Page<Letter>>> {
    let id = path_id(&id, "巡视任务")?;
    let (f, page) = (q.filter()?, q.page()?);
    Ok(Json(
        app.services
            .letters_page(&actor, id, &f, page)
            .await?
            .into(),
    ))
}

/// Registers a letter, call or visit the team received; the writer's name and contact are
/// encrypted before they are stored.
#[utoipa::path(post, path = "/inspections/{id}/letters", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = LetterInput,
    responses((status = 201, body = Letter), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn register_letter(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<LetterInput>,
) -> ApiResult<(StatusCode, Json<Letter>)> {
    let id = path_id(&id, "巡视任务")?;
    let l = app.services.register_letter(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(l)))
}

/// The register counted by channel, discipline and scope (repeats left out), for the report.
#[utoipa::path(get, path = "/inspections/{id}/letters/tally", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = LetterTally), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn letter_tally(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<LetterTally>> {
    let id = path_id(&id, "巡视任务")?;
    Ok(Json(app.services.letter_tally(&actor, id).await?))
}

/// A letter with its notes, files and the papers and clues citing it; never the writer.
#[utoipa::path(get, path = "/letters/{id}", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = LetterDetail), (status = 404, body = ErrorBody)))]
async fn get_letter(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<LetterDetail>> {
    let id = path_id(&id, "来信来访")?;
    Ok(Json(app.services.letter_detail(&actor, id).await?))
}

/// Classifies a letter, takes it up or passes it on (转办), links it to the letter it repeats
/// and records what was done, on the version seen.
#[utoipa::path(put, path = "/letters/{id}/handling", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = LetterHandlingInput,
    responses((status = 200, body = Letter), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn handle_letter(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<LetterHandlingInput>,
) -> ApiResult<Json<Letter>> {
    let id = path_id(&id, "来信来访")?;
    Ok(Json(app.services.handle_letter(&actor, id, &input).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ReplyInput {
    #[schema(min_length = 1, max_length = 5000, pattern = r"\S")]
    pub body: String,
}

/// The team's answer to the writer of a letter sent through the public page, which the writer
/// reads with the receipt code.
#[utoipa::path(post, path = "/letters/{id}/replies", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReplyInput,
    responses((status = 201, body = LetterNote), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn reply_to_writer(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReplyInput>,
) -> ApiResult<(StatusCode, Json<LetterNote>)> {
    let id = path_id(&id, "来信来访")?;
    let n = app
        .services
        .reply_to_writer(&actor, id, &input.body)
        .await?;
    Ok((StatusCode::CREATED, Json(n)))
}

#[derive(Deserialize, ToSchema)]
pub struct RevealInput {
    /// Why the identity is needed; kept in the audit trail.
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub reason: String,
}

/// Opens the writer's name and contact: an appointed letter handler of the inspection, with a
/// reason. Each reveal is an audit record (who, which letter, why — never the name).
#[utoipa::path(post, path = "/letters/{id}/reveal", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = RevealInput,
    responses((status = 200, body = Writer), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, description = "an anonymous letter", body = ErrorBody)))]
async fn reveal_writer(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RevealInput>,
) -> ApiResult<Json<Writer>> {
    let id = path_id(&id, "来信来访")?;
    Ok(Json(
        app.services
            .reveal_writer(&actor, id, &input.reason)
            .await?,
    ))
}

/// Attaches a file to a letter (multipart form, part `file`): a member of the team.
#[utoipa::path(post, path = "/letters/{id}/files", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = FieldworkFile), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody)))]
async fn add_letter_file(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<FieldworkFile>)> {
    let id = path_id(&id, "来信来访")?;
    add_file(&app, &actor, SourceKind::Letter, id, mp).await
}

/// Attaches a file to a record of the other methods (multipart form, part `file`): a member of
/// the team.
#[utoipa::path(post, path = "/field-records/{id}/files", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = FieldworkFile), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody)))]
async fn add_field_record_file(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<FieldworkFile>)> {
    let id = path_id(&id, "工作记录")?;
    add_file(&app, &actor, SourceKind::FieldRecord, id, mp).await
}

async fn add_file(
    app: &AppState,
    actor: &Actor,
    kind: SourceKind,
    id: Id,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<FieldworkFile>)> {
    let (name, bytes) = super::upload(app, mp).await?;
    let f = app
        .services
        .add_fieldwork_file(actor, kind, id, &name, bytes)
        .await?;
    Ok((StatusCode::CREATED, Json(f)))
}

/// A file of a letter or of another record, always as an attachment; the download is recorded.
#[utoipa::path(get, path = "/fieldwork-files/{id}", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"),
        (status = 404, body = ErrorBody)))]
async fn download_fieldwork_file(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = path_id(&id, "附件")?;
    let (f, bytes) = app.services.fieldwork_file(&actor, id).await?;
    Ok(fieldwork_file_response(&f, bytes))
}

/// The appointed letter handlers (pool ids): the team.
#[utoipa::path(get, path = "/inspections/{id}/letter-handlers", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<String>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_letter_handlers(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<xunshi_core::Id>>> {
    let id = path_id(&id, "巡视任务")?;
    Ok(Json(app.services.letter_handlers(&actor, id).await?))
}

/// Appoints or withdraws a letter handler: the team's leader or deputy. Answers the handlers
/// after the change.
#[utoipa::path(post, path = "/inspections/{id}/letter-handlers", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = LetterHandlerInput,
    responses((status = 200, body = Vec<String>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_letter_handler(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<LetterHandlerInput>,
) -> ApiResult<Json<Vec<xunshi_core::Id>>> {
    let id = path_id(&id, "巡视任务")?;
    let (inspector, on) = input.validate()?;
    Ok(Json(
        app.services
            .set_letter_handler(&actor, id, inspector, on)
            .await?,
    ))
}

// ----- talks -----

/// The talk plan with its coverage by group: the team.
#[utoipa::path(get, path = "/inspections/{id}/talk-plan", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TalkCoverage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn talk_plan(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<TalkCoverage>> {
    let id = path_id(&id, "巡视任务")?;
    Ok(Json(app.services.talk_coverage(&actor, id).await?))
}

/// Adds a person to the talk plan: the team, before entry or on site.
#[utoipa::path(post, path = "/inspections/{id}/talk-plan", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = TalkPlanInput,
    responses((status = 201, body = TalkPlanEntry), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn plan_talk(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<TalkPlanInput>,
) -> ApiResult<(StatusCode, Json<TalkPlanEntry>)> {
    let id = path_id(&id, "巡视任务")?;
    let e = app.services.plan_talk(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(e)))
}

/// The inspection's talks, newest first, without their records: the team.
#[utoipa::path(get, path = "/inspections/{id}/talks", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path), PageQuery),
    responses((status = 200, body = Page<Talk>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn list_talks(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Talk>>> {
    let id = path_id(&id, "巡视任务")?;
    Ok(Json(
        app.services.talks_page(&actor, id, q.page()?).await?.into(),
    ))
}

/// Records an individual talk: two inspectors of the team present at least (one is refused,
/// 422); the record's text is encrypted before it is stored.
#[utoipa::path(post, path = "/inspections/{id}/talks", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = TalkInput,
    responses((status = 201, body = Talk), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_talk(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<TalkInput>,
) -> ApiResult<(StatusCode, Json<Talk>)> {
    let id = path_id(&id, "巡视任务")?;
    let t = app.services.record_talk(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// A talk with its record: the team; the read is recorded.
#[utoipa::path(get, path = "/talks/{id}", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TalkDetail), (status = 404, body = ErrorBody)))]
async fn get_talk(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<TalkDetail>> {
    let id = path_id(&id, "个别谈话")?;
    Ok(Json(app.services.talk_detail(&actor, id).await?))
}

// ----- document requests -----

/// The inspection's requests for documents: all of them for the team, those to their own unit
/// for its principal or liaison.
#[utoipa::path(get, path = "/inspections/{id}/doc-requests", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path), PageQuery),
    responses((status = 200, body = Page<DocRequestEntry>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn list_doc_requests(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<DocRequestEntry>>> {
    let id = path_id(&id, "巡视任务")?;
    Ok(Json(
        app.services
            .doc_requests_page(&actor, id, q.page()?)
            .await?
            .into(),
    ))
}

/// Sends a request for materials to one of the inspected units: the team, on site.
#[utoipa::path(post, path = "/inspections/{id}/doc-requests", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = DocRequestInput,
    responses((status = 201, body = DocRequest), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn send_doc_request(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DocRequestInput>,
) -> ApiResult<(StatusCode, Json<DocRequest>)> {
    let id = path_id(&id, "巡视任务")?;
    let d = app.services.send_doc_request(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// The requests waiting for an answer from the units the caller answers for (principal or
/// liaison), across inspections, oldest first.
#[utoipa::path(get, path = "/doc-requests", tag = "fieldwork", security(("bearer" = [])),
    responses((status = 200, body = Vec<DocRequestEntry>), (status = 401, body = ErrorBody)))]
async fn doc_requests_to_answer(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<Vec<DocRequestEntry>>> {
    Ok(Json(app.services.doc_requests_to_answer(&actor).await?))
}

/// One request: the team, or the unit it is addressed to.
#[utoipa::path(get, path = "/doc-requests/{id}", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = DocRequestEntry), (status = 404, body = ErrorBody)))]
async fn get_doc_request(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<DocRequestEntry>> {
    let id = path_id(&id, "调阅通知")?;
    Ok(Json(app.services.doc_request(&actor, id).await?))
}

/// The unit's answer: its principal or liaison, once, on the version seen.
#[utoipa::path(post, path = "/doc-requests/{id}/answer", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = DocAnswerInput,
    responses((status = 200, body = DocRequest), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn answer_doc_request(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DocAnswerInput>,
) -> ApiResult<Json<DocRequest>> {
    let id = path_id(&id, "调阅通知")?;
    Ok(Json(
        app.services.answer_doc_request(&actor, id, &input).await?,
    ))
}

/// The team gives the materials back, once provided, on the version seen.
#[utoipa::path(post, path = "/doc-requests/{id}/return", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = DocReturnInput,
    responses((status = 200, body = DocRequest), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn return_doc_request(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DocReturnInput>,
) -> ApiResult<Json<DocRequest>> {
    let id = path_id(&id, "调阅通知")?;
    Ok(Json(
        app.services.return_doc_request(&actor, id, &input).await?,
    ))
}

// ----- the other methods -----

/// The inspection's records of the other methods, newest first: the team.
#[utoipa::path(get, path = "/inspections/{id}/field-records", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path), PageQuery),
    responses((status = 200, body = Page<FieldRecord>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn list_field_records(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<FieldRecord>>> {
    let id = path_id(&id, "巡视任务")?;
    Ok(Json(
        app.services
            .field_records_page(&actor, id, q.page()?)
            .await?
            .into(),
    ))
}

/// Records a report heard, a forum, a democratic appraisal or questionnaire (with the forms
/// handed out and returned), a spot check, a visit…: the team, on site.
#[utoipa::path(post, path = "/inspections/{id}/field-records", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = FieldRecordInput,
    responses((status = 201, body = FieldRecord), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_field_record(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<FieldRecordInput>,
) -> ApiResult<(StatusCode, Json<FieldRecord>)> {
    let id = path_id(&id, "巡视任务")?;
    let r = app.services.add_field_record(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// A record of the other methods with its files and the papers and clues citing it: the team.
#[utoipa::path(get, path = "/field-records/{id}", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = FieldRecordDetail), (status = 404, body = ErrorBody)))]
async fn get_field_record(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<FieldRecordDetail>> {
    let id = path_id(&id, "工作记录")?;
    Ok(Json(app.services.field_record_detail(&actor, id).await?))
}

// ----- citations -----

/// What a working paper cites (letters, talks, documents retrieved, other records): the team.
#[utoipa::path(get, path = "/problems/{id}/sources", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<Citation>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn problem_sources(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Citation>>> {
    let id = path_id(&id, "问题底稿")?;
    Ok(Json(
        app.services
            .sources_of(&actor, CitingKind::Problem, id)
            .await?,
    ))
}

/// A working paper cites a fieldwork record of its inspection; citing twice changes nothing.
/// Answers everything the paper cites.
#[utoipa::path(post, path = "/problems/{id}/sources", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CitationInput,
    responses((status = 200, body = Vec<Citation>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn cite_for_problem(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CitationInput>,
) -> ApiResult<Json<Vec<Citation>>> {
    let id = path_id(&id, "问题底稿")?;
    Ok(Json(
        app.services
            .cite_source(&actor, CitingKind::Problem, id, &input)
            .await?,
    ))
}

/// What a clue cites: the team.
#[utoipa::path(get, path = "/clues/{id}/sources", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<Citation>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn clue_sources(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Citation>>> {
    let id = path_id(&id, "问题线索")?;
    Ok(Json(
        app.services
            .sources_of(&actor, CitingKind::Clue, id)
            .await?,
    ))
}

/// A clue cites a fieldwork record of its inspection (the letter it came from, a talk…).
#[utoipa::path(post, path = "/clues/{id}/sources", tag = "fieldwork", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CitationInput,
    responses((status = 200, body = Vec<Citation>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn cite_for_clue(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CitationInput>,
) -> ApiResult<Json<Vec<Citation>>> {
    let id = path_id(&id, "问题线索")?;
    Ok(Json(
        app.services
            .cite_source(&actor, CitingKind::Clue, id, &input)
            .await?,
    ))
}
