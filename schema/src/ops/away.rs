//! Operations of the account page's "Out of office" section.

use serde::{Deserialize, Serialize};

use crate::json::FromJson;

use super::{NoVariables, Operation};

/// `type OutOfOfficePeriod` as the account page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct OutOfOfficePeriod {
    pub id: String,
    /// YYYY-MM-DD.
    pub first_day: String,
    /// YYYY-MM-DD, inclusive.
    pub last_day: String,
    pub note: Option<String>,
}

macro_rules! period_fields {
    () => {
        "{ id firstDay lastDay note }"
    };
}

/// `outOfOfficePeriods: [OutOfOfficePeriod!]!` — the viewer's current and upcoming
/// periods.
#[derive(Debug)]
pub enum OutOfOfficePeriods {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct OutOfOfficePeriodsData {
    pub out_of_office_periods: Vec<OutOfOfficePeriod>,
}

impl Operation for OutOfOfficePeriods {
    const NAME: &'static str = "OutOfOfficePeriods";
    const QUERY: &'static str = concat!(
        "query OutOfOfficePeriods { outOfOfficePeriods ",
        period_fields!(),
        " }"
    );
    type Variables = NoVariables;
    type Data = OutOfOfficePeriodsData;
}

/// `setOutOfOffice(input: SetOutOfOfficeInput!): OutOfOfficePeriod!` — for the viewer.
#[derive(Debug)]
pub enum SetOutOfOffice {}

/// `SetOutOfOfficeInput` without `userId` (the viewer's own).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetOutOfOfficeInput {
    pub first_day: String,
    pub last_day: String,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SetOutOfOfficeVariables {
    pub input: SetOutOfOfficeInput,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct SetOutOfOfficeData {
    pub set_out_of_office: OutOfOfficePeriod,
}

impl Operation for SetOutOfOffice {
    const NAME: &'static str = "SetOutOfOffice";
    const QUERY: &'static str = concat!(
        "mutation SetOutOfOffice($input: SetOutOfOfficeInput!) { setOutOfOffice(input: $input) ",
        period_fields!(),
        " }"
    );
    type Variables = SetOutOfOfficeVariables;
    type Data = SetOutOfOfficeData;
}

/// `endOutOfOffice(id: ID!): OutOfOfficePeriod` — null when the period had not started
/// and is gone.
#[derive(Debug)]
pub enum EndOutOfOffice {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EndOutOfOfficeVariables {
    pub id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct EndOutOfOfficeData {
    pub end_out_of_office: Option<OutOfOfficePeriod>,
}

impl Operation for EndOutOfOffice {
    const NAME: &'static str = "EndOutOfOffice";
    const QUERY: &'static str = concat!(
        "mutation EndOutOfOffice($id: ID!) { endOutOfOffice(id: $id) ",
        period_fields!(),
        " }"
    );
    type Variables = EndOutOfOfficeVariables;
    type Data = EndOutOfOfficeData;
}

/// The operations of this file, for [`super::ALL`].
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    (OutOfOfficePeriods::NAME, OutOfOfficePeriods::QUERY),
    (SetOutOfOffice::NAME, SetOutOfOffice::QUERY),
    (EndOutOfOffice::NAME, EndOutOfOffice::QUERY),
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn periods_deserialise_and_the_input_is_camel_case() {
        let data: OutOfOfficePeriodsData = serde_json::from_value(json!({
            "outOfOfficePeriods": [{ "id": "p1", "firstDay": "2026-12-21", "lastDay": "2027-01-03", "note": null }]
        }))
        .unwrap();
        assert_eq!(data.out_of_office_periods[0].last_day, "2027-01-03");
        let vars = SetOutOfOfficeVariables {
            input: SetOutOfOfficeInput {
                first_day: "2026-12-21".into(),
                last_day: "2027-01-03".into(),
                note: Some("Away".into()),
            },
        };
        assert_eq!(
            serde_json::to_value(&vars).unwrap(),
            json!({ "input": { "firstDay": "2026-12-21", "lastDay": "2027-01-03", "note": "Away" } })
        );
        let ended: EndOutOfOfficeData =
            serde_json::from_value(json!({ "endOutOfOffice": null })).unwrap();
        assert!(ended.end_out_of_office.is_none());
    }
}
