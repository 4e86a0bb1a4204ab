//! `searchAnswers`: full-text search over the organization's answers.

use super::loaders::{RequestLoader, TeamById};
use super::pagination;
use super::teams::{Team, team_id};
use crate::auth::AuthState;
use crate::error::ApiError;
use crate::service::away::parse_day;
use crate::service::organization::require_caller;
use crate::service::search as service;
use crate::state::AppState;
use async_graphql::connection::{
    Connection, ConnectionNameType, Edge, EdgeNameType, EmptyFields, EnableNodesField,
};
use async_graphql::{
    Context, ID, InputObject, Object, OutputType, Result, ResultExt, SimpleObject,
};
use chrono::{DateTime, NaiveDate};
use schema::ids::{OrganizationId, UserId};
use schema_server::db::search::{MATCH_END, MATCH_START, SearchCursor, SearchFilter, SearchHit};

/// Narrows a search; every given field must match.
#[derive(InputObject, Default, Debug)]
pub struct AnswerSearchFilter {
    pub team_id: Option<ID>,
    /// Answers of this person.
    pub user_id: Option<ID>,
    /// Standups on or after this date (`YYYY-MM-DD`, the standup's own date).
    pub from: Option<String>,
    /// Standups on or before this date (`YYYY-MM-DD`).
    pub to: Option<String>,
}

/// A piece of a snippet: plain text, and whether it matched the query.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct SnippetPart {
    pub text: String,
    pub matched: bool,
}

/// Who gave a found answer.
#[derive(SimpleObject, Clone, Debug)]
pub struct AnswerAuthor {
    pub id: ID,
    pub name: String,
}

/// One answer matching a search.
pub struct AnswerSearchResult {
    org: OrganizationId,
    hit: SearchHit,
}

#[Object]
impl AnswerSearchResult {
    async fn standup_id(&self) -> ID {
        ID(self.hit.standup_id.to_string())
    }

    /// The standup's date (`YYYY-MM-DD`, in its zone).
    async fn standup_date(&self) -> NaiveDate {
        self.hit.local_date
    }

    async fn question_id(&self) -> ID {
        ID(self.hit.question_id.to_string())
    }

    /// The question as it was asked.
    async fn question(&self) -> &str {
        &self.hit.prompt
    }

    /// A fragment of the answer around the matches, as plain text.
    async fn snippet(&self) -> String {
        snippet_parts(&self.hit.headline)
            .into_iter()
            .map(|p| p.text)
            .collect()
    }

    /// The same fragment in pieces, the matched words marked; text only, never markup.
    async fn snippet_parts(&self) -> Vec<SnippetPart> {
        snippet_parts(&self.hit.headline)
    }

    async fn person(&self) -> AnswerAuthor {
        AnswerAuthor {
            id: ID(self.hit.user_id.to_string()),
            name: self.hit.user_name.clone(),
        }
    }

    async fn team(&self, ctx: &Context<'_>) -> Result<Team> {
        let loader = ctx.data::<RequestLoader>()?;
        loader
            .load_one(TeamById(self.org, self.hit.team_id))
            .await
            .extend()?
            .map(Team)
            .ok_or_else(|| ApiError::NotFound("team not found".into()))
            .extend()
    }
}

/// Splits a headline on its match markers.
fn snippet_parts(headline: &str) -> Vec<SnippetPart> {
    let mut parts: Vec<SnippetPart> = Vec::new();
    let mut matched = false;
    let mut text = String::new();
    for c in headline.chars() {
        let next = match c {
            MATCH_START => true,
            MATCH_END => false,
            _ => {
                text.push(c);
                continue;
            }
        };
        if !text.is_empty() {
            parts.push(SnippetPart {
                text: std::mem::take(&mut text),
                matched,
            });
        }
        matched = next;
    }
    if !text.is_empty() {
        parts.push(SnippetPart { text, matched });
    }
    parts
}

fn encode_cursor(c: &SearchCursor) -> String {
    pagination::encode_key(&format!(
        "{}|{}|{}|{}|{}",
        c.rank.to_bits(),
        c.scheduled_for.timestamp_micros(),
        c.standup,
        c.user,
        c.question
    ))
}

