//! Where the questions and the digest go: the web inbox, e-mail, Slack (a DM per person,
//! the digest in a channel), a signed webhook (its URL and signing secret).

use schema::enums::DeliveryChannel;
use schema::ops::{RotateWebhookSecret, RotateWebhookSecretVariables, WebhookSecret};
use yew::prelude::*;
use yew_router::prelude::*;

use super::Editor;
use super::draft::Draft;
use super::slack_channel::SlackChannelPicker;
use crate::app::Route;
use crate::components::{
    Button, ButtonKind, Checkbox, Dialog, ErrorBanner, SecretField, TextField,
};
use crate::hooks::{MutationOptions, use_mutation};

/// What the "Delivery" card shows besides the draft.
pub struct DeliveryProps {
    pub is_admin: bool,
    /// The saved webhook's host, all that members are shown of it.
    pub webhook_host: Option<String>,
    /// The saved config, when it has a webhook and so a signing secret.
    pub secret_of: Option<String>,
    /// Whether the organization has a Slack workspace connected; `None` until known.
    pub slack_connected: Option<bool>,
}

fn toggle_channel(editor: &Editor, channel: DeliveryChannel) -> Callback<bool> {
    editor.set("delivery", move |d: &mut Draft, on: bool| {
        d.delivery.retain(|c| *c != channel);
        if on {
            d.delivery.push(channel);
        }
    })
}

