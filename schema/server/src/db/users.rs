use super::DbError;
use super::models::{NewUser, User};
use super::tables::{organizations, users};
use diesel::{
    ExpressionMethods, JoinOnDsl, NullableExpressionMethods, OptionalExtension, QueryDsl,
    Queryable, SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::enums::Weekday;
use schema::ids::{OrganizationId, UserId};

pub async fn find_by_email(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> Result<Option<User>, DbError> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn find(conn: &mut AsyncPgConnection, id: UserId) -> Result<Option<User>, DbError> {
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Inserts the user; `None` when the e-mail is taken (no error, so a transaction stays usable).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewUser<'_>,
) -> Result<Option<User>, DbError> {
    Ok(diesel::insert_into(users::table)
        .values(new)
        .on_conflict(users::email)
        .do_nothing()
        .returning(User::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

pub async fn set_password_hash(
    conn: &mut AsyncPgConnection,
    id: UserId,
    password_hash: &str,
) -> Result<(), DbError> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(password_hash),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A user as the e-mails sent to them address them.
#[derive(Clone, Debug, PartialEq, Eq, Queryable)]
pub struct Contact {
    pub id: UserId,
    pub name: String,
    pub email: String,
}

/// The users among `ids` as [`Contact`]s, by id, in one statement; a deleted user is left
/// out. Of whichever organization: for the worker, whose jobs name the people.
pub async fn contacts(
    conn: &mut AsyncPgConnection,
    ids: &[UserId],
) -> Result<Vec<Contact>, DbError> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .order(users::id)
        .select((users::id, users::name, users::email))
        .load(conn)
        .await?)
}

/// A user as an e-mail on behalf of an organization addresses them: their address and
/// name, and the organization's name when the e-mail speaks for one.
#[derive(Clone, Debug, PartialEq, Eq, Queryable)]
pub struct Addressee {
    pub email: String,
    pub name: String,
    pub organization: Option<String>,
}

/// `user` as an [`Addressee`] with the name of `org` (when given and it exists), in one
/// statement; `None` when there is no such user. Of whichever organization: for the
/// worker, whose jobs name the user.
pub async fn addressee(
    conn: &mut AsyncPgConnection,
    user: UserId,
    org: Option<OrganizationId>,
) -> Result<Option<Addressee>, DbError> {
    let org = org.map(|org| org.as_uuid());
    Ok(users::table
        .left_join(organizations::table.on(organizations::id.nullable().eq(org)))
        .filter(users::id.eq(user))
        .select((users::email, users::name, organizations::name.nullable()))
        .first(conn)
        .await
        .optional()?)
}

/// A profile change; `None` leaves a value as it is.
#[derive(Clone, Debug, Default)]
pub struct ProfileChange<'a> {
    pub name: Option<&'a str>,
    /// `Some(None)` clears the zone (the team's applies).
    pub timezone: Option<Option<&'a str>>,
    pub work_days: Option<&'a [Weekday]>,
}

/// Applies `change` to user `id` and returns the user as stored.
pub async fn update_profile(
    conn: &mut AsyncPgConnection,
    id: UserId,
    change: &ProfileChange<'_>,
) -> Result<Option<User>, DbError> {
    #[derive(diesel::AsChangeset)]
    #[diesel(table_name = users)]
    struct Changes<'a> {
        name: Option<&'a str>,
        timezone: Option<Option<&'a str>>,
        work_days: Option<&'a [Weekday]>,
    }
    Ok(diesel::update(users::table.find(id))
        .set((
            Changes {
                name: change.name,
                timezone: change.timezone,
                work_days: change.work_days,
            },
            users::updated_at.eq(diesel::dsl::now),
        ))
        .returning(User::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// The users among `ids`, in one statement. For ids read from rows of one organization
/// (the caller has already been allowed to read those rows).
pub async fn find_many(conn: &mut AsyncPgConnection, ids: &[UserId]) -> Result<Vec<User>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select(User::as_select())
        .load(conn)
        .await?)
}