fn decode_cursor(after: Option<&str>) -> Result<Option<SearchCursor>, ApiError> {
    let Some(key) = pagination::decode_key(after)? else {
        return Ok(None);
    };
    let parse = || -> Option<SearchCursor> {
        let mut it = key.split('|');
        let cursor = SearchCursor {
            rank: f32::from_bits(it.next()?.parse().ok()?),
            scheduled_for: DateTime::from_timestamp_micros(it.next()?.parse().ok()?)?,
            standup: it.next()?.parse().ok()?,
            user: it.next()?.parse().ok()?,
            question: it.next()?.parse().ok()?,
        };
        it.next().is_none().then_some(cursor)
    };
    parse().map(Some).ok_or_else(|| ApiError::BadInput {
        field: Some("after"),
        message: "after: not a cursor from this list".into(),
    })
}

/// The service's filter from the GraphQL one.
pub(crate) fn search_filter(input: Option<AnswerSearchFilter>) -> Result<SearchFilter, ApiError> {
    let input = input.unwrap_or_default();
    let user = match &input.user_id {
        Some(id) => Some(id.parse::<UserId>().map_err(|_| ApiError::BadInput {
            field: Some("userId"),
            message: "userId: not a user id".into(),
        })?),
        None => None,
    };
    let team = match &input.team_id {
        Some(id) => Some(team_id(id).map_err(|_| ApiError::NotFoundIn {
            field: "teamId",
            message: "teamId: no team of this organization has this id".into(),
        })?),
        None => None,
    };
    Ok(SearchFilter {
        team,
        user,
        from: input
            .from
            .as_deref()
            .map(|d| parse_day("from", d))
            .transpose()?,
        to: input
            .to
            .as_deref()
            .map(|d| parse_day("to", d))
            .transpose()?,
    })
}

/// Names the page type `AnswerSearchConnection` (and its edges `AnswerSearchEdge`).
pub struct AnswerSearchNames;

impl ConnectionNameType for AnswerSearchNames {
    fn type_name<T: OutputType>() -> String {
        "AnswerSearchConnection".into()
    }
}

impl EdgeNameType for AnswerSearchNames {
    fn type_name<T: OutputType>() -> String {
        "AnswerSearchEdge".into()
    }
}

pub type AnswerSearchConnection = Connection<
    String,
    AnswerSearchResult,
    EmptyFields,
    EmptyFields,
    AnswerSearchNames,
    AnswerSearchNames,
    EnableNodesField,
>;

#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Answers of the organization matching `query` (1 to 200 characters; words,
    /// "quoted phrases", `or`, `-word`; English stemming), best match first (1 to 100
    /// per page). Any member.
    async fn search_answers(
        &self,
        ctx: &Context<'_>,
        query: String,
        filter: Option<AnswerSearchFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<AnswerSearchConnection> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let first = pagination::page_size(first).extend()?;
        let cursor = decode_cursor(after.as_deref()).extend()?;
        let filter = search_filter(filter).extend()?;
        let (hits, more) = service::search_answers(state, caller, &query, &filter, cursor, first)
            .await
            .extend()?;
        let mut connection = AnswerSearchConnection::new(cursor.is_some(), more);
        connection.edges.extend(hits.into_iter().map(|hit| {
            Edge::new(
                encode_cursor(&hit.cursor()),
                AnswerSearchResult {
                    org: caller.org,
                    hit,
                },
            )
        }));
        Ok(connection)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_split_on_markers_into_text_only_parts() {
        let parts = snippet_parts("we \u{2}deployed\u{3} <b>it</b> & \u{2}deploy\u{3}");
        let texts: Vec<(&str, bool)> = parts.iter().map(|p| (p.text.as_str(), p.matched)).collect();
        assert_eq!(
            texts,
            [
                ("we ", false),
                ("deployed", true),
                (" <b>it</b> & ", false),
                ("deploy", true)
            ]
        );
    }
}
