//! The account page's "API tokens" card: the viewer's personal API tokens (name, scope,
//! created, last used, expiry), a form to create one (its secret shown once, with a
//! copy button), and "Revoke" behind a confirmation.

use schema::enums::ApiTokenScope;
use schema::ops::{
    ApiToken, ApiTokens, CreateApiToken, CreateApiTokenInput, CreateApiTokenVariables, NoVariables,
    RevokeApiToken, RevokeApiTokenVariables,
};
use schema::validation::ValidationError;
use yew::prelude::*;

use crate::components::{
    Button, ButtonKind, Confirmation, Dialog, ErrorBanner, SecretField, SelectField, TextField,
    confirm_dialog,
};
use crate::format::local;
use crate::hooks::{FormErrors, Load, MutationOptions, use_mutation, use_query};

const NAME: &str = "name";
const NAME_MAX_CHARS: usize = 100;
/// Lifetimes offered, in days (the server allows up to 366).
const LIFETIMES: &[(&str, &str)] = &[("30", "30 days"), ("90", "90 days"), ("365", "1 year")];

fn scope_label(scope: ApiTokenScope) -> &'static str {
    match scope {
        ApiTokenScope::Read => "Read only",
        ApiTokenScope::ReadWrite => "Read and write",
    }
}

#[component]
pub fn ApiTokensCard() -> Html {
    let reload = use_state(|| 0u32);
    let tokens = use_query::<ApiTokens, _>(NoVariables {}, *reload);
    let name = use_state(String::new);
    let scope = use_state(|| ApiTokenScope::Read.as_str().to_owned());
    let days = use_state(|| "90".to_owned());
    let created = use_state(|| None::<String>);
    let revoking = use_state(|| None::<ApiToken>);
    let bump = {
        let reload = reload.clone();
        Callback::from(move |ok: bool| {
            if ok {
                reload.set(*reload + 1);
            }
        })
    };
    let save = use_mutation(MutationOptions {
        fields: &[NAME, "scope", "expiresAt"],
        settled: Some(bump.clone()),
        ..Default::default()
    });
    let revoke = use_mutation(MutationOptions {
        toast_errors: true,
        settled: Some(bump),
        ..Default::default()
    });

    let onsubmit = {
        let (name, scope, days, created, save) = (
            name.clone(),
            scope.clone(),
            days.clone(),
            created.clone(),
            save.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let trimmed = name.trim();
            if save.invalid(FormErrors::from_checks([if trimmed.is_empty() {
                Some(ValidationError::new(NAME, "is required"))
            } else if trimmed.chars().count() > NAME_MAX_CHARS {
                Some(ValidationError::new(
                    NAME,
                    format!("must be at most {NAME_MAX_CHARS} characters"),
                ))
            } else {
                None
            }])) {
                return;
            }
            let days: i64 = days.parse().unwrap_or(90);
            let vars = CreateApiTokenVariables {
                input: CreateApiTokenInput {
                    name: trimmed.to_owned(),
                    scope: scope.parse().unwrap_or(ApiTokenScope::Read),
                    expires_at: local::now() + chrono::Duration::days(days),
                },
            };
            let (name, created) = (name.clone(), created.clone());
            save.run::<CreateApiToken>(vars, move |data| {
                name.set(String::new());
                created.set(Some(data.create_api_token.token));
                None
            });
        })
    };
    let errors = save.errors();
    let busy = save.busy();

    let list = match &*tokens.state {
        Load::Loading => html! { <p class="muted">{ "Loading…" }</p> },
        Load::Failed(err) => html! {
            <ErrorBanner title="Your API tokens could not be loaded" message={err.user_message()} on_retry={tokens.retry.clone()} />
        },
        Load::Ready(data) if data.api_tokens.is_empty() => html! {
            <p class="muted" data-testid="tokens-empty">{ "No API tokens yet." }</p>
        },
        Load::Ready(data) => {
            let on_revoke = {
                let revoking = revoking.clone();
                Callback::from(move |token: ApiToken| revoking.set(Some(token)))
            };
            html! {
                <div class="table-wrap">
                    <table class="table" data-testid="tokens-table">
                        <thead>
                            <tr>
                                <th scope="col">{ "Name" }</th>
                                <th scope="col">{ "Access" }</th>
                                <th scope="col">{ "Created" }</th>
                                <th scope="col">{ "Last used" }</th>
                                <th scope="col">{ "Expires" }</th>
                                <th scope="col"><span class="visually-hidden">{ "Actions" }</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            { for data.api_tokens.iter().map(|t| token_row(t, &on_revoke)) }
                        </tbody>
                    </table>
                </div>
            }
        }
    };

    let secret_dialog = match &*created {
        None => Html::default(),
        Some(secret) => {
            let close = {
                let created = created.clone();
                Callback::from(move |()| created.set(None))
            };
            secret_dialog(AttrValue::from(secret.clone()), close)
        }
    };
    let revoke_dialog = match &*revoking {
        None => Html::default(),
        Some(token) => {
            let close = {
                let revoking = revoking.clone();
                Callback::from(move |()| revoking.set(None))
            };
            let confirm = {
                let (revoke, revoking, id) = (revoke.clone(), revoking.clone(), token.id.clone());
                let name = token.name.clone();
                Callback::from(move |_: MouseEvent| {
                    let (revoking, name) = (revoking.clone(), name.clone());
                    revoke.run::<RevokeApiToken>(
                        RevokeApiTokenVariables { id: id.clone() },
                        move |_| {
                            revoking.set(None);
                            Some(format!("The token \"{name}\" is revoked."))
                        },
                    );
                })
            };
            confirm_dialog(
                Confirmation {
                    title: format!("Revoke \"{}\"?", token.name),
                    text: "Scripts and tools using this token stop working now. This cannot be undone.".into(),
                    label: "Revoke token".into(),
                    kind: ButtonKind::Danger,
                    busy: revoke.busy(),
                },
                close,
                confirm,
            )
        }
    };

    let scopes = [ApiTokenScope::Read, ApiTokenScope::ReadWrite]
        .iter()
        .map(|s| {
            (
                AttrValue::from(s.as_str()),
                AttrValue::from(scope_label(*s)),
            )
        })
        .collect::<Vec<_>>();
    let lifetimes = LIFETIMES
        .iter()
        .map(|(v, l)| (AttrValue::from(*v), AttrValue::from(*l)))
        .collect::<Vec<_>>();
    let set = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |value: String| state.set(value))
    };

    html! {
        <section class="card" aria-labelledby="tokens-title">
            <h2 id="tokens-title" class="card-title">{ "API tokens" }</h2>
            <p>{ "For scripts and the asyncstand command line: a token acts as you in this organization. Send it as \"Authorization: Bearer <token>\"." }</p>
            { list }
            <form class="form form-narrow" ref={save.form()} {onsubmit} novalidate=true>
                if let Some(message) = errors.form() {
                    <ErrorBanner {message} />
                }
                <TextField id="token-name" name="name" label="Token name" required=true
                    hint="What uses it, e.g. \"laptop cli\"."
                    value={(*name).clone()} oninput={save.input(&name, NAME)} error={errors.field(NAME)} />
                <SelectField id="token-scope" label="Access" options={scopes}
                    value={AttrValue::from((*scope).clone())} onchange={set(&scope)}
                    hint="Read only tokens cannot change anything." error={errors.field("scope")} />
                <SelectField id="token-expiry" label="Expires after" options={lifetimes}
                    value={AttrValue::from((*days).clone())} onchange={set(&days)} error={errors.field("expiresAt")} />
                <div>
                    <Button r#type="submit" busy={busy} testid="token-create">
                        { if busy { "Creating…" } else { "Create token" } }
                    </Button>
                </div>
            </form>
            { secret_dialog }
            { revoke_dialog }
        </section>
    }
}

