//! The account page's "Out of office" card: the viewer's current and upcoming periods,
//! a form to add one (first and last day, an optional note), and "End now" on each.
//! While away the person is not asked in any standup and shows as "Out of office".

use schema::ops::{
    EndOutOfOffice, EndOutOfOfficeVariables, NoVariables, OutOfOfficePeriod, OutOfOfficePeriods,
    SetOutOfOffice, SetOutOfOfficeInput, SetOutOfOfficeVariables,
};
use schema::validation::ValidationError;
use yew::prelude::*;

use crate::components::{Button, ButtonKind, ErrorBanner, TextField};
use crate::hooks::{FormErrors, Load, MutationOptions, use_mutation, use_query};

const FIRST: &str = "firstDay";
const LAST: &str = "lastDay";
const NOTE: &str = "note";

#[component]
pub fn OutOfOfficeCard() -> Html {
    let reload = use_state(|| 0u32);
    let periods = use_query::<OutOfOfficePeriods, _>(NoVariables {}, *reload);
    let first = use_state(String::new);
    let last = use_state(String::new);
    let note = use_state(String::new);
    let bump = {
        let reload = reload.clone();
        Callback::from(move |ok: bool| {
            if ok {
                reload.set(*reload + 1);
            }
        })
    };
    let save = use_mutation(MutationOptions {
        fields: &[FIRST, LAST, NOTE],
        settled: Some(bump.clone()),
        ..Default::default()
    });
    let end = use_mutation(MutationOptions {
        toast_errors: true,
        settled: Some(bump),
        ..Default::default()
    });

    let onsubmit = {
        let (first, last, note, save) = (first.clone(), last.clone(), note.clone(), save.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let required = |value: &str, field: &'static str| {
                value
                    .trim()
                    .is_empty()
                    .then(|| ValidationError::new(field, "is required"))
            };
            let backwards = (!first.is_empty() && !last.is_empty() && *last < *first)
                .then(|| ValidationError::new(LAST, "must be on or after the first day"));
            if save.invalid(FormErrors::from_checks([
                required(&first, FIRST),
                required(&last, LAST).or(backwards),
            ])) {
                return;
            }
            let vars = SetOutOfOfficeVariables {
                input: SetOutOfOfficeInput {
                    first_day: (*first).clone(),
                    last_day: (*last).clone(),
                    note: Some(note.trim().to_owned()).filter(|n| !n.is_empty()),
                },
            };
            let (first, last, note) = (first.clone(), last.clone(), note.clone());
            save.run::<SetOutOfOffice>(vars, move |data| {
                first.set(String::new());
                last.set(String::new());
                note.set(String::new());
                let p = data.set_out_of_office;
                Some(format!(
                    "Out of office from {} to {}",
                    p.first_day, p.last_day
                ))
            });
        })
    };
    let errors = save.errors();
    let busy = save.busy();

    let list = match &*periods.state {
        Load::Loading => html! { <p class="muted">{ "Loading…" }</p> },
        Load::Failed(err) => html! {
            <ErrorBanner title="Your out-of-office periods could not be loaded" message={err.user_message()} on_retry={periods.retry.clone()} />
        },
        Load::Ready(data) if data.out_of_office_periods.is_empty() => html! {
            <p class="muted" data-testid="ooo-empty">{ "No out-of-office periods planned." }</p>
        },
        Load::Ready(data) => html! {
            <ul class="ooo-list" data-testid="ooo-periods">
                { for data.out_of_office_periods.iter().map(|p| period_row(p, &end)) }
            </ul>
        },
    };

    html! {
        <section class="card" aria-labelledby="ooo-title">
            <h2 id="ooo-title" class="card-title">{ "Out of office" }</h2>
            <p>{ "While you are away you are not asked in any standup, get no reminders, and show as \"Out of office\" (with your note) instead of missing." }</p>
            { list }
            <form class="form form-narrow" ref={save.form()} {onsubmit} novalidate=true>
                if let Some(message) = errors.form() {
                    <ErrorBanner {message} />
                }
                <TextField id="ooo-first" name="firstDay" label="First day away" r#type="date" required=true
                    value={(*first).clone()} oninput={save.input(&first, FIRST)} error={errors.field(FIRST)} />
                <TextField id="ooo-last" name="lastDay" label="Last day away" r#type="date" required=true
                    value={(*last).clone()} oninput={save.input(&last, LAST)} error={errors.field(LAST)} />
                <TextField id="ooo-note" name="note" label="Note (optional)" hint="Shown to your team, e.g. \"Back on the 4th\". At most 200 characters."
                    value={(*note).clone()} oninput={save.input(&note, NOTE)} error={errors.field(NOTE)} />
                <div>
                    <Button r#type="submit" busy={busy} testid="ooo-add">
                        { if busy { "Adding…" } else { "Add out-of-office period" } }
                    </Button>
                </div>
            </form>
        </section>
    }
}

fn period_row(period: &OutOfOfficePeriod, end: &crate::hooks::Mutation) -> Html {
    let on_end = {
        let (end, id) = (end.clone(), period.id.clone());
        Callback::from(move |_: MouseEvent| {
            end.run::<EndOutOfOffice>(EndOutOfOfficeVariables { id: id.clone() }, |data| {
                Some(match data.end_out_of_office {
                    Some(p) => format!("Out of office ended; the last day was {}", p.last_day),
                    None => "The out-of-office period is removed".to_owned(),
                })
            });
        })
    };
    let days = if period.first_day == period.last_day {
        period.first_day.clone()
    } else {
        format!("{} to {}", period.first_day, period.last_day)
    };
    html! {
        <li data-testid="ooo-period">
            <span class="cell-primary">{ days }</span>
            if let Some(note) = &period.note {
                <span class="muted">{ format!(" — {note}") }</span>
            }
            <Button kind={ButtonKind::Secondary} busy={end.busy()} onclick={on_end} testid="ooo-end">
                { "End now" }
            </Button>
        </li>
    }
}
