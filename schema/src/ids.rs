//! Typed ids: newtypes over UUID so a user id can never be passed where an
//! organization id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "sql", derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow))]
        #[cfg_attr(feature = "sql", diesel(sql_type = diesel::sql_types::Uuid))]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random id (server side only).
            #[cfg(feature = "sql")]
            pub fn new_random() -> Self {
                Self(Uuid::new_v4())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl crate::json::FromJson for $name {
            fn from_json(value: serde_json::Value) -> Result<Self, crate::json::JsonError> {
                <Uuid as crate::json::FromJson>::from_json(value).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }

        #[cfg(feature = "sql")]
        impl diesel::serialize::ToSql<diesel::sql_types::Uuid, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <Uuid as diesel::serialize::ToSql<diesel::sql_types::Uuid, diesel::pg::Pg>>::to_sql(&self.0, out)
            }
        }

        #[cfg(feature = "sql")]
        impl diesel::deserialize::FromSql<diesel::sql_types::Uuid, diesel::pg::Pg> for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                <Uuid as diesel::deserialize::FromSql<diesel::sql_types::Uuid, diesel::pg::Pg>>::from_sql(bytes).map(Self)
            }
        }
    };
}

id_type!(
    /// A person's account; one user can belong to several organizations.
    UserId
);
id_type!(
    /// A tenant. Every org-scoped row carries one.
    OrganizationId
);
id_type!(
    /// A sign-in session: one refresh-token family, `sid` in the access token.
    SessionId
);
id_type!(
    /// A personal API token.
    ApiTokenId
);
id_type!(
    /// A team inside an organization.
    TeamId
);
id_type!(
    /// One standup schedule of a team.
    StandupConfigId
);
id_type!(
    /// A question of a standup config, stable across edits.
    QuestionId
);
id_type!(
    /// One run of a standup (scheduled or started by hand).
    StandupId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_as_plain_uuid_strings() {
        let raw = "7f1c1f4e-9a59-4a4e-8a5b-2b0d7d0f3c11";
        let id: UserId = raw.parse().unwrap();
        assert_eq!(id.to_string(), raw);
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{raw}\""));
        assert!("not-a-uuid".parse::<OrganizationId>().is_err());
    }
}
