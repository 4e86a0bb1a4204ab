//! `GET /exports/answers.csv` and `GET /exports/answers.jsonl`: answers in bulk
//! (`Authorization: Bearer`), one row per answer and one per skipped participation, in
//! standup order. Query parameters: `teamId`, `userId`, `from`, `to` (standup dates,
//! `YYYY-MM-DD`, both included). OWNER/ADMIN export the organization; anyone else only
//! their own answers (see [`crate::service::search`]).
//!
//! The rows come from a database cursor a batch at a time and go out as they are read:
//! a task fetches and renders a batch, hands it to the response through a channel of
//! two, and waits while the client is slower; memory holds a few batches however many
//! rows there are. A client that goes away stops the cursor.

use super::audit_export::{caller, error, record};
use crate::error::ApiError;
use crate::service::away::parse_day;
use crate::service::search as service;
use crate::state::AppState;
use actix_web::web::{Bytes, Data, Query};
use actix_web::{HttpRequest, HttpResponse};
use schema::ids::{TeamId, UserId};
use schema_server::db::answer_export::ExportRow;
use schema_server::db::search::SearchFilter;
use serde::Deserialize;
use tokio::sync::mpsc;

const CSV_HEADER: &str =
    "standup_id,standup_date,team,config,person,email,question,answer,late,skipped_reason\r\n";

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Params {
    team_id: Option<String>,
    user_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Csv,
    Jsonl,
}

fn filter(params: Params) -> Result<SearchFilter, ApiError> {
    let team = match params.team_id.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(raw.parse::<TeamId>().map_err(|_| ApiError::NotFoundIn {
            field: "teamId",
            message: "teamId: no team of this organization has this id".into(),
        })?),
    };
    let user = match params.user_id.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(raw.parse::<UserId>().map_err(|_| ApiError::BadInput {
            field: Some("userId"),
            message: "userId: not a user id".into(),
        })?),
    };
    let day = |field: &'static str, raw: Option<String>| {
        raw.filter(|r| !r.is_empty())
            .map(|r| parse_day(field, &r))
            .transpose()
    };
    Ok(SearchFilter {
        team,
        user,
        from: day("from", params.from)?,
        to: day("to", params.to)?,
    })
}

/// The answer cell: a MOOD answer as its one line ("4/5 Good — comment").
fn shown_answer(row: &ExportRow) -> String {
    match row.mood {
        Some(mood) => schema::standup::mood_text(mood, &row.answer),
        None => row.answer.clone(),
    }
}

fn csv(rows: &[ExportRow]) -> Bytes {
    let mut out = String::with_capacity(rows.len() * 160);
    for row in rows {
        let values = [
            row.standup_id.to_string(),
            row.standup_date.to_string(),
            row.team.clone(),
            row.config.clone(),
            row.person.clone(),
            row.email.clone(),
            row.question.clone(),
            shown_answer(row),
            row.late.to_string(),
            row.skipped_reason.clone().unwrap_or_default(),
        ];
        record(&mut out, &values);
    }
    Bytes::from(out)
}

fn jsonl(rows: &[ExportRow]) -> Bytes {
    let mut out = Vec::with_capacity(rows.len() * 320);
    for row in rows {
        let line = serde_json::json!({
            "standupId": row.standup_id,
            "standupDate": row.standup_date,
            "scheduledFor": row.scheduled_for,
            "teamId": row.team_id,
            "team": row.team,
            "config": row.config,
            "userId": row.user_id,
            "person": row.person,
            "email": row.email,
            "question": row.question,
            "answer": shown_answer(row),
            "mood": row.mood,
            "late": row.late,
            "skippedReason": row.skipped_reason,
        });
        // Serializing a json! value cannot fail.
        let _ = serde_json::to_writer(&mut out, &line);
        out.push(b'\n');
    }
    Bytes::from(out)
}

pub async fn csv_export(
    req: HttpRequest,
    state: Data<AppState>,
    params: Query<Params>,
) -> HttpResponse {
    export(req, state, params, Format::Csv).await
}

pub async fn jsonl_export(
    req: HttpRequest,
    state: Data<AppState>,
    params: Query<Params>,
) -> HttpResponse {
    export(req, state, params, Format::Jsonl).await
}

async fn export(
    req: HttpRequest,
    state: Data<AppState>,
    params: Query<Params>,
    format: Format,
) -> HttpResponse {
    let state = state.get_ref().clone();
    let caller = match caller(&req, &state).await {
        Ok(caller) => caller,
        Err(e) => return error(&e),
    };
    let filter = match filter(params.into_inner()) {
        Ok(filter) => filter,
        Err(e) => return error(&e),
    };
    // Authorization and input errors answer with a status code, before any row.
    let filter = match service::authorize_export(&state, &caller, filter).await {
        Ok(filter) => filter,
        Err(e) => return error(&e),
    };
    let (tx, rx) = mpsc::channel::<Result<Bytes, ApiError>>(2);
    if format == Format::Csv {
        // The channel is new and has room.
        let _ = tx.try_send(Ok(Bytes::from_static(CSV_HEADER.as_bytes())));
    }
    actix_web::rt::spawn(async move {
        let sink = {
            let tx = tx.clone();
            move |rows: Vec<ExportRow>| {
                let tx = tx.clone();
                async move {
                    let chunk = match format {
                        Format::Csv => csv(&rows),
                        Format::Jsonl => jsonl(&rows),
                    };
                    tx.send(Ok(chunk)).await.is_ok()
                }
            }
        };
        match service::export_answers(&state, &caller, &filter, sink).await {
            Ok(rows) => tracing::info!(rows, ?format, "answer export finished"),
            Err(e) => {
                tracing::warn!(error = format!("{e:#}"), "answer export stopped");
                // Ends the response with an error, so the client sees it cut short.
                let _ = tx.send(Err(e)).await;
            }
        }
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let (content_type, name) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "answers.csv"),
        Format::Jsonl => ("application/x-ndjson; charset=utf-8", "answers.jsonl"),
    };
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header(("cache-control", "no-store"))
        .streaming(body)
}
