//! Settings → Slack: whether the server has Slack set up, the connected workspace and how
//! many members are matched to its people, connecting (Slack's authorize page, then back
//! here), matching members again, and disconnecting.

use schema::ops::{DisconnectSlack, NoVariables, SlackInstallUrl, SlackQuery, SyncSlackUsers};
use serde::Deserialize;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{Button, ButtonKind, ErrorBanner, Notice};
use crate::format;
use crate::hooks::{Load, MutationOptions, use_mutation, use_query};

/// What the install leaves in the query when Slack sends the browser back.
#[derive(Deserialize, Default)]
struct Returned {
    slack: Option<String>,
    reason: Option<String>,
}

#[derive(Properties, PartialEq)]
pub struct SlackCardProps {
    pub is_admin: bool,
}

#[component]
pub fn SlackCard(props: &SlackCardProps) -> Html {
    let reload = use_state(|| 0u32);
    let slack = use_query::<SlackQuery, _>(NoVariables {}, *reload);
    let returned = use_location()
        .and_then(|l| l.query::<Returned>().ok())
        .unwrap_or_default();
    let connect = use_mutation(MutationOptions {
        toast_errors: true,
        // The browser leaves for Slack.
        keep_busy: true,
        ..Default::default()
    });
    let disconnect = use_mutation(MutationOptions {
        toast_errors: true,
        settled: Some({
            let reload = reload.clone();
            Callback::from(move |_| reload.set(*reload + 1))
        }),
        ..Default::default()
    });
    let sync = use_mutation(MutationOptions {
        toast_errors: true,
        settled: Some({
            let reload = reload.clone();
            Callback::from(move |ok| {
                if ok {
                    reload.set(*reload + 1);
                }
            })
        }),
        ..Default::default()
    });
    let on_connect = {
        let connect = connect.clone();
        Callback::from(move |_: MouseEvent| {
            connect.run::<SlackInstallUrl>(NoVariables {}, |data| {
                if let Some(window) = web_sys::window() {
                    let _ = window.location().assign(&data.slack_install_url);
                }
                None
            });
        })
    };
    let on_disconnect = {
        let disconnect = disconnect.clone();
        Callback::from(move |_: MouseEvent| {
            disconnect.run::<DisconnectSlack>(NoVariables {}, |_| {
                Some("Slack is disconnected".to_owned())
            });
        })
    };

    let on_sync = {
        let sync = sync.clone();
        Callback::from(move |_: MouseEvent| {
            sync.run::<SyncSlackUsers>(NoVariables {}, |data| {
                let matched = data.sync_slack_users.matched_member_count;
                Some(format!(
                    "{matched} {} matched in Slack",
                    if matched == 1 { "member" } else { "members" }
                ))
            });
        })
    };

    let outcome = match (returned.slack.as_deref(), returned.reason) {
        (Some("connected"), _) => {
            html! { <Notice title="Slack is connected" testid="slack-returned" /> }
        }
        (Some("error"), reason) => html! {
            <ErrorBanner title="Slack was not connected" message={reason.unwrap_or_default()} />
        },
        _ => Html::default(),
    };
    let body = match &*slack.state {
        Load::Loading => html! { <p class="muted">{ "Loading…" }</p> },
        Load::Failed(err) => html! {
            <ErrorBanner title="Slack could not be loaded" message={err.user_message()} on_retry={slack.retry.clone()} />
        },
        Load::Ready(data) if !data.slack_enabled => html! {
            <p class="muted" data-testid="slack-off">
                { "Slack is not set up on this server. An operator turns it on by creating the Slack app from docs/slack-app-manifest.yaml and setting SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET (see docs/slack.md)." }
            </p>
        },
        Load::Ready(data) => match &data.organization.slack_integration {
            Some(connected) => html! {
                <>
                    <dl class="facts" data-testid="slack-connected">
                        <dt>{ "Workspace" }</dt>
                        <dd>{ connected.workspace_name.clone() }</dd>
                        <dt>{ "Connected" }</dt>
                        <dd>
                            { format::date(connected.connected_at) }
                            if let Some(by) = &connected.connected_by {
                                { format!(" by {}", if by.name.trim().is_empty() { &by.email } else { &by.name }) }
                            }
                        </dd>
                        <dt>{ "Members matched" }</dt>
                        <dd data-testid="slack-matched">
                            { format!("{} (by e-mail address)", connected.matched_member_count) }
                        </dd>
                        <dt>{ "Last matched" }</dt>
                        <dd data-testid="slack-synced">
                            { connected.users_synced_at.map(format::local::at).unwrap_or_else(|| "Not yet".to_owned()) }
                        </dd>
                    </dl>
                    if props.is_admin {
                        <div class="form-actions form-actions-start">
                            <Button kind={ButtonKind::Secondary} onclick={on_sync} busy={sync.busy()} testid="slack-sync">
                                { if sync.busy() { "Matching members…" } else { "Sync members" } }
                            </Button>
                            <Button kind={ButtonKind::Danger} onclick={on_disconnect} busy={disconnect.busy()} testid="slack-disconnect">
                                { if disconnect.busy() { "Disconnecting…" } else { "Disconnect Slack" } }
                            </Button>
                        </div>
                    }
                </>
            },
            None if props.is_admin => html! {
                <>
                    <p class="muted">{ "Connect a Slack workspace so people can get their standups in Slack." }</p>
                    <div>
                        <Button onclick={on_connect} busy={connect.busy()} testid="slack-connect">
                            { if connect.busy() { "Opening Slack…" } else { "Connect Slack" } }
                        </Button>
                    </div>
                </>
            },
            None => {
                html! { <p class="muted">{ "No Slack workspace is connected. An owner or admin connects one." }</p> }
            }
        },
    };
    html! {
        <section class="card" aria-labelledby="slack-title">
            <h2 id="slack-title" class="card-title">{ "Slack" }</h2>
            <div class="form">
                { outcome }
                { body }
            </div>
        </section>
    }
}
