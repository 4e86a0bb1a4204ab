//! Enums shared by the database, the API and the web UI. Stored as upper-case text.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        #[cfg_attr(feature = "sql", derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow))]
        #[cfg_attr(feature = "sql", diesel(sql_type = diesel::sql_types::Text))]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!("unknown {} '{}'", stringify!($name), other)),
                }
            }
        }

        impl crate::json::FromJson for $name {
            fn from_json(value: serde_json::Value) -> Result<Self, crate::json::JsonError> {
                crate::json::from_str_with(value, concat!("a ", stringify!($name)), |text| {
                    match text {
                        $($text => Some($name::$variant),)+
                        _ => None,
                    }
                })
            }
        }

        #[cfg(feature = "sql")]
        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                use std::io::Write;
                out.write_all(self.as_str().as_bytes())?;
                Ok(diesel::serialize::IsNull::No)
            }
        }

        #[cfg(feature = "sql")]
        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = std::str::from_utf8(bytes.as_bytes())?;
                Ok(text.parse::<$name>()?)
            }
        }
    };
}

text_enum!(
    /// A member's role in an organization.
    OrgRole {
        Owner => "OWNER",
        Admin => "ADMIN",
        Member => "MEMBER",
    }
);

text_enum!(
    /// What a personal API token may do: READ runs queries only.
    ApiTokenScope {
        Read => "READ",
        ReadWrite => "READ_WRITE",
    }
);

text_enum!(
    /// Where a membership stands.
    MemberStatus {
        Invited => "INVITED",
        Active => "ACTIVE",
        Suspended => "SUSPENDED",
    }
);

text_enum!(
    /// A day of the week, Monday first (ISO 8601).
    Weekday {
        Mon => "MON",
        Tue => "TUE",
        Wed => "WED",
        Thu => "THU",
        Fri => "FRI",
        Sat => "SAT",
        Sun => "SUN",
    }
);

text_enum!(
    /// When a standup config asks its participants: all at the time of day in the team's
    /// zone, or each at the time of day in their own zone (the team's when they set none).
    AskAt {
        TeamTime => "TEAM_TIME",
        MemberLocalTime => "MEMBER_LOCAL_TIME",
    }
);

text_enum!(
    /// What a standup question asks for.
    QuestionKind {
        Text => "TEXT",
        Blocker => "BLOCKER",
        Mood => "MOOD",
    }
);

text_enum!(
    /// Where a standup's questions and digest go.
    DeliveryChannel {
        Web => "WEB",
        Email => "EMAIL",
        SlackDm => "SLACK_DM",
        SlackChannel => "SLACK_CHANNEL",
        Webhook => "WEBHOOK",
    }
);

text_enum!(
    /// Whether a standup still takes answers.
    StandupState {
        Open => "OPEN",
        Closed => "CLOSED",
    }
);

text_enum!(
    /// Where one participant stands in one standup.
    ParticipationState {
        Pending => "PENDING",
        Answered => "ANSWERED",
        Skipped => "SKIPPED",
        OutOfOffice => "OUT_OF_OFFICE",
    }
);

text_enum!(
    /// Whether a tracked blocker still holds someone up.
    BlockerStatus {
        Open => "OPEN",
        Resolved => "RESOLVED",
    }
);

impl Weekday {
    /// The same day in chrono's terms.
    pub fn to_chrono(self) -> chrono::Weekday {
        match self {
            Weekday::Mon => chrono::Weekday::Mon,
            Weekday::Tue => chrono::Weekday::Tue,
            Weekday::Wed => chrono::Weekday::Wed,
            Weekday::Thu => chrono::Weekday::Thu,
            Weekday::Fri => chrono::Weekday::Fri,
            Weekday::Sat => chrono::Weekday::Sat,
            Weekday::Sun => chrono::Weekday::Sun,
        }
    }

    /// chrono's day in ours.
    pub fn from_chrono(day: chrono::Weekday) -> Self {
        match day {
            chrono::Weekday::Mon => Weekday::Mon,
            chrono::Weekday::Tue => Weekday::Tue,
            chrono::Weekday::Wed => Weekday::Wed,
            chrono::Weekday::Thu => Weekday::Thu,
            chrono::Weekday::Fri => Weekday::Fri,
            chrono::Weekday::Sat => Weekday::Sat,
            chrono::Weekday::Sun => Weekday::Sun,
        }
    }
}

impl OrgRole {
    /// OWNER and ADMIN run the organization.
    pub fn is_admin(&self) -> bool {
        matches!(self, OrgRole::Owner | OrgRole::Admin)
    }

    /// How the role reads to people: "Owner", "Admin", "Member".
    pub fn label(&self) -> &'static str {
        match self {
            OrgRole::Owner => "Owner",
            OrgRole::Admin => "Admin",
            OrgRole::Member => "Member",
        }
    }

    /// The role in a sentence: "as an admin".
    pub fn with_article(&self) -> &'static str {
        match self {
            OrgRole::Owner => "an owner",
            OrgRole::Admin => "an admin",
            OrgRole::Member => "a member",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_use_the_contract_spelling() {
        for role in OrgRole::ALL {
            assert_eq!(role.as_str().parse::<OrgRole>().unwrap(), *role);
            assert_eq!(
                serde_json::to_string(role).unwrap(),
                format!("\"{}\"", role.as_str())
            );
        }
        assert!("owner".parse::<OrgRole>().is_err());
        assert!(OrgRole::Admin.is_admin() && !OrgRole::Member.is_admin());
        assert_eq!(OrgRole::Admin.label(), "Admin");
        assert_eq!(OrgRole::Member.with_article(), "a member");
    }

    /// The web UI reads enums with `FromJson` (the texts above), the rest with serde
    /// (`SCREAMING_SNAKE_CASE` of the variant names); both must read the same values.
    #[test]
    fn from_json_reads_what_serde_reads() {
        fn same<T>(all: &[T])
        where
            T: Copy + PartialEq + std::fmt::Debug + Serialize + crate::json::FromJson,
            T: serde::de::DeserializeOwned,
        {
            for value in all {
                let json = serde_json::to_value(value).unwrap();
                assert_eq!(serde_json::from_value::<T>(json.clone()).unwrap(), *value);
                assert_eq!(crate::json::from_value::<T>(json).unwrap(), *value);
            }
            assert!(crate::json::from_value::<T>(serde_json::json!("nope")).is_err());
        }
        same(OrgRole::ALL);
        same(MemberStatus::ALL);
        same(Weekday::ALL);
        same(QuestionKind::ALL);
        same(DeliveryChannel::ALL);
        same(StandupState::ALL);
        same(ParticipationState::ALL);
        same(BlockerStatus::ALL);
    }
}
