//! Operations of the answer search on a team's history page.

use serde::{Deserialize, Serialize};

use crate::json::FromJson;

use super::{Connection, Operation, PagedOperation};

/// `AnswerSearchFilter`: every given field must match.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerSearchFilter {
    pub team_id: Option<String>,
    pub user_id: Option<String>,
    /// YYYY-MM-DD, included.
    pub from: Option<String>,
    /// YYYY-MM-DD, included.
    pub to: Option<String>,
}

/// A piece of a snippet; `matched` pieces are the words the query found.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
pub struct SnippetPart {
    pub text: String,
    pub matched: bool,
}

/// `type AnswerAuthor`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
pub struct AnswerAuthor {
    pub id: String,
    pub name: String,
}

/// `type AnswerSearchResult` as the history page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct AnswerSearchResult {
    pub standup_id: String,
    /// YYYY-MM-DD.
    pub standup_date: String,
    pub question_id: String,
    pub question: String,
    pub snippet_parts: Vec<SnippetPart>,
    pub person: AnswerAuthor,
}

/// `searchAnswers(query, filter, first, after): AnswerSearchConnection!` — best first.
#[derive(Debug)]
pub enum SearchAnswersQuery {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchAnswersVariables {
    pub query: String,
    pub filter: AnswerSearchFilter,
    pub first: Option<i32>,
    pub after: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct SearchAnswersData {
    pub search_answers: Connection<AnswerSearchResult>,
}

impl Operation for SearchAnswersQuery {
    const NAME: &'static str = "SearchAnswers";
    const QUERY: &'static str = "query SearchAnswers($query: String!, $filter: AnswerSearchFilter, $first: Int, $after: String) { searchAnswers(query: $query, filter: $filter, first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { standupId standupDate questionId question snippetParts { text matched } person { id name } } } }";
    type Variables = SearchAnswersVariables;
    type Data = SearchAnswersData;
}

impl PagedOperation for SearchAnswersQuery {
    type Node = AnswerSearchResult;
    fn connection(data: SearchAnswersData) -> Connection<AnswerSearchResult> {
        data.search_answers
    }
    fn after(variables: &SearchAnswersVariables, cursor: String) -> SearchAnswersVariables {
        SearchAnswersVariables {
            after: Some(cursor),
            ..variables.clone()
        }
    }
}

/// The operations of this module, for [`super::ALL`].
pub(super) const OPERATIONS: &[(&str, &str)] =
    &[(SearchAnswersQuery::NAME, SearchAnswersQuery::QUERY)];
