//! The CLI's HTTP client: typed operations POSTed to `/graphql` and plain GETs (the
//! exports), each with `Authorization: Bearer <token>`.

use super::CliError;
use schema::ops::{ErrorCode, Operation, Response};

pub struct Client {
    http: reqwest::Client,
    url: String,
    token: String,
}

/// What the CLI says when the server refuses the token.
pub const BAD_TOKEN: &str = "the API token is invalid, revoked or expired: create a new one on your account page and run `asyncstand auth <token>`";

impl Client {
    pub fn new(url: &str, token: &str) -> Result<Client, CliError> {
        let url = url.trim_end_matches('/').to_string();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(CliError::Input(format!(
                "--url must start with http:// or https://, got '{url}'"
            )));
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("asyncstand-cli/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| CliError::Input(format!("cannot start the HTTP client: {e}")))?;
        Ok(Client {
            http,
            url,
            token: token.trim().to_string(),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    fn network(&self, e: &reqwest::Error) -> CliError {
        let mut reason = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(cause) = source {
            reason = format!("{reason}: {cause}");
            source = cause.source();
        }
        CliError::Network {
            url: self.url.clone(),
            reason,
        }
    }

    /// Runs operation `O`: its data, or the first error as one line.
    pub async fn run<O: Operation>(&self, variables: &O::Variables) -> Result<O::Data, CliError> {
        let response = self
            .http
            .post(format!("{}/graphql", self.url))
            .bearer_auth(&self.token)
            .json(&O::request(variables))
            .send()
            .await
            .map_err(|e| self.network(&e))?;
        let status = response.status();
        let body: Response<O::Data> = response.json().await.map_err(|_| {
            CliError::Api(format!(
                "{} did not answer like an AsyncStand server (HTTP {status})",
                self.url
            ))
        })?;
        if let Some(error) = body.errors.first() {
            return Err(match error.code() {
                ErrorCode::Unauthenticated => CliError::Auth(BAD_TOKEN.into()),
                code => CliError::Api(format!("{} ({code:?})", error.message)),
            });
        }
        body.data
            .ok_or_else(|| CliError::Api(format!("{} answered without data", self.url)))
    }

    /// GETs `path` (with its query): the response when it is a success.
    pub async fn get(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<reqwest::Response, CliError> {
        let response = self
            .http
            .get(format!("{}{path}", self.url))
            .query(query)
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| self.network(&e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Err(CliError::Auth(BAD_TOKEN.into()));
        }
        let text = response.text().await.unwrap_or_default();
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| {
                v["errors"][0]["message"]
                    .as_str()
                    .or(v["message"].as_str())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| text.lines().next().unwrap_or("").to_string());
        Err(CliError::Api(format!("{path}: HTTP {status}: {message}")))
    }
}
