//! One error type for the API, mapped once to GraphQL `extensions.code`.

use async_graphql::ErrorExtensions;
use schema::validation::ValidationError;
use schema_server::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Input broke a rule; names the field.
    #[error("{message}")]
    BadInput {
        field: Option<&'static str>,
        message: String,
    },
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// NOT_FOUND for an id given in an input field (`userId`, `teamId`); names the field.
    #[error("{message}")]
    NotFoundIn {
        field: &'static str,
        message: String,
    },
    #[error("{message}")]
    Conflict {
        field: Option<&'static str>,
        message: String,
    },
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    /// Anything unexpected: logged with its cause chain, shown to clients as a generic message.
    #[error("internal server error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadInput { .. } => "BAD_USER_INPUT",
            ApiError::Unauthenticated(_) => "UNAUTHENTICATED",
            ApiError::Forbidden(_) => "FORBIDDEN",
            ApiError::NotFound(_) | ApiError::NotFoundIn { .. } => "NOT_FOUND",
            ApiError::Conflict { .. } => "CONFLICT",
            ApiError::RateLimited { .. } => "RATE_LIMITED",
            ApiError::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    pub fn unauthenticated() -> Self {
        ApiError::Unauthenticated("sign in to continue".into())
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        ApiError::Internal(error.into())
    }

    /// Logs what operators must see, once, where the error is answered: internal errors
    /// with their cause chain, and refused authorizations and throttled requests as
    /// security events (target `security`; the request span adds the request id and the
    /// client address). The messages hold no secrets.
    pub fn log(&self) {
        match self {
            // The whole chain goes to the log, never to the client.
            ApiError::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "internal error");
            }
            ApiError::Forbidden(reason) => {
                tracing::warn!(target: "security", code = self.code(), reason = %reason, "authorization refused");
            }
            ApiError::RateLimited { retry_after_secs } => {
                tracing::warn!(target: "security", code = self.code(), retry_after_secs, "request throttled");
            }
            _ => {}
        }
    }
}

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        ApiError::BadInput {
            field: Some(e.field),
            message: e.to_string(),
        }
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        ApiError::Internal(e.into())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        ApiError::Internal(DbError::from(e).into())
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        self.log();
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", self.code());
            match self {
                ApiError::BadInput {
                    field: Some(field), ..
                }
                | ApiError::Conflict {
                    field: Some(field), ..
                } => {
                    ext.set("field", *field);
                }
                ApiError::NotFoundIn { field, .. } => ext.set("field", *field),
                ApiError::RateLimited { retry_after_secs } => {
                    ext.set("retryAfter", *retry_after_secs)
                }
                _ => {}
            }
        })
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(e: ApiError) -> (String, Option<String>, String) {
        let gql = e.extend();
        let ext = gql.extensions.expect("extensions");
        let code = ext.get("code").map(|v| v.to_string()).unwrap_or_default();
        let field = ext.get("field").map(|v| v.to_string());
        (code, field, gql.message)
    }

    #[test]
    fn every_variant_maps_to_its_code() {
        assert_eq!(
            code_of(ValidationError::new("email", "is required").into()).0,
            "\"BAD_USER_INPUT\""
        );
        assert_eq!(
            code_of(ValidationError::new("email", "is required").into())
                .1
                .as_deref(),
            Some("\"email\"")
        );
        assert_eq!(
            code_of(ApiError::unauthenticated()).0,
            "\"UNAUTHENTICATED\""
        );
        assert_eq!(code_of(ApiError::Forbidden("no".into())).0, "\"FORBIDDEN\"");
        assert_eq!(code_of(ApiError::NotFound("no".into())).0, "\"NOT_FOUND\"");
        let (code, field, _) = code_of(ApiError::NotFoundIn {
            field: "userId",
            message: "userId: no such member".into(),
        });
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("\"NOT_FOUND\"", Some("\"userId\""))
        );
        assert_eq!(
            code_of(ApiError::Conflict {
                field: Some("email"),
                message: "taken".into()
            })
            .0,
            "\"CONFLICT\""
        );
        assert_eq!(
            code_of(ApiError::RateLimited {
                retry_after_secs: 3
            })
            .0,
            "\"RATE_LIMITED\""
        );
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let db =
            diesel::result::Error::QueryBuilderError("relation \"users\" does not exist".into());
        let (code, _, message) = code_of(ApiError::from(db));
        assert_eq!(code, "\"INTERNAL_SERVER_ERROR\"");
        assert_eq!(message, "internal server error");
    }
}
