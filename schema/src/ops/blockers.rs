//! Operations of the team page's "Open blockers" section.

use serde::{Deserialize, Serialize};

use crate::enums::BlockerStatus;
use crate::json::FromJson;

use super::{Connection, Operation};

/// Whose blocker it is, as the list names them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
pub struct BlockerOwner {
    pub name: String,
}

/// `type Blocker` as the team page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct Blocker {
    pub id: String,
    pub text: String,
    pub status: BlockerStatus,
    /// Null once they are gone.
    pub owner: Option<BlockerOwner>,
    pub age_days: i32,
}

macro_rules! blocker_fields {
    () => {
        "{ id text status owner { name } ageDays }"
    };
}

/// `blockers(teamId, status: OPEN, first: 100)` — the team's open blockers, oldest first.
#[derive(Debug)]
pub enum TeamBlockersQuery {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamBlockersVariables {
    pub team_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
pub struct TeamBlockersData {
    pub blockers: Connection<Blocker>,
}

impl Operation for TeamBlockersQuery {
    const NAME: &'static str = "TeamBlockers";
    const QUERY: &'static str = concat!(
        "query TeamBlockers($teamId: ID!) { blockers(teamId: $teamId, status: OPEN, first: 100) { pageInfo { hasNextPage endCursor } nodes ",
        blocker_fields!(),
        " } }"
    );
    type Variables = TeamBlockersVariables;
    type Data = TeamBlockersData;
}

/// `myOpenBlockers: [Blocker!]!` — the viewer's open blockers in the organization, oldest
/// first (a standup asks about them; the dashboard lists them).
#[derive(Debug)]
pub enum MyOpenBlockersQuery {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct MyOpenBlockersData {
    pub my_open_blockers: Vec<Blocker>,
}

impl Operation for MyOpenBlockersQuery {
    const NAME: &'static str = "MyOpenBlockers";
    const QUERY: &'static str = concat!(
        "query MyOpenBlockers { myOpenBlockers ",
        blocker_fields!(),
        " }"
    );
    type Variables = super::NoVariables;
    type Data = MyOpenBlockersData;
}

/// `resolveBlocker(id: ID!, note: String): Blocker!`
#[derive(Debug)]
pub enum ResolveBlocker {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResolveBlockerVariables {
    pub id: String,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct ResolveBlockerData {
    pub resolve_blocker: Blocker,
}

impl Operation for ResolveBlocker {
    const NAME: &'static str = "ResolveBlocker";
    const QUERY: &'static str = concat!(
        "mutation ResolveBlocker($id: ID!, $note: String) { resolveBlocker(id: $id, note: $note) ",
        blocker_fields!(),
        " }"
    );
    type Variables = ResolveBlockerVariables;
    type Data = ResolveBlockerData;
}

/// The operations of this file, for [`super::ALL`].
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    (TeamBlockersQuery::NAME, TeamBlockersQuery::QUERY),
    (ResolveBlocker::NAME, ResolveBlocker::QUERY),
    (MyOpenBlockersQuery::NAME, MyOpenBlockersQuery::QUERY),
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::json::FromJson;

    #[test]
    fn a_page_of_blockers_decodes() {
        let data = TeamBlockersData::from_json(serde_json::json!({ "blockers": {
            "pageInfo": { "hasNextPage": false, "endCursor": null },
            "nodes": [{ "id": "b1", "text": "VPN", "status": "OPEN", "owner": { "name": "Ada" }, "ageDays": 3 }]
        } }))
        .unwrap();
        assert_eq!(data.blockers.nodes[0].age_days, 3);
        assert_eq!(data.blockers.nodes[0].status, BlockerStatus::Open);
    }
}
