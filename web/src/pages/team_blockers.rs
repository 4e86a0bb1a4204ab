//! The team page's "Open blockers": who is blocked, on what and for how long, oldest
//! first, refreshed live; anyone in the team (and owners and admins) resolves one, with
//! an optional note.

use schema::ops::{
    Blocker, ResolveBlocker, ResolveBlockerVariables, TeamBlockersQuery, TeamBlockersVariables,
};
use yew::prelude::*;

use crate::api::live::use_standup_events;
use crate::components::{Button, ButtonKind, ErrorBanner, TextField, table_skeleton};
use crate::hooks::{Load, MutationOptions, use_mutation, use_query};

const NOTE: &str = "note";

#[derive(Properties, PartialEq)]
pub struct TeamBlockersProps {
    pub team_id: String,
}

/// "open 3 days", "open since today".
pub fn age_label(days: i32) -> String {
    match days {
        0 => "open since today".to_owned(),
        1 => "open 1 day".to_owned(),
        n => format!("open {n} days"),
    }
}

#[component]
pub fn TeamBlockers(props: &TeamBlockersProps) -> Html {
    let version = use_state(|| 0u32);
    let list = use_query::<TeamBlockersQuery, _>(
        TeamBlockersVariables {
            team_id: props.team_id.clone(),
        },
        *version,
    );
    let reload = {
        let version = version.clone();
        Callback::from(move |_| version.set(*version + 1))
    };
    use_standup_events(props.team_id.clone(), reload.clone());
    // The blocker whose resolve form is open, and its note.
    let open = use_state(|| None::<String>);
    let note = use_state(String::new);
    let settled = {
        let (open, note, reload) = (open.clone(), note.clone(), reload.clone());
        Callback::from(move |ok: bool| {
            if ok {
                open.set(None);
                note.set(String::new());
            }
            reload.emit(None);
        })
    };
    let resolve = use_mutation(MutationOptions {
        fields: &[NOTE],
        settled: Some(settled),
        ..Default::default()
    });

    let blockers = match &*list.state {
        Load::Loading => return table_skeleton("Loading blockers…", 2),
        Load::Failed(err) => {
            return html! {
                <ErrorBanner title="Blockers could not be loaded" message={err.user_message()} on_retry={list.retry.clone()} />
            };
        }
        Load::Ready(data) => &data.blockers.nodes,
    };
    if blockers.is_empty() {
        return html! { <p class="muted" data-testid="blockers-empty">{ "Nobody on this team is blocked." }</p> };
    }
    let row = |b: &Blocker| {
        let owner = b
            .owner
            .as_ref()
            .map_or("Former member", |o| o.name.as_str());
        let is_open = open.as_deref() == Some(b.id.as_str());
        let start = {
            let (open, note, id) = (open.clone(), note.clone(), b.id.clone());
            Callback::from(move |_: MouseEvent| {
                note.set(String::new());
                open.set(Some(id.clone()));
            })
        };
        let cancel = {
            let open = open.clone();
            Callback::from(move |_: MouseEvent| open.set(None))
        };
        let onsubmit = {
            let (resolve, note, id, owner) = (
                resolve.clone(),
                note.clone(),
                b.id.clone(),
                owner.to_owned(),
            );
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                let vars = ResolveBlockerVariables {
                    id: id.clone(),
                    note: Some(note.trim().to_owned()).filter(|n| !n.is_empty()),
                };
                let owner = owner.clone();
                resolve.run::<ResolveBlocker>(vars, move |_| {
                    Some(format!("Blocker of {owner} resolved"))
                });
            })
        };
        let oninput = {
            let note = note.clone();
            Callback::from(move |v: String| note.set(v))
        };
        html! {
            <li key={b.id.clone()} class="blocker-row" data-testid="team-blocker">
                <div>
                    <span class="cell-primary">{ owner }</span>
                    <span class="muted">{ format!(" · {}", age_label(b.age_days)) }</span>
                    <p class="blocker-text">{ b.text.clone() }</p>
                </div>
                if is_open {
                    <form class="form form-narrow" ref={resolve.form()} {onsubmit} novalidate=true>
                        if let Some(message) = resolve.errors().form() {
                            <ErrorBanner {message} />
                        }
                        <TextField id="blocker-note" name={NOTE} label="Note (optional)" value={(*note).clone()} {oninput}
                            hint="What unblocked it, at most 500 characters." error={resolve.errors().field(NOTE)} />
                        <div class="form-actions">
                            <Button kind={ButtonKind::Primary} r#type="submit" busy={resolve.busy()} testid="blocker-resolve-confirm">{ "Mark resolved" }</Button>
                            <Button kind={ButtonKind::Secondary} onclick={cancel}>{ "Cancel" }</Button>
                        </div>
                    </form>
                } else {
                    <Button kind={ButtonKind::Secondary} onclick={start} testid="blocker-resolve">{ "Resolve" }</Button>
                }
            </li>
        }
    };
    html! {
        <ul class="blocker-list" data-testid="team-blockers">{ for blockers.iter().map(row) }</ul>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_as_words() {
        assert_eq!(age_label(0), "open since today");
        assert_eq!(age_label(1), "open 1 day");
        assert_eq!(age_label(12), "open 12 days");
    }
}