fn token_row(token: &ApiToken, on_revoke: &Callback<ApiToken>) -> Html {
    let onclick = {
        let (on_revoke, token) = (on_revoke.clone(), token.clone());
        Callback::from(move |_: MouseEvent| on_revoke.emit(token.clone()))
    };
    html! {
        <tr key={token.id.clone()} data-testid="token-row">
            <td class="cell-primary">{ &token.name }</td>
            <td>{ scope_label(token.scope) }</td>
            <td>{ local::at(token.created_at) }</td>
            <td>{ token.last_used_at.map_or_else(|| "Never".to_owned(), local::at) }</td>
            <td>{ local::at(token.expires_at) }</td>
            <td>
                <Button kind={ButtonKind::Danger} {onclick} testid="token-revoke">
                    { "Revoke" }
                </Button>
            </td>
        </tr>
    }
}

/// The new token, once: with a copy button and the warning that it is not shown again.
/// A function, not a component: it holds no state.
fn secret_dialog(secret: AttrValue, on_close: Callback<()>) -> Html {
    let done = on_close.clone();
    html! {
        <Dialog title="Your new API token" on_close={on_close} testid="token-dialog">
            <p><strong>{ "Copy it now. You won't see it again: " }</strong>{ "only a fingerprint of it is kept." }</p>
            <SecretField id="token-secret" label="API token" value={secret}
                testid="token-secret" copy_testid="copy-token" />
            <div class="dialog-actions">
                <Button onclick={Callback::from(move |_| done.emit(()))} testid="token-done">{ "Done" }</Button>
            </div>
        </Dialog>
    }
}
