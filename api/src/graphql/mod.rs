//! The GraphQL schema: thin resolvers over `service`, one module per domain.

mod account;
mod answer_links;
mod api_tokens;
mod audit;
mod auth;
mod away;
mod blockers;
mod input_bounds;
mod insights;
mod invitations;
mod jobs;
mod loaders;
mod members;
mod notifications;
mod organization;
mod pagination;
mod search;
mod slack;
mod standup_configs;
mod standups;
mod teams;
mod token_scope;
mod types;

use crate::state::AppState;
use async_graphql::{MergedObject, Schema};

#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    organization::OrganizationQuery,
    jobs::JobsQuery,
    members::MembersQuery,
    audit::AuditQuery,
    invitations::InvitationsQuery,
    teams::TeamsQuery,
    standup_configs::StandupConfigsQuery,
    standups::StandupsQuery,
    answer_links::AnswerLinksQuery,
    slack::SlackQuery,
    away::AwayQuery,
    search::SearchQuery,
    api_tokens::ApiTokensQuery,
    insights::InsightsQuery,
    blockers::BlockersQuery,
);

#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    auth::AuthMutation,
    account::AccountMutation,
    jobs::JobsMutation,
    members::MembersMutation,
    invitations::InvitationsMutation,
    teams::TeamsMutation,
    standup_configs::StandupConfigsMutation,
    standups::StandupsMutation,
    notifications::NotificationsMutation,
    answer_links::AnswerLinksMutation,
    slack::SlackMutation,
    away::AwayMutation,
    api_tokens::ApiTokensMutation,
    blockers::BlockersMutation,
);

pub type SubscriptionRoot = standups::StandupsSubscription;

pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Limits applied to every operation.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub introspection: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 15,
            max_complexity: 1000,
            introspection: true,
        }
    }
}

/// The one schema builder, used by the server, the tests and the SDL export
/// (`state` is `None` there: nothing executes).
pub fn build_schema(state: Option<AppState>, limits: Limits) -> AppSchema {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    .limit_recursive_depth(32)
    .limit_directives(50)
    .extension(input_bounds::InputBounds)
    .extension(token_scope::TokenScope)
    .extension(loaders::Loaders);
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    if let Some(state) = state {
        builder = builder.data(state);
    }
    builder.finish()
}

/// The SDL committed as `schema/schema.graphql`.
pub fn sdl() -> String {
    build_schema(None, Limits::default()).sdl()
}
