//! `/graphql`: JSON-only POST (single or batched), queries over GET. Subscriptions run over
//! WebSocket (`graphql_ws`).

use super::request::{authenticate, graphql_error, meta};
use crate::graphql::AppSchema;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{CustomizeResponder, Either, HttpRequest, HttpResponse, Responder, web};
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{BatchRequest, BatchResponse, Response};
use async_graphql_actix_web::GraphQLResponse;
use futures_util::StreamExt;

type Reply = Either<HttpResponse, CustomizeResponder<GraphQLResponse>>;

pub async fn post(
    req: HttpRequest,
    mut payload: web::Payload,
    state: web::Data<AppState>,
    schema: web::Data<AppSchema>,
) -> Reply {
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime != "application/json" {
        return Either::Left(graphql_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_USER_INPUT",
            "POST /graphql accepts only Content-Type: application/json",
        ));
    }
    let limit = state.settings.max_body_bytes;
    if let Some(length) = req
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        && length > limit
    {
        return Either::Left(too_large(limit));
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return Either::Left(graphql_error(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                "could not read the request body",
            ));
        };
        if body.len() + chunk.len() > limit {
            return Either::Left(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(batch) => batch,
        Err(e) => {
            return Either::Left(graphql_error(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                &format!("the body is not a GraphQL request: {e}"),
            ));
        }
    };
    let max = state.settings.max_batch;
    if let BatchRequest::Batch(requests) = &batch
        && (requests.is_empty() || requests.len() > max)
    {
        return Either::Left(graphql_error(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            &format!(
                "a batch must hold 1 to {max} operations, got {}",
                requests.len()
            ),
        ));
    }
    let (auth, token) = authenticate(&req, &state).await;
    let mut batch = batch.data(meta(&req, &state)).data(auth);
    if let Some(token) = token {
        batch = batch.data(token);
    }
    respond(schema.execute_batch(batch).await)
}

pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    schema: web::Data<AppSchema>,
) -> Reply {
    let request = match async_graphql::http::parse_query_string(req.query_string()) {
        Ok(request) => request,
        Err(e) => {
            return Either::Left(graphql_error(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                &format!("invalid GraphQL GET request: {e}"),
            ));
        }
    };
    match operation_type(&request.query, request.operation_name.as_deref()) {
        Some(OperationType::Query) => {}
        Some(_) => {
            return Either::Left(graphql_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "BAD_USER_INPUT",
                "only queries are allowed over GET; send mutations with POST",
            ));
        }
        // Let the executor report the syntax or operation-name error.
        None => {}
    }
    let (auth, token) = authenticate(&req, &state).await;
    let mut request = request.data(meta(&req, &state)).data(auth);
    if let Some(token) = token {
        request = request.data(token);
    }
    respond(BatchResponse::Single(schema.execute(request).await))
}

pub async fn method_not_allowed() -> HttpResponse {
    graphql_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "BAD_USER_INPUT",
        "use POST (or GET for queries)",
    )
}

/// The type of the operation that would run; `None` when the document does not parse.
pub(super) fn operation_type(query: &str, operation_name: Option<&str>) -> Option<OperationType> {
    let doc = async_graphql::parser::parse_query(query).ok()?;
    match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        // One named operation (the parser keeps named ones in a map) needs no name.
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| op.node.ty)
        }
        (DocumentOperations::Multiple(ops), None) => {
            // Ambiguous without a name: refuse if any operation could mutate.
            if ops.values().all(|op| op.node.ty == OperationType::Query) {
                Some(OperationType::Query)
            } else {
                Some(OperationType::Mutation)
            }
        }
    }
}

/// Every error carries a code: resolver errors set theirs; parse and validation errors
/// (depth, complexity, unknown fields) are the client's, so BAD_USER_INPUT.
pub(super) fn with_codes(mut response: Response) -> Response {
    for error in &mut response.errors {
        let ext = error.extensions.get_or_insert_with(Default::default);
        if ext.get("code").is_none() {
            ext.set("code", "BAD_USER_INPUT");
        }
    }
    response
}

fn respond(batch: BatchResponse) -> Reply {
    let batch = match batch {
        BatchResponse::Single(r) => BatchResponse::Single(with_codes(r)),
        BatchResponse::Batch(rs) => BatchResponse::Batch(rs.into_iter().map(with_codes).collect()),
    };
    Either::Right(
        GraphQLResponse::from(batch)
            .customize()
            .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store")),
    )
}

fn too_large(limit: usize) -> HttpResponse {
    graphql_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "BAD_USER_INPUT",
        &format!("the request body is larger than {limit} bytes"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_types_of_anonymous_named_and_several_operations() {
        let ty = |q: &str, name: Option<&str>| operation_type(q, name);
        assert_eq!(
            ty("subscription { standupEvents(teamId: 1) { kind } }", None),
            Some(OperationType::Subscription)
        );
        // A single named operation (what the web app sends) needs no operationName.
        assert_eq!(
            ty(
                "subscription StandupEvents($t: ID!) { standupEvents(teamId: $t) { kind } }",
                None
            ),
            Some(OperationType::Subscription)
        );
        assert_eq!(
            ty("mutation LogOut { logOut }", None),
            Some(OperationType::Mutation)
        );
        // Several without a name: treated as able to mutate unless all are queries.
        assert_eq!(
            ty("query A { viewer { role } } subscription B { x }", None),
            Some(OperationType::Mutation)
        );
        assert_eq!(
            ty("query A { a } query B { b }", None),
            Some(OperationType::Query)
        );
        assert_eq!(
            ty("query A { a } mutation B { logOut }", Some("A")),
            Some(OperationType::Query)
        );
        assert_eq!(ty("not graphql", None), None);
    }
}
