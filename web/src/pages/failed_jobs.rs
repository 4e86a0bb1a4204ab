//! `/failed-jobs`: jobs that failed every attempt (an e-mail that could not be sent, a
//! webhook that kept refusing), newest first, for owners and admins; each can be run
//! again from its first attempt once its cause is fixed.

use schema::ops::{
    FailedJob, FailedJobsQuery, FailedJobsVariables, RetryFailedJob, RetryFailedJobVariables,
};
use yew::prelude::*;

use super::use_title;
use crate::components::{
    Button, ButtonKind, Confirmation, EmptyState, ErrorBanner, LoadMoreProps, confirm_dialog,
    load_more, table_skeleton,
};
use crate::format;
use crate::hooks::{Load, Mutation, MutationOptions, use_mutation, use_paged_query};

const PAGE: i32 = 50;

/// `send_welcome_email` as "Send welcome email".
pub fn job_kind_label(kind: &str) -> String {
    let words = kind.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[component]
pub fn FailedJobsPage() -> Html {
    use_title("Failed jobs");
    let list = use_paged_query::<FailedJobsQuery>(FailedJobsVariables {
        first: Some(PAGE),
        after: None,
    });
    // The job whose retry is being confirmed.
    let confirm = use_state(|| None::<FailedJob>);
    let retry = {
        let (reload, confirm) = (list.reload.clone(), confirm.clone());
        use_mutation(MutationOptions {
            toast_errors: true,
            settled: Some(Callback::from(move |_| {
                confirm.set(None);
                reload.emit(());
            })),
            ..Default::default()
        })
    };

    let body = match &*list.state {
        Load::Loading => table_skeleton("Loading failed jobs…", 3),
        Load::Failed(err) => html! {
            <ErrorBanner title="Failed jobs could not be loaded" message={err.user_message()} on_retry={list.reload.clone()} />
        },
        Load::Ready(pages) if pages.rows.is_empty() => html! {
            <EmptyState title="No failed jobs" testid="failed-jobs-empty">
                <p class="muted">{ "Every e-mail, reminder and digest went out. A job that fails every attempt shows up here." }</p>
            </EmptyState>
        },
        Load::Ready(pages) => html! {
            <>
                <div class="table-wrap">
                    <table class="table" data-testid="failed-jobs-table">
                        <thead>
                            <tr>
                                <th scope="col">{ "Job" }</th>
                                <th scope="col">{ "Last error" }</th>
                                <th scope="col">{ "Attempts" }</th>
                                <th scope="col">{ "Failed" }</th>
                                <th scope="col"><span class="visually-hidden">{ "Actions" }</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            { for pages.rows.iter().map(|job| job_row(job, &confirm)) }
                        </tbody>
                    </table>
                </div>
                { load_more(LoadMoreProps {
                    more: pages.next.is_some(),
                    loading: list.loading_more,
                    error: list.more_error.clone(),
                    on_click: list.load_more.clone(),
                    shown: pages.rows.len(),
                    noun: "failed jobs",
                }) }
            </>
        },
    };

    let dialog = match &*confirm {
        Some(job) => retry_dialog(job, &confirm, &retry),
        None => Html::default(),
    };

    html! {
        <>
            <header class="page-header">
                <h1 class="page-title">{ "Failed jobs" }</h1>
                <p class="page-description">{ "Jobs that failed every attempt. Fix the cause, then run them again." }</p>
            </header>
            <section class="card" aria-label="Failed jobs">
                { body }
            </section>
            { dialog }
        </>
    }
}

fn job_row(job: &FailedJob, confirm: &UseStateHandle<Option<FailedJob>>) -> Html {
    let ask = {
        let (confirm, job) = (confirm.clone(), job.clone());
        Callback::from(move |_: MouseEvent| confirm.set(Some(job.clone())))
    };
    let kind = job_kind_label(&job.kind);
    html! {
        <tr key={job.id.clone()} data-testid="failed-job-row" data-kind={job.kind.clone()}>
            <td>
                <div class="cell-primary">{ kind.clone() }</div>
                <div class="muted"><code>{ job.kind.clone() }</code></div>
            </td>
            <td class="cell-details"><code class="summary">{ job.error.clone() }</code></td>
            <td>{ job.attempts }</td>
            <td class="cell-nowrap" title={format::timestamp(job.failed_at)}>{ format::local::at(job.failed_at) }</td>
            <td>
                <Button kind={ButtonKind::Secondary} onclick={ask} testid="retry-job">
                    { "Retry" }
                </Button>
            </td>
        </tr>
    }
}

fn retry_dialog(
    job: &FailedJob,
    confirm: &UseStateHandle<Option<FailedJob>>,
    retry: &Mutation,
) -> Html {
    let kind = job_kind_label(&job.kind);
    let cancel = {
        let confirm = confirm.clone();
        Callback::from(move |()| confirm.set(None))
    };
    let on_retry = {
        let (retry, id, kind) = (retry.clone(), job.id.clone(), kind.clone());
        Callback::from(move |_: MouseEvent| {
            let kind = kind.clone();
            retry.run::<RetryFailedJob>(RetryFailedJobVariables { id: id.clone() }, move |_| {
                Some(format!("{kind} sent for another run"))
            });
        })
    };
    confirm_dialog(
        Confirmation {
            title: format!("Retry \"{kind}\"?"),
            text: format!(
                "The job runs again from its first attempt ({} before). If its cause is not fixed it fails again and comes back here.",
                format::count(job.attempts.max(0) as usize, "attempt")
            ),
            label: "Retry job".into(),
            kind: ButtonKind::Primary,
            busy: retry.busy(),
        },
        cancel,
        on_retry,
    )
}

#[cfg(test)]
mod tests {
    use super::job_kind_label;

    #[test]
    fn job_kinds_read_as_words() {
        assert_eq!(job_kind_label("send_welcome_email"), "Send welcome email");
        assert_eq!(job_kind_label(""), "");
    }
}
