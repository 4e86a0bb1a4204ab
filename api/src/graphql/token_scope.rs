//! What a personal API token may run, checked once for the whole document before
//! anything executes: a READ token runs no mutation at all, and no token runs the
//! operations that belong to a signed-in person ([`SIGN_IN_ONLY`]: creating tokens,
//! the password, sessions, switching organization). Both answer FORBIDDEN.

use crate::auth::ApiTokenAuth;
use crate::error::ApiError;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{ErrorExtensions, Pos, ServerError, ServerResult, Variables};
use schema::enums::ApiTokenScope;
use std::collections::HashSet;
use std::sync::Arc;

/// Mutations no API token may run, whatever its scope.
pub const SIGN_IN_ONLY: &[&str] = &[
    "createApiToken",
    "changePassword",
    "logOut",
    "logOutEverywhere",
    "refreshSession",
    "switchOrganization",
];

/// The schema extension (see the module documentation).
pub struct TokenScope;

impl ExtensionFactory for TokenScope {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(TokenScopeExtension)
    }
}

struct TokenScopeExtension;

#[async_trait::async_trait]
impl Extension for TokenScopeExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if let Some(token) = ctx.data_opt::<ApiTokenAuth>() {
            check(&document, token.scope)?;
        }
        Ok(document)
    }
}

fn forbidden(message: String, pos: Pos) -> ServerError {
    ApiError::Forbidden(message).extend().into_server_error(pos)
}

/// Refuses a document a token of `scope` may not run. Every mutation operation of the
/// document counts, whichever one is selected.
fn check(document: &ExecutableDocument, scope: ApiTokenScope) -> ServerResult<()> {
    for (_, operation) in document.operations.iter() {
        let operation = &operation.node;
        if operation.ty != OperationType::Mutation {
            continue;
        }
        if scope == ApiTokenScope::Read {
            return Err(forbidden(
                "this API token is read-only (scope READ): it cannot run mutations".into(),
                operation.selection_set.pos,
            ));
        }
        let mut seen = HashSet::new();
        let mut pending: Vec<&SelectionSet> = vec![&operation.selection_set.node];
        while let Some(set) = pending.pop() {
            for selection in &set.items {
                match &selection.node {
                    Selection::Field(field) => {
                        let name = field.node.name.node.as_str();
                        if SIGN_IN_ONLY.contains(&name) {
                            return Err(forbidden(
                                format!("{name} needs a signed-in session, not an API token"),
                                selection.pos,
                            ));
                        }
                    }
                    Selection::InlineFragment(fragment) => {
                        pending.push(&fragment.node.selection_set.node);
                    }
                    Selection::FragmentSpread(spread) => {
                        let name = &spread.node.fragment_name.node;
                        if seen.insert(name.clone())
                            && let Some(fragment) = document.fragments.get(name)
                        {
                            pending.push(&fragment.node.selection_set.node);
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(query: &str, scope: ApiTokenScope) -> Result<(), String> {
        let document = async_graphql::parser::parse_query(query).unwrap();
        check(&document, scope).map_err(|e| e.message)
    }

    #[test]
    fn read_tokens_run_queries_only() {
        assert!(run("{ viewer { id } }", ApiTokenScope::Read).is_ok());
        assert!(run("query A { teams { id } }", ApiTokenScope::Read).is_ok());
        let refused = run("mutation { logOut }", ApiTokenScope::Read).unwrap_err();
        assert!(refused.contains("read-only"), "{refused}");
        // A mutation beside the selected query still refuses the document.
        assert!(
            run(
                "query A { teams { id } } mutation B { deleteTeam(id: 1) }",
                ApiTokenScope::Read
            )
            .is_err()
        );
    }

    #[test]
    fn no_token_runs_sign_in_only_mutations_even_through_fragments() {
        let rw = ApiTokenScope::ReadWrite;
        assert!(run("mutation { deleteTeam(id: 1) }", rw).is_ok());
        assert!(run("mutation { createApiToken(input: {}) { token } }", rw).is_err());
        assert!(run("mutation { ... on Mutation { changePassword(currentPassword: \"a\", newPassword: \"b\") } }", rw).is_err());
        assert!(run("mutation { ...F } fragment F on Mutation { ...G } fragment G on Mutation { switchOrganization(organizationId: 1) { token } }", rw).is_err());
        // Cyclic fragments do not loop (validation refuses them later).
        assert!(run("mutation { ...F } fragment F on Mutation { ...F }", rw).is_ok());
    }
}