/// The "Delivery" card.
pub fn delivery(editor: &Editor, props: DeliveryProps) -> Html {
    let (draft, errors) = (&editor.draft, editor.save.errors());
    let DeliveryProps {
        is_admin,
        webhook_host,
        secret_of,
        slack_connected,
    } = props;
    // Without a workspace the Slack channels cannot be chosen, but one chosen before the
    // workspace went away can still be unticked.
    let slack_off = slack_connected != Some(true);
    let slack_box = |id: &'static str, label: &'static str, hint: &'static str, channel| {
        let checked = draft.delivery.contains(&channel);
        html! {
            <Checkbox {id} {label} {hint} {checked} onchange={toggle_channel(editor, channel)}
                disabled={slack_off && !checked} describedby={slack_off.then_some("slack-delivery-off")} />
        }
    };
    html! {
        <section class="card form" aria-labelledby="delivery-title">
            <h2 id="delivery-title" class="card-title">{ "Delivery" }</h2>
            <fieldset class={classes!("field", errors.field("delivery").is_some().then_some("has-error"))}>
                <legend class="field-label">{ "Questions and digest go to" }</legend>
                <Checkbox id="delivery-web" label="The web inbox" checked={draft.delivery.contains(&DeliveryChannel::Web)} onchange={toggle_channel(editor, DeliveryChannel::Web)} />
                <Checkbox id="delivery-email" label="E-mail" checked={draft.delivery.contains(&DeliveryChannel::Email)} onchange={toggle_channel(editor, DeliveryChannel::Email)} />
                { slack_box("delivery-slack-dm", "Slack DM", "Each person matched in Slack is asked in a DM; the others by e-mail.", DeliveryChannel::SlackDm) }
                { slack_box("delivery-slack-channel", "Slack channel", "The digest is posted to a channel.", DeliveryChannel::SlackChannel) }
                if slack_connected == Some(false) {
                    <p class="field-hint" id="slack-delivery-off" data-testid="slack-delivery-off">
                        { "Slack is not connected. " }
                        <Link<Route> to={Route::Settings}>{ "Connect a workspace in Settings" }</Link<Route>>
                        { " to deliver there." }
                    </p>
                }
                <Checkbox id="delivery-webhook" label="A webhook (signed JSON)" checked={draft.delivery.contains(&DeliveryChannel::Webhook)} onchange={toggle_channel(editor, DeliveryChannel::Webhook)} />
                if let Some(error) = errors.field("delivery") {
                    <p class="field-error" id="delivery-error"><span class="field-error-icon" aria-hidden="true">{ "!" }</span>{ error }</p>
                }
            </fieldset>
            if draft.delivery.contains(&DeliveryChannel::SlackChannel) {
                if is_admin && slack_connected == Some(true) {
                    <SlackChannelPicker picked={draft.slack_channel.clone()} error={errors.field("slackChannel")}
                        onpick={editor.set("slackChannel", |d: &mut Draft, c| d.slack_channel = Some(c))} />
                } else if let Some(channel) = &draft.slack_channel {
                    <p class="muted" data-testid="slack-channel-picked">
                        { format!("The digest is posted to {}.", super::slack_channel::channel_label(channel)) }
                    </p>
                }
            }
            if draft.delivery.contains(&DeliveryChannel::Webhook) && !is_admin {
                // Members are shown the host alone: the URL may carry a token.
                if let Some(host) = webhook_host {
                    <p class="muted" data-testid="webhook-host">{ format!("The digest is POSTed to {host}.") }</p>
                }
            }
            if draft.delivery.contains(&DeliveryChannel::Webhook) && is_admin {
                <TextField id="webhook-url" label="Webhook URL" r#type="url" value={draft.webhook_url.clone()}
                    oninput={editor.edit("webhookUrl", |d, v| d.webhook_url = v)} error={errors.field("webhookUrl")}
                    hint="The digest is POSTed here with an X-AsyncStand-Signature header." />
                if let Some(id) = secret_of {
                    <SigningSecret config_id={id} />
                } else {
                    <p class="muted" data-testid="signing-secret-later">{ "Save the standup with its webhook to get the signing secret receivers verify deliveries with." }</p>
                }
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct SigningSecretProps {
    config_id: String,
}

/// The webhook's signing secret: never shown again once created, so the only action is
/// "create a new one", which shows it once. Not destructive: the previous secret keeps
/// signing for a day, so no confirmation is asked.
#[component]
fn SigningSecret(props: &SigningSecretProps) -> Html {
    let shown = use_state(|| None::<WebhookSecret>);
    let rotate = use_mutation(MutationOptions::default());
    let onclick = {
        let (shown, rotate) = (shown.clone(), rotate.clone());
        let config_id = props.config_id.clone();
        Callback::from(move |_: MouseEvent| {
            let vars = RotateWebhookSecretVariables {
                config_id: config_id.clone(),
            };
            let shown = shown.clone();
            rotate.run::<RotateWebhookSecret>(vars, move |data| {
                shown.set(Some(data.rotate_webhook_secret));
                None
            });
        })
    };
    let close = {
        let shown = shown.clone();
        Callback::from(move |()| shown.set(None))
    };
    let dialog = match &*shown {
        None => Html::default(),
        Some(secret) => {
            let until = secret.previous_valid_until.map(crate::format::local::at);
            let done = close.clone();
            html! {
                <Dialog title="Your new signing secret" on_close={close} testid="secret-dialog">
                    <p>{ "Copy it to the receiver now: it is stored encrypted and will not be shown again." }</p>
                    <SecretField id="webhook-secret" label="Signing secret" value={secret.secret.clone()}
                        testid="webhook-secret" copy_testid="copy-secret" />
                    if let Some(until) = until {
                        <p class="muted" data-testid="previous-valid-until">{ format!("The previous secret also signs deliveries until {until}.") }</p>
                    }
                    <div class="dialog-actions">
                        <Button onclick={Callback::from(move |_| done.emit(()))} testid="secret-done">{ "Done" }</Button>
                    </div>
                </Dialog>
            }
        }
    };

    html! {
        <div class="field" data-testid="signing-secret">
            <span class="field-label">{ "Signing secret" }</span>
            <p class="field-hint">{ "Receivers verify the X-AsyncStand-Signature header with it (HMAC-SHA256, see the GraphQL guide). It is stored encrypted and shown once, when created; the one it replaces keeps signing for 24 hours so the receiver can switch." }</p>
            if let Some(message) = rotate.errors().form() {
                <ErrorBanner {message} />
            }
            <div>
                <Button kind={ButtonKind::Secondary} busy={rotate.busy()} {onclick} testid="rotate-secret">{ "Create a new signing secret" }</Button>
            </div>
            { dialog }
        </div>
    }
}
