//! The transactional outbox, one for the api and the worker.
//!
//! A job is enqueued as an `outbox` row written in the same transaction as the change
//! that causes it ([`enqueue`], [`enqueue_many`]), so it exists exactly when the change
//! committed; it carries the trace id of the request or job that caused it. A relay
//! ([`relay_all`]) claims unsent rows with `FOR UPDATE SKIP LOCKED` (any number of api
//! and worker processes relay at once without publishing a row twice), publishes them
//! through [`Topology::publish_job`] with publisher confirms and marks them sent. Rows
//! whose publish was not confirmed (broker down, process killed) stay unsent and are
//! swept again: nothing is lost. A row may be published twice only if a process dies
//! between the broker's confirm and the commit of `sent_at`; the job handlers are
//! idempotent for exactly that.
//!
//! The relay writes its database ([`Topology::database`]) into every envelope it
//! publishes, so a worker of another instance on the same broker and prefix parks the job
//! instead of running it against the wrong database.
//!
//! Each binary keeps only its wiring: when to wake the relay and which channel it uses.

use crate::amqp::Topology;
use crate::db::models::NewOutboxRow;
use crate::db::{DbError, DbPool, outbox};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use lapin::Channel;
use schema::ids::OrganizationId;
use schema::jobs::{Job, JobEnvelope};

/// Rows claimed per transaction.
pub const BATCH: i64 = 1000;

/// The outbox row of `job`, enqueued now, for organization `org` (none for jobs of no
/// organization, such as a password reset), carrying `trace_id` (the request id of the
/// api request, or the trace id of the job that enqueues a follow-up).
///
/// # Errors
/// Only if the envelope cannot be serialised (never for these plain types).
pub fn row(
    org: Option<OrganizationId>,
    job: Job,
    trace_id: Option<&str>,
) -> Result<NewOutboxRow<'static>, DbError> {
    let mut envelope = JobEnvelope::new(uuid::Uuid::new_v4(), job, chrono::Utc::now());
    if let Some(org) = org {
        envelope = envelope.for_organization(org.as_uuid());
    }
    if let Some(trace_id) = trace_id {
        envelope = envelope.with_trace_id(trace_id);
    }
    row_of(org, &envelope)
}

/// The outbox row that publishes `envelope` as it is (a new row id; the job keeps its
/// id, so handlers still see the same job).
///
/// # Errors
/// Only if the envelope cannot be serialised.
pub fn row_of(
    org: Option<OrganizationId>,
    envelope: &JobEnvelope,
) -> Result<NewOutboxRow<'static>, DbError> {
    let payload = serde_json::to_value(envelope)
        .map_err(|e| DbError::Query(diesel::result::Error::SerializationError(Box::new(e))))?;
    Ok(NewOutboxRow {
        id: uuid::Uuid::new_v4(),
        org_id: org,
        kind: envelope.routing_key(),
        payload,
    })
}

/// Enqueues one job; call it inside the transaction of the change that causes it.
///
/// # Errors
/// The database.
pub async fn enqueue(
    conn: &mut AsyncPgConnection,
    org: Option<OrganizationId>,
    job: Job,
    trace_id: Option<&str>,
) -> Result<(), DbError> {
    outbox::insert_many(conn, &[row(org, job, trace_id)?]).await
}

/// Enqueues `rows` (from [`row`]) in one statement, inside the change's transaction.
///
/// # Errors
/// The database.
pub async fn enqueue_many(
    conn: &mut AsyncPgConnection,
    rows: &[NewOutboxRow<'_>],
) -> Result<(), DbError> {
    outbox::insert_many(conn, rows).await
}

/// What a relay pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Relayed {
    /// Rows the broker confirmed, now marked sent.
    pub sent: usize,
    /// Rows published but not confirmed (or not readable by this version), left unsent
    /// for the next sweep.
    pub unconfirmed: usize,
}

/// Everything that can stop a relay batch.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for RelayError {
    fn from(e: diesel::result::Error) -> Self {
        RelayError::Db(e.into())
    }
}

/// Publishes batch after batch on `channel` (in confirm mode) until one comes back
/// short or fails; a failure is logged and leaves its rows for the next sweep.
pub async fn relay_all(pool: &DbPool, channel: &Channel, topology: &Topology) -> Relayed {
    let mut total = Relayed::default();
    loop {
        match relay_batch(pool, channel, topology).await {
            Ok(batch) => {
                total.sent += batch.sent;
                total.unconfirmed += batch.unconfirmed;
                if ((batch.sent + batch.unconfirmed) as i64) < BATCH {
                    return total;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "outbox relay: batch failed; rows stay for the next sweep");
                return total;
            }
        }
    }
}

/// Claims up to [`BATCH`] unsent rows, publishes them (pipelined: every message first,
/// then the confirms) and marks the confirmed ones sent, in one transaction.
///
/// # Errors
/// The database; publish failures are counted in [`Relayed::unconfirmed`] instead.
pub async fn relay_batch(
    pool: &DbPool,
    channel: &Channel,
    topology: &Topology,
) -> Result<Relayed, RelayError> {
    let mut conn = pool.get().await.map_err(|e| DbError::Pool(e.to_string()))?;
    conn.transaction::<_, RelayError, _>(async |tx| {
        let rows = outbox::claim_unsent(tx, BATCH).await?;
        if rows.is_empty() {
            return Ok(Relayed::default());
        }
        let mut pending = Vec::with_capacity(rows.len());
        let mut failed = Vec::new();
        for row in &rows {
            let mut envelope = match JobEnvelope::from_value(&row.payload) {
                Ok(envelope) => envelope,
                Err(error) => {
                    // Written by a newer version (a rolling deploy): its relay publishes it.
                    tracing::warn!(id = %row.id, kind = %row.kind, %error, "outbox relay: row not readable by this version; left for another relay");
                    failed.push(row.id);
                    continue;
                }
            };
            // The row lives in this relay's database: the job is that database's, even
            // when the broker and the prefix are shared with another instance.
            if let Some(database) = topology.database()
                && envelope.database.is_none()
            {
                envelope.database = Some(database.to_owned());
            }
            pending.push((row.id, topology.publish_job(channel, &envelope).await));
        }
        let mut sent = Vec::with_capacity(rows.len());
        for (id, confirm) in pending {
            let acked = match confirm {
                Ok(confirm) => matches!(confirm.await, Ok(c) if c.is_ack()),
                Err(_) => false,
            };
            if acked {
                sent.push(id);
            } else {
                failed.push(id);
            }
        }
        outbox::mark_sent(tx, &sent).await?;
        if !failed.is_empty() {
            outbox::mark_attempted(tx, &failed).await?;
            tracing::warn!(
                unconfirmed = failed.len(),
                "outbox relay: broker did not confirm every message"
            );
        }
        Ok(Relayed {
            sent: sent.len(),
            unconfirmed: failed.len(),
        })
    })
    .await
}
