//! DataLoaders for the read paths that fan out (team -> members, configs -> participants,
//! standups -> participations, answers, digests, configs):
//! one statement per kind of key however many parents there are. One loader per
//! request, added by [`Loaders`] before execution, so its cache never crosses callers.
//! Every key carries the organization, taken from a parent row the caller was allowed to
//! read, and every batch query filters by it.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::service::{organization, slack, standup_configs, standups, teams};
use crate::state::AppState;
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest,
};
use async_graphql::{ErrorExtensions, Request, ServerResult};
use schema::enums::OrgRole;
use schema::ids::{OrganizationId, StandupConfigId, StandupId, TeamId, UserId};
use schema_server::db::models::{Answer, Participation, StandupConfig, StandupExtra, Team, User};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

/// Loads rows for the current request.
pub struct Db {
    state: AppState,
}

pub type RequestLoader = DataLoader<Db>;

/// A team by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TeamById(pub OrganizationId, pub TeamId);
/// A team's members.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MembersOf(pub OrganizationId, pub TeamId);
/// A team's standup configs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConfigsOf(pub OrganizationId, pub TeamId);
/// A config's participants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParticipantsOf(pub OrganizationId, pub StandupConfigId);

/// A config by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConfigById(pub OrganizationId, pub StandupConfigId);
/// A standup's participants, with who they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParticipationsOf(pub OrganizationId, pub StandupId);
/// A standup's answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AnswersOf(pub OrganizationId, pub StandupId);
/// A standup's digest columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExtraOf(pub OrganizationId, pub StandupId);

/// Whether a member is matched to a Slack user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SlackMatchedOf(pub OrganizationId, pub UserId);
/// The Slack channel (id, name) a config posts its digest to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SlackChannelOf(pub OrganizationId, pub StandupConfigId);

/// How a config asks (askAt, digestTime).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LocalSettingsOf(pub OrganizationId, pub StandupConfigId);

/// The caller's role in their current organization (checked once per request, however
/// many fields depend on it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RoleOf(pub Caller);

/// A failed batch, shared by every field that waited for it.
#[derive(Clone, Debug)]
pub struct LoadError(Arc<ApiError>);

impl ErrorExtensions for LoadError {
    fn extend(&self) -> async_graphql::Error {
        self.0.extend()
    }
}

impl From<ApiError> for LoadError {
    fn from(e: ApiError) -> Self {
        LoadError(Arc::new(e))
    }
}

/// Splits keys by organization (in practice there is one: the caller's).
fn by_org<K, I>(
    keys: &[K],
    parts: impl Fn(&K) -> (OrganizationId, I),
) -> HashMap<OrganizationId, Vec<I>> {
    let mut out: HashMap<OrganizationId, Vec<I>> = HashMap::new();
    for key in keys {
        let (org, id) = parts(key);
        out.entry(org).or_default().push(id);
    }
    out
}

impl Loader<TeamById> for Db {
    type Value = Team;
    type Error = LoadError;

    async fn load(&self, keys: &[TeamById]) -> Result<HashMap<TeamById, Team>, LoadError> {
        let mut out = HashMap::new();
        for (org, ids) in by_org(keys, |k| (k.0, k.1)) {
            for (id, team) in teams::load_teams(&self.state, org, &ids).await? {
                out.insert(TeamById(org, id), team);
            }
        }
        Ok(out)
    }
}

impl Loader<MembersOf> for Db {
    type Value = Vec<teams::TeamMember>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[MembersOf],
    ) -> Result<HashMap<MembersOf, Vec<teams::TeamMember>>, LoadError> {
        let mut out = HashMap::new();
        for (org, ids) in by_org(keys, |k| (k.0, k.1)) {
            for (id, members) in teams::load_members(&self.state, org, &ids).await? {
                out.insert(MembersOf(org, id), members);
            }
        }
        Ok(out)
    }
}

impl Loader<ConfigsOf> for Db {
    type Value = Vec<StandupConfig>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ConfigsOf],
    ) -> Result<HashMap<ConfigsOf, Vec<StandupConfig>>, LoadError> {
        let mut out = HashMap::new();
        for (org, ids) in by_org(keys, |k| (k.0, k.1)) {
            for (id, configs) in standup_configs::load_for_teams(&self.state, org, &ids).await? {
                out.insert(ConfigsOf(org, id), configs);
            }
        }
        Ok(out)
    }
}

impl Loader<ParticipantsOf> for Db {
    type Value = Vec<User>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ParticipantsOf],
    ) -> Result<HashMap<ParticipantsOf, Vec<User>>, LoadError> {
        let mut out = HashMap::new();
        for (org, ids) in by_org(keys, |k| (k.0, k.1)) {
            for (id, users) in standup_configs::load_participants(&self.state, org, &ids).await? {
                out.insert(ParticipantsOf(org, id), users);
            }
        }
        Ok(out)
    }
}

