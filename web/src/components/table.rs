//! Pieces every list page shares: the loading skeleton, the empty state and "Load more".

use yew::prelude::*;

use super::Button;
use super::button::ButtonKind;
use crate::api::ApiError;

/// Grey bars where `rows` rows will be; `label` says what is loading, for screen readers
/// ("Loading members…").
///
/// A function, not a component: it has no state, and each component type costs the
/// bundle about 1 KB of yew lifecycle code.
pub fn table_skeleton(label: &'static str, rows: usize) -> Html {
    html! {
        <div class="skeleton" role="status" aria-live="polite" data-testid="loading">
            <span class="visually-hidden">{ label }</span>
            { for (0..rows).map(|_| html! { <div class="skeleton-row" aria-hidden="true"></div> }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct EmptyStateProps {
    pub title: AttrValue,
    #[prop_or_default]
    pub children: Html,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

/// "No teams yet — Create your first team".
#[component]
pub fn EmptyState(props: &EmptyStateProps) -> Html {
    html! {
        <div class="empty-state" data-testid={props.testid.clone()}>
            <p class="empty-state-title">{ props.title.clone() }</p>
            { props.children.clone() }
        </div>
    }
}

/// What [`load_more`] shows.
pub struct LoadMoreProps {
    /// Whether another page exists.
    pub more: bool,
    pub loading: bool,
    pub error: Option<ApiError>,
    pub on_click: Callback<()>,
    /// How many rows are shown, for the footer ("12 members").
    pub shown: usize,
    /// The plural noun of the rows ("members").
    pub noun: &'static str,
}

/// The footer of a list: how many rows are shown and "Load more" while more exist.
///
/// A function, not a component: it has no state, and each component type costs the
/// bundle about 1 KB of yew lifecycle code.
pub fn load_more(props: LoadMoreProps) -> Html {
    let onclick = {
        let cb = props.on_click.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <div class="list-footer">
            <span class="muted" aria-live="polite">
                { format!(
                    "{} {}{}",
                    props.shown,
                    if props.shown == 1 { props.noun.strip_suffix('s').unwrap_or(props.noun) } else { props.noun },
                    if props.more { " shown" } else { "" }
                ) }
            </span>
            if let Some(err) = &props.error {
                <span class="field-error" role="alert">{ err.user_message() }</span>
            }
            if props.more {
                <Button kind={ButtonKind::Secondary} busy={props.loading} {onclick} testid="load-more">
                    { if props.loading { "Loading…" } else { "Load more" } }
                </Button>
            }
        </div>
    }
}
