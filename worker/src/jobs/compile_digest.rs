//! `compile_digest`: compile a closed standup's digest, store it, e-mail it to the
//! participants who are still ACTIVE members, and enqueue its webhook delivery and its
//! Slack steps (`slack_standup`: the DMs' update when SLACK_DM is in the delivery, the
//! digest in the config's channel when SLACK_CHANNEL is and a channel was picked).
//!
//! The standup row is locked first, so two deliveries of compile jobs for the same
//! standup run one after the other; a digest already stored means a committed earlier
//! run did everything (store, e-mails, webhook job, all in one transaction) and this one
//! does nothing. A crash before the commit redoes it all: the same e-mails (same
//! `Message-ID`s, [`super::email_id`]) and no second webhook job (the outbox row rolled
//! back too).

use super::{
    JobContext, email_id,
    standup_mail::{PersonalLinks, issue_links, mailbox, standup_url, team_name, wanting},
};
use crate::{
    error::Error,
    notify::{Email, templates::DigestHtml},
};
use diesel_async::AsyncPgConnection;
use schema::{
    digest::{
        self, Digest, DigestAnswer, DigestInput, DigestParticipant, DigestQuestion, MoodTally,
        OngoingBlocker, ResolvedBlocker,
    },
    enums::{DeliveryChannel, ParticipationState, QuestionKind, StandupState},
    ids::{StandupId, UserId},
    jobs::{Job, JobEnvelope, SlackStep},
};
use schema_server::db::{
    answers, blockers, mail_preferences, members,
    models::Standup,
    mood, standup_configs, standups,
    users::{self, Contact},
};
use schema_server::outbox;
use std::collections::HashMap;

pub(super) async fn run(
    ctx: &JobContext,
    tx: &mut AsyncPgConnection,
    envelope: &JobEnvelope,
    id: StandupId,
) -> Result<(), Error> {
    let Some(standup) = standups::find_any_for_update(tx, id).await? else {
        tracing::info!(standup = %id, "standup gone; no digest");
        return Ok(());
    };
    if standup.state != StandupState::Closed {
        tracing::warn!(standup = %id, "standup still open; no digest yet");
        return Ok(());
    }
    if standups::extra_any(tx, id)
        .await?
        .is_some_and(|extra| extra.digest.is_some())
    {
        return Ok(());
    }
    let input = digest_input(ctx, tx, &standup).await?;
    let compiled = digest::compile(&input);
    let stored = serde_json::to_value(&compiled)
        .map_err(|e| Error::Schedule(format!("cannot store the digest: {e}")))?;
    standups::set_digest(tx, id, &stored).await?;

    if standup.delivery.contains(&DeliveryChannel::Webhook) && standup.webhook_url.is_some() {
        outbox::enqueue(
            tx,
            Some(standup.org_id),
            Job::DeliverWebhook {
                standup_id: id.as_uuid(),
            },
            envelope.trace_id.as_deref(),
        )
        .await?;
    }
    // Slack: the DMs updated to show how each person responded, the digest in the
    // config's channel.
    let mut slack_steps = Vec::new();
    if standup.delivery.contains(&DeliveryChannel::SlackDm) {
        slack_steps.push(SlackStep::Close);
    }
    if standup.delivery.contains(&DeliveryChannel::SlackChannel)
        && let Some(config) = standup.config_id
        && !standup_configs::slack_channels(tx, standup.org_id, &[config])
            .await?
            .is_empty()
    {
        slack_steps.push(SlackStep::Digest);
    }
    for step in slack_steps {
        outbox::enqueue(
            tx,
            Some(standup.org_id),
            Job::SlackStandup {
                standup_id: id.as_uuid(),
                step,
            },
            envelope.trace_id.as_deref(),
        )
        .await?;
    }
    if standup.delivery.contains(&DeliveryChannel::Email) {
        let team = &input.team_name;
        let people: HashMap<UserId, Contact> = input
            .participants
            .iter()
            .map(|p| {
                let id = UserId(p.user_id);
                let contact = Contact {
                    id,
                    name: p.name.clone(),
                    email: p.email.clone(),
                };
                (id, contact)
            })
            .collect();
        // Nobody out of office gets mail while away, the digest neither.
        let ids: Vec<UserId> = input
            .participants
            .iter()
            .filter(|p| p.state != ParticipationState::OutOfOffice)
            .map(|p| UserId(p.user_id))
            .collect();
        // Only to members still ACTIVE: someone suspended or removed since answering
        // keeps their answers in the digest but gets no e-mail.
        // And not to those who turned digest e-mails off.
        let active = members::active_among(tx, standup.org_id, &ids).await?;
        let active = wanting(tx, &active, mail_preferences::DIGEST).await?;
        let recipients: Vec<_> = active
            .iter()
            .map(|user| (standup.org_id, id, *user))
            .collect();
        let links = issue_links(&ctx.public_url, tx, &recipients, mail_preferences::DIGEST).await?;
        let emails = active
            .iter()
            .filter_map(|user| Some((people.get(user)?, links.get(&(id, *user))?)))
            .map(|(person, personal)| render(envelope, &standup, team, &compiled, person, personal))
            .collect::<Result<Vec<_>, _>>()?;
        ctx.mailer.send_all(&emails).await?;
        tracing::debug!(standup = %id, sent = emails.len(), "digest e-mails sent");
    }
    Ok(())
}