impl Loader<ConfigById> for Db {
    type Value = StandupConfig;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ConfigById],
    ) -> Result<HashMap<ConfigById, StandupConfig>, LoadError> {
        let mut out = HashMap::new();
        for (org, ids) in by_org(keys, |k| (k.0, k.1)) {
            for (id, config) in standups::load_configs(&self.state, org, &ids).await? {
                out.insert(ConfigById(org, id), config);
            }
        }
        Ok(out)
    }
}

impl Loader<ParticipationsOf> for Db {
    type Value = Vec<(Participation, User)>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ParticipationsOf],
    ) -> Result<HashMap<ParticipationsOf, Vec<(Participation, User)>>, LoadError> {
        let mut out = HashMap::new();
        for (org, ids) in by_org(keys, |k| (k.0, k.1)) {
            for (id, rows) in standups::load_participants(&self.state, org, &ids).await? {
                out.insert(ParticipationsOf(org, id), rows);
            }
        }
        Ok(out)
    }
}

impl Loader<AnswersOf> for Db {
    type Value = Vec<Answer>;
    type Error = LoadError;

    async fn load(&self, keys: &[AnswersOf]) -> Result<HashMap<AnswersOf, Vec<Answer>>, LoadError> {
        let mut out = HashMap::new();
        for (org, ids) in by_org(keys, |k| (k.0, k.1)) {
            for (id, rows) in standups::load_answers(&self.state, org, &ids).await? {
                out.insert(AnswersOf(org, id), rows);
            }
        }
        Ok(out)
    }
}

impl Loader<ExtraOf> for Db {
    type Value = StandupExtra;
    type Error = LoadError;

    async fn load(&self, keys: &[ExtraOf]) -> Result<HashMap<ExtraOf, StandupExtra>, LoadError> {
        let mut out = HashMap::new();
        for (org, ids) in by_org(keys, |k| (k.0, k.1)) {
            for (id, extra) in standups::load_extras(&self.state, org, &ids).await? {
                out.insert(ExtraOf(org, id), extra);
            }
        }
        Ok(out)
    }
}

impl Loader<SlackMatchedOf> for Db {
    type Value = bool;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[SlackMatchedOf],
    ) -> Result<HashMap<SlackMatchedOf, bool>, LoadError> {
        let mut out = HashMap::new();
        for (org, ids) in by_org(keys, |k| (k.0, k.1)) {
            let matched = slack::matched_among(&self.state, org, &ids).await?;
            for id in ids {
                out.insert(SlackMatchedOf(org, id), matched.contains(&id));
            }
        }
        Ok(out)
    }
}

impl Loader<SlackChannelOf> for Db {
    type Value = (String, String);
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[SlackChannelOf],
    ) -> Result<HashMap<SlackChannelOf, (String, String)>, LoadError> {
        let mut out = HashMap::new();
        for (org, ids) in by_org(keys, |k| (k.0, k.1)) {
            for (id, channel, name) in
                standup_configs::load_slack_channels(&self.state, org, &ids).await?
            {
                out.insert(SlackChannelOf(org, id), (channel, name));
            }
        }
        Ok(out)
    }
}

impl Loader<LocalSettingsOf> for Db {
    type Value = schema_server::db::local_time::LocalSettings;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[LocalSettingsOf],
    ) -> Result<HashMap<LocalSettingsOf, Self::Value>, LoadError> {
        let mut out = HashMap::new();
        for (org, ids) in by_org(keys, |k| (k.0, k.1)) {
            for settings in standup_configs::load_local_settings(&self.state, org, &ids).await? {
                out.insert(LocalSettingsOf(org, settings.id), settings);
            }
        }
        Ok(out)
    }
}

impl Loader<RoleOf> for Db {
    type Value = OrgRole;
    type Error = LoadError;

    async fn load(&self, keys: &[RoleOf]) -> Result<HashMap<RoleOf, OrgRole>, LoadError> {
        let mut out = HashMap::new();
        for key in keys {
            let (_, role) = organization::current(&self.state, &key.0).await?;
            out.insert(*key, role);
        }
        Ok(out)
    }
}

/// Schema extension that gives every request a fresh [`RequestLoader`].
pub struct Loaders;

impl ExtensionFactory for Loaders {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LoadersExtension)
    }
}

struct LoadersExtension;

#[async_trait::async_trait]
impl Extension for LoadersExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let request = match ctx.data_opt::<AppState>() {
            Some(state) => request.data(RequestLoader::new(
                Db {
                    state: state.clone(),
                },
                tokio::spawn,
            )),
            None => request,
        };
        next.run(ctx, request).await
    }
}
