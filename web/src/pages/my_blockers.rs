//! The viewer's open blockers, one at a time, each with "Still blocked" (keep it, hide it
//! here) or "Resolved" (with an optional note): on an open standup (nothing when there
//! are none) and on the dashboard (with its empty state).

use schema::ops::{
    Blocker, MyOpenBlockersQuery, NoVariables, ResolveBlocker, ResolveBlockerVariables,
};
use yew::prelude::*;

use super::team_blockers::age_label;
use crate::components::{Button, ButtonKind, ErrorBanner, TextField};
use crate::hooks::{Load, MutationOptions, use_mutation, use_query};

const NOTE: &str = "note";

#[derive(Properties, PartialEq)]
pub struct MyOpenBlockersProps {
    /// The dashboard's card: shown (with its empty state) also when there are none.
    #[prop_or_default]
    pub always: bool,
}

#[component]
pub fn MyOpenBlockers(props: &MyOpenBlockersProps) -> Html {
    let version = use_state(|| 0u32);
    let list = use_query::<MyOpenBlockersQuery, _>(NoVariables {}, *version);
    // Blockers the viewer said still hold: not asked about again on this page.
    let kept = use_state(Vec::<String>::new);
    let note = use_state(String::new);
    let settled = {
        let (version, note) = (version.clone(), note.clone());
        Callback::from(move |ok: bool| {
            if ok {
                note.set(String::new());
            }
            version.set(*version + 1);
        })
    };
    let resolve = use_mutation(MutationOptions {
        fields: &[NOTE],
        settled: Some(settled),
        ..Default::default()
    });
    let blockers: Vec<Blocker> = match &*list.state {
        Load::Loading => return html! { <p class="muted">{ "Loading your blockers…" }</p> },
        Load::Failed(err) => {
            return html! {
                <ErrorBanner title="Your blockers could not be loaded" message={err.user_message()} on_retry={list.retry.clone()} />
            };
        }
        Load::Ready(data) => data
            .my_open_blockers
            .iter()
            .filter(|b| !kept.contains(&b.id))
            .cloned()
            .collect(),
    };
    let Some(first) = blockers.first().cloned() else {
        return if props.always {
            html! {
                <section class="card" aria-labelledby="my-blockers-title" data-testid="my-blockers">
                    <h2 id="my-blockers-title" class="card-title">{ "Your open blockers" }</h2>
                    <p class="muted" data-testid="my-blockers-empty">{ "Nothing blocks you. What you report as blocking you in a standup shows here until it is resolved." }</p>
                </section>
            }
        } else {
            Html::default()
        };
    };
    // One question at a time: the oldest first.
    let keep = {
        let (kept, id) = (kept.clone(), first.id.clone());
        Callback::from(move |_: MouseEvent| {
            let mut next = (*kept).clone();
            next.push(id.clone());
            kept.set(next);
        })
    };
    let onsubmit = {
        let (resolve, note, id) = (resolve.clone(), note.clone(), first.id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let vars = ResolveBlockerVariables {
                id: id.clone(),
                note: Some(note.trim().to_owned()).filter(|n| !n.is_empty()),
            };
            resolve.run::<ResolveBlocker>(vars, |_| Some("Blocker resolved".to_owned()));
        })
    };
    let oninput = {
        let note = note.clone();
        Callback::from(move |v: String| note.set(v))
    };
    html! {
        <section class="card" aria-labelledby="my-blockers-title" data-testid="my-blockers">
            <h2 id="my-blockers-title" class="card-title">{ format!("Your open blockers ({})", blockers.len()) }</h2>
            <p data-testid="my-blocker">
                <span class="blocker-text">{ first.text.clone() }</span>
                <span class="muted">{ format!(" · {}", age_label(first.age_days)) }</span>
            </p>
            <form class="form form-narrow" ref={resolve.form()} {onsubmit} novalidate=true>
                if let Some(message) = resolve.errors().form() {
                    <ErrorBanner {message} />
                }
                <TextField id="my-blocker-note" name={NOTE} label="Note if resolved (optional)" value={(*note).clone()} {oninput}
                    error={resolve.errors().field(NOTE)} />
                <div class="form-actions">
                    <Button kind={ButtonKind::Secondary} onclick={keep} testid="still-blocked">{ "Still blocked" }</Button>
                    <Button kind={ButtonKind::Primary} r#type="submit" busy={resolve.busy()} testid="blocker-resolved">{ "Resolved" }</Button>
                </div>
            </form>
        </section>
    }
}