/// What the digest of closed standup `standup` is compiled from: its questions, its
/// participants with their answers, the team's name and the standup's link (also what
/// the Slack digest is rendered from).
pub(super) async fn digest_input(
    ctx: &JobContext,
    tx: &mut AsyncPgConnection,
    standup: &Standup,
) -> Result<DigestInput, Error> {
    let id = standup.id;
    let participations = standups::participations_of(tx, standup.org_id, &[id]).await?;
    let answers = answers::answers_of(tx, standup.org_id, &[id]).await?;
    let ids: Vec<_> = participations.iter().map(|p| p.user_id).collect();
    let people: HashMap<_, Contact> = users::contacts(tx, &ids)
        .await?
        .into_iter()
        .map(|person| (person.id, person))
        .collect();
    let anonymous = mood::run_anonymous(tx, standup.org_id, id).await?;
    let mut tally = MoodTally {
        anonymous,
        ..MoodTally::default()
    };
    let mut moody = std::collections::HashSet::new();
    let mut by_user: HashMap<_, Vec<DigestAnswer>> = HashMap::new();
    for answer in answers {
        let text = match answer.mood {
            Some(m) => {
                if let Some(n) = usize::try_from(m - 1)
                    .ok()
                    .and_then(|i| tally.counts.get_mut(i))
                {
                    *n += 1;
                }
                moody.insert(answer.user_id);
                // An anonymous mood shows only in the tally.
                if anonymous {
                    continue;
                }
                schema::standup::mood_text(m, &answer.text)
            }
            None => answer.text,
        };
        by_user
            .entry(answer.user_id)
            .or_default()
            .push(DigestAnswer {
                question_id: answer.question_id.as_uuid(),
                text,
            });
    }
    tally.people = i64::try_from(moody.len()).unwrap_or(i64::MAX);
    let questions = standup
        .questions()
        .map_err(|e| Error::Schedule(format!("standup {id} has unreadable questions: {e}")))?
        .into_iter()
        .map(|q| DigestQuestion {
            id: q.id.as_uuid(),
            prompt: q.prompt,
            kind: q.kind,
            required: q.required,
        })
        .collect::<Vec<_>>();
    let asks_mood = questions.iter().any(|q| q.kind == QuestionKind::Mood);
    let participants = participations
        .iter()
        .filter_map(|p| {
            let person = people.get(&p.user_id)?;
            Some(DigestParticipant {
                user_id: p.user_id.as_uuid(),
                name: person.name.clone(),
                email: person.email.clone(),
                state: p.state,
                skip_reason: p.skip_reason.clone(),
                answers: by_user.remove(&p.user_id).unwrap_or_default(),
                submitted_at: p.submitted_at,
            })
        })
        .collect();
    let team = team_name(tx, standup.team_id).await?;
    let until = standup.closed_at.unwrap_or(standup.closes_at);
    let (ongoing, resolved) = blockers::for_digest(
        tx,
        standup.org_id,
        standup.team_id,
        id,
        standup.config_id,
        standup.scheduled_for,
        until,
    )
    .await?;
    let name = |name: &str, email: &str| {
        if name.trim().is_empty() {
            email.to_owned()
        } else {
            name.to_owned()
        }
    };
    Ok(DigestInput {
        team_name: team,
        standup_name: standup.name.clone(),
        local_date: standup.local_date,
        timezone: standup.timezone.clone(),
        questions,
        participants,
        standup_url: Some(standup_url(&ctx.public_url, id)),
        ongoing_blockers: ongoing
            .into_iter()
            .map(|b| OngoingBlocker {
                name: name(&b.owner_name, &b.owner_email),
                age_days: u32::try_from((until - b.opened_at).num_days().max(0))
                    .unwrap_or(u32::MAX),
                text: b.text,
            })
            .collect(),
        resolved_blockers: resolved
            .into_iter()
            .map(|b| ResolvedBlocker {
                name: name(&b.owner_name, &b.owner_email),
                text: b.text,
                resolved_by: b.resolved_by_name,
                note: b.resolution_note,
            })
            .collect(),
        mood: asks_mood.then_some(tally),
    })
}

fn render(
    envelope: &JobEnvelope,
    standup: &Standup,
    team: &str,
    digest: &Digest,
    person: &Contact,
    personal: &PersonalLinks,
) -> Result<Email, Error> {
    let html = DigestHtml::new(&digest.html).html()?;
    Ok(Email {
        job_id: email_id(envelope.id, person.id),
        to: mailbox(person)?,
        subject: format!(
            "Digest: {} of {team} for {}",
            standup.name, standup.local_date
        ),
        text: digest.text.clone(),
        html,
        unsubscribe: Some(personal.unsubscribe.clone()),
    })
}
