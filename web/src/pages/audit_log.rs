//! `/audit-log`: who did what in the organization, newest first, for owners and admins.
//! Filters by person, action and date; pages with "Load more"; exports the filtered log
//! as CSV (streamed by the API, downloaded with the access token).

use schema::ops::{
    AuditEvent, AuditFilter, AuditLogQuery, AuditLogVariables, MemberFilter, MembersQuery,
    MembersVariables,
};
use wasm_bindgen::JsCast;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::use_title;
use crate::api::use_api;
use crate::components::{
    Button, ButtonKind, EmptyState, ErrorBanner, LoadMoreProps, SelectField, TextField, ToastKind,
    load_more, table_skeleton, use_toaster, use_viewer,
};
use crate::format;
use crate::hooks::{Load, use_paged_query, use_query};

const PAGE: i32 = 50;

/// One line for the summary JSON (`{"after":{"role":"ADMIN"},…}`), shortened.
fn summary_text(summary: &serde_json::Value) -> String {
    if summary.is_null() || summary.as_object().is_some_and(|o| o.is_empty()) {
        return String::new();
    }
    let text = summary.to_string();
    if text.chars().count() > 160 {
        let cut: String = text.chars().take(157).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// Saves `text` as a file through a temporary object URL.
fn download(name: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::new();
    parts.push(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "the browser refused to build the file".to_owned())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the browser refused to save the file".to_owned())?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let anchor = document
        .create_element("a")
        .map_err(|_| "no link element")?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| "no link element")?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

#[component]
pub fn AuditLogPage() -> Html {
    use_title("Audit log");
    let client = use_api();
    let toaster = use_toaster();
    let viewer = use_viewer();
    let actor = use_state(String::new);
    let action = use_state(String::new);
    let from = use_state(String::new);
    let to = use_state(String::new);
    let exporting = use_state(|| false);

    let filter = AuditFilter {
        actor_id: actor.parse().ok(),
        action: (!action.is_empty()).then(|| (*action).clone()),
        target_type: None,
        target_id: None,
        from: format::day_start(&from),
        // The whole "to" day counts.
        to: format::day_start(&to).map(|d| d + chrono::Duration::days(1)),
    };
    let log = use_paged_query::<AuditLogQuery>(AuditLogVariables {
        first: Some(PAGE),
        after: None,
        filter: filter.clone(),
    });
    // People to filter by: the first 100 members (the filter is for "what did Sam do").
    let people = use_query::<MembersQuery, _>(
        MembersVariables {
            first: Some(100),
            after: None,
            filter: MemberFilter::default(),
        },
        (),
    );

    let Some(viewer) = viewer else {
        return Html::default();
    };

    let set = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |v: String| state.set(v))
    };
    let mut actor_options = vec![(AttrValue::from(""), AttrValue::from("Anyone"))];
    if let Load::Ready(data) = &*people.state {
        actor_options.extend(data.members.nodes.iter().map(|m| {
            (
                AttrValue::from(m.user.id.to_string()),
                AttrValue::from(format!("{} ({})", m.user.name, m.user.email)),
            )
        }));
    }
    let mut action_options = vec![(AttrValue::from(""), AttrValue::from("Any action"))];
    action_options.extend(
        format::AUDIT_ACTIONS
            .iter()
            .map(|(code, label)| (AttrValue::from(*code), AttrValue::from(*label))),
    );
    let filtered = !actor.is_empty() || !action.is_empty() || !from.is_empty() || !to.is_empty();
    let clear = {
        let (actor, action, from, to) = (actor.clone(), action.clone(), from.clone(), to.clone());
        Callback::from(move |_: MouseEvent| {
            actor.set(String::new());
            action.set(String::new());
            from.set(String::new());
            to.set(String::new());
        })
    };

    let export = {
        let (client, toaster, exporting) = (client.clone(), toaster.clone(), exporting.clone());
        let query = filter.to_query_string();
        Callback::from(move |_: MouseEvent| {
            if *exporting {
                return;
            }
            exporting.set(true);
            let path = if query.is_empty() {
                "/audit.csv".to_owned()
            } else {
                format!("/audit.csv?{query}")
            };
            let (client, toaster, exporting) = (client.clone(), toaster.clone(), exporting.clone());
            spawn_local(async move {
                let outcome = match client.get_text(&path).await {
                    Ok(csv) => {
                        // chrono's clock is not available in the browser; the JS one is.
                        let today: String = String::from(js_sys::Date::new_0().to_iso_string())
                            .chars()
                            .take(10)
                            .collect();
                        let name = format!("audit-log-{today}.csv");
                        download(&name, &csv).map(|()| format!("Saved {name}"))
                    }
                    Err(err) => Err(err.user_message()),
                };
                if let Some(toaster) = &toaster {
                    match outcome {
                        Ok(text) => toaster.push(ToastKind::Success, text),
                        Err(text) => {
                            toaster.push(ToastKind::Error, format!("Export failed: {text}"))
                        }
                    }
                }
                exporting.set(false);
            });
        })
    };

    let body = match &*log.state {
        Load::Loading => table_skeleton("Loading the audit log…", 4),
        Load::Failed(err) => html! {
            <ErrorBanner title="The audit log could not be loaded" message={err.user_message()} on_retry={log.reload.clone()} />
        },
        Load::Ready(pages) if pages.rows.is_empty() => html! {
            <EmptyState title={if filtered { "No events match these filters" } else { "Nothing recorded yet" }} testid="audit-empty">
                <p class="muted">{ if filtered { "Widen the dates or clear the filters." } else { "Sign-ins, invitations and member changes appear here." } }</p>
            </EmptyState>
        },
        Load::Ready(pages) => html! {
            <>
                <div class="table-wrap">
                    <table class="table" data-testid="audit-table">
                        <thead>
                            <tr>
                                <th scope="col">{ "When" }</th>
                                <th scope="col">{ "Who" }</th>
                                <th scope="col">{ "What" }</th>
                                <th scope="col">{ "Details" }</th>
                            </tr>
                        </thead>
                        <tbody>
                            { for pages.rows.iter().map(audit_row) }
                        </tbody>
                    </table>
                </div>
                { load_more(LoadMoreProps {
                    more: pages.next.is_some(),
                    loading: log.loading_more,
                    error: log.more_error.clone(),
                    on_click: log.load_more.clone(),
                    shown: pages.rows.len(),
                    noun: "events",
                }) }
            </>
        },
    };

    html! {
        <>
            <header class="page-header page-header-actions">
                <div>
                    <h1 class="page-title">{ "Audit log" }</h1>
                    <p class="page-description">{ format!("Who did what in {}, newest first.", viewer.organization.name) }</p>
                </div>
                <Button kind={ButtonKind::Secondary} busy={*exporting} onclick={export} testid="export-csv">
                    { if *exporting { "Exporting…" } else { "Export CSV" } }
                </Button>
            </header>
            <section class="card" aria-label="Audit events">
                <div class="filters" role="search">
                    <SelectField id="audit-actor" label="Person" options={actor_options} value={(*actor).clone()} onchange={set(&actor)} />
                    <SelectField id="audit-action" label="Action" options={action_options} value={(*action).clone()} onchange={set(&action)} />
                    <TextField id="audit-from" label="From" r#type="date" value={(*from).clone()} oninput={set(&from)} />
                    <TextField id="audit-to" label="To" r#type="date" value={(*to).clone()} oninput={set(&to)} />
                    if filtered {
                        <div class="filters-clear">
                            <Button kind={ButtonKind::Ghost} onclick={clear} testid="clear-filters">{ "Clear filters" }</Button>
                        </div>
                    }
                </div>
                { body }
            </section>
        </>
    }
}

fn audit_row(event: &AuditEvent) -> Html {
    let who = match &event.actor {
        Some(user) => html! {
            <>
                <div class="cell-primary">{ user.name.clone() }</div>
                <div class="muted">{ user.email.clone() }</div>
            </>
        },
        None => html! { <span class="muted">{ "System" }</span> },
    };
    let target = match (&event.target_type, &event.target_id) {
        (Some(kind), Some(id)) => format!("{kind} {id}"),
        (Some(kind), None) => kind.clone(),
        _ => String::new(),
    };
    html! {
        <tr key={event.id.clone()} data-testid="audit-row" data-action={event.action.clone()}>
            <td class="cell-nowrap" title={format::timestamp(event.created_at)}>{ format::local::at(event.created_at) }</td>
            <td>{ who }</td>
            <td>
                <div class="cell-primary">{ format::audit_action(&event.action) }</div>
                <div class="muted"><code>{ event.action.clone() }</code></div>
            </td>
            <td class="cell-details">
                if !target.is_empty() { <div class="muted">{ target }</div> }
                <div><code class="summary">{ summary_text(&event.summary) }</code></div>
                if let Some(ip) = &event.ip { <div class="muted">{ format!("from {ip}") }</div> }
            </td>
        </tr>
    }
}
