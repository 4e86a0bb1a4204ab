//! The channel the digest is posted to with Slack channel delivery: a search over the
//! connected workspace's channels (`slackChannels`, asked again a moment after the last
//! keystroke), the results as radio buttons, "Load more" for the next page.

use gloo_timers::callback::Timeout;
use schema::ops::{SlackChannel, SlackChannelsQuery, SlackChannelsVariables};
use yew::prelude::*;

use crate::components::{
    EmptyState, ErrorBanner, LoadMoreProps, TextField, load_more, table_skeleton,
};
use crate::hooks::{Load, use_paged_query};

/// Channels per page.
const PAGE: i32 = 20;
/// How long typing must pause before the search is sent.
const SEARCH_DELAY_MS: u32 = 300;

/// "#general", "#design (private)".
pub fn channel_label(channel: &SlackChannel) -> String {
    if channel.is_private {
        format!("#{} (private)", channel.name)
    } else {
        format!("#{}", channel.name)
    }
}

#[derive(Properties, PartialEq)]
pub struct SlackChannelPickerProps {
    pub picked: Option<SlackChannel>,
    pub onpick: Callback<SlackChannel>,
    /// The `slackChannel` error.
    #[prop_or_default]
    pub error: Option<AttrValue>,
}

#[component]
pub fn SlackChannelPicker(props: &SlackChannelPickerProps) -> Html {
    let typed = use_state(String::new);
    // What was searched for: `typed`, once typing has paused.
    let search = use_state_eq(String::new);
    {
        let search = search.clone();
        use_effect_with((*typed).clone(), move |typed| {
            let typed = typed.trim().to_owned();
            let timer = Timeout::new(SEARCH_DELAY_MS, move || search.set(typed));
            move || drop(timer)
        });
    }
    let channels = use_paged_query::<SlackChannelsQuery>(SlackChannelsVariables {
        search: (!search.is_empty()).then(|| (*search).clone()),
        first: Some(PAGE),
        after: None,
    });

    let on_type = {
        let typed = typed.clone();
        Callback::from(move |v: String| typed.set(v))
    };
    // Enter in the search box searches at once instead of submitting the whole form.
    let on_key = {
        let (typed, search) = (typed.clone(), search.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                e.prevent_default();
                search.set(typed.trim().to_owned());
            }
        })
    };

    let results = match &*channels.state {
        Load::Loading => table_skeleton("Loading channels…", 3),
        Load::Failed(err) => html! {
            <ErrorBanner title="Slack's channels could not be loaded" message={err.user_message()} on_retry={channels.reload.clone()} />
        },
        Load::Ready(pages) if pages.rows.is_empty() => html! {
            <EmptyState title={if search.is_empty() { "No channels found".to_owned() } else { format!("No channels match “{}”", *search) }} testid="slack-channels-empty">
                <p class="muted">{ "Private channels show once the AsyncStand app is added to them in Slack." }</p>
            </EmptyState>
        },
        Load::Ready(pages) => html! {
            <>
                <fieldset class="field channel-list" data-testid="slack-channels">
                    <legend class="visually-hidden">{ "Channels" }</legend>
                    { for pages.rows.iter().map(|c| {
                        let id = format!("slack-channel-{}", c.id);
                        let onchange = {
                            let (onpick, c) = (props.onpick.clone(), c.clone());
                            Callback::from(move |_: Event| onpick.emit(c.clone()))
                        };
                        let checked = props.picked.as_ref().is_some_and(|p| p.id == c.id);
                        html! {
                            <div class="checkbox" key={c.id.clone()}>
                                <input type="radio" name="slack-channel" id={id.clone()} value={c.id.clone()} {checked} {onchange} />
                                <label for={id}>{ channel_label(c) }</label>
                            </div>
                        }
                    }) }
                </fieldset>
                { load_more(LoadMoreProps {
                    more: pages.next.is_some(),
                    loading: channels.loading_more,
                    error: channels.more_error.clone(),
                    on_click: channels.load_more.clone(),
                    shown: pages.rows.len(),
                    noun: "channels",
                }) }
            </>
        },
    };

    html! {
        <fieldset class="field" data-testid="slack-channel-picker">
            <legend class="field-label">{ "Slack channel for the digest" }</legend>
            // One shape whatever is picked: only the text changes.
            <p class="muted" data-testid="slack-channel-picked" aria-live="polite">
                { "Posted to: " }
                <strong>{ props.picked.as_ref().map_or_else(|| "no channel picked yet".to_owned(), channel_label) }</strong>
            </p>
            <div onkeydown={on_key}>
                <TextField id="slack-channel-search" label="Search channels" r#type="search" value={(*typed).clone()}
                    oninput={on_type} autocomplete="off" error={props.error.clone()} />
            </div>
            { results }
        </fieldset>
    }
}
