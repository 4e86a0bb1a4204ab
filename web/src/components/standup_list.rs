//! Lists of standups: one row per run (the inbox, a team's recent runs and history) and
//! the team page's list of recent runs, refreshed live.

use schema::enums::{ParticipationState, StandupState};
use schema::ops::{StandupFilter, StandupSummary, TeamStandupsQuery, TeamStandupsVariables};
use yew::prelude::*;
use yew_router::prelude::*;

use super::{ErrorBanner, table_skeleton};
use crate::api::live::use_standup_events;
use crate::app::Route;
use crate::format;
use crate::hooks::{Load, use_paged_query};

/// How far someone got with a standup, in words: the one place every page asks. After
/// the close nobody is "Waiting" any more: who neither answered nor skipped "Missed" it.
pub fn participation_label(state: ParticipationState, standup: StandupState) -> &'static str {
    match (state, standup) {
        (ParticipationState::Pending, StandupState::Open) => "Waiting",
        (ParticipationState::Pending, StandupState::Closed) => "Missed",
        (ParticipationState::Answered, _) => "Answered",
        (ParticipationState::Skipped, _) => "Skipped",
    }
}

/// Open or closed, as a badge.
pub fn state_badge(state: StandupState) -> Html {
    match state {
        StandupState::Open => html! { <span class="badge badge-open">{ "● Open" }</span> },
        StandupState::Closed => html! { <span class="badge badge-muted">{ "✓ Closed" }</span> },
    }
}

/// One row of a standup list.
pub fn standup_row(s: &StandupSummary, show_team: bool) -> Html {
    let mine = s.my_participation.as_ref().map(|p| p.state);
    html! {
        <li key={s.id.clone()} class="standup-row" data-testid="standup-row" data-state={s.state.as_str()}>
            <Link<Route> to={Route::Standup { id: s.id.clone() }} classes="standup-row-link">
                <span class="cell-primary">
                    { if show_team { format!("{} · {}", s.team.name, s.name) } else { s.name.clone() } }
                </span>
                <span class="muted">{ format!(" {}", s.local_date) }</span>
            </Link<Route>>
            <span class="standup-row-facts">
                { state_badge(s.state) }
                if let Some(state) = mine {
                    <span class={classes!("status", (state == ParticipationState::Pending && s.state == StandupState::Open).then_some("status-warning"))}>
                        { format!("You: {}", participation_label(state, s.state)) }
                    </span>
                }
                if let Some(d) = &s.digest {
                    <span class="muted">{ format!("{} answered · {} skipped · {} missing", d.answered, d.skipped, d.missing) }</span>
                } else if s.state == StandupState::Open {
                    <span class="muted">{ format::local::deadline("closes", s.closes_at, &s.timezone) }</span>
                }
            </span>
        </li>
    }
}

#[derive(Properties, PartialEq)]
pub struct RecentStandupsProps {
    pub team_id: String,
}

/// The team's latest standups, refreshed live.
#[component]
pub fn RecentStandups(props: &RecentStandupsProps) -> Html {
    let list = use_paged_query::<TeamStandupsQuery>(TeamStandupsVariables {
        team_id: props.team_id.clone(),
        first: Some(5),
        after: None,
        filter: StandupFilter::default(),
    });
    {
        let reload = list.reload.clone();
        use_standup_events(
            props.team_id.clone(),
            Callback::from(move |_| reload.emit(())),
        );
    }
    match &*list.state {
        Load::Loading => table_skeleton("Loading standups…", 2),
        Load::Failed(err) => html! {
            <ErrorBanner title="Standups could not be loaded" message={err.user_message()} on_retry={list.reload.clone()} />
        },
        Load::Ready(pages) if pages.rows.is_empty() => html! {
            <p class="muted" data-testid="recent-empty">{ "No standup has run yet." }</p>
        },
        Load::Ready(pages) => html! {
            <ul class="standup-list" data-testid="recent-standups">{ for pages.rows.iter().map(|s| standup_row(s, false)) }</ul>
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_is_waiting_after_the_close() {
        use ParticipationState::*;
        assert_eq!(participation_label(Pending, StandupState::Open), "Waiting");
        assert_eq!(participation_label(Pending, StandupState::Closed), "Missed");
        for standup in [StandupState::Open, StandupState::Closed] {
            assert_eq!(participation_label(Answered, standup), "Answered");
            assert_eq!(participation_label(Skipped, standup), "Skipped");
        }
    }
}
