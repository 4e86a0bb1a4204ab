//! `slack_standup`: one step of a standup's Slack delivery (see [`SlackStep`]).

use super::JobContext;
use crate::error::Error;
use diesel_async::AsyncPgConnection;
use schema::{
    ids::StandupId,
    jobs::{JobEnvelope, SlackStep},
};

pub(super) async fn run(
    _ctx: &JobContext,
    _tx: &mut AsyncPgConnection,
    _envelope: &JobEnvelope,
    id: StandupId,
    step: SlackStep,
) -> Result<(), Error> {
    tracing::warn!(standup = %id, ?step, "Slack delivery is not built yet");
    Ok(())
}
