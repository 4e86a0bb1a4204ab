//! The answer search on a team's history page: a search box, then the matching answers
//! (snippet with the found words marked, person, date, link to the standup), narrowed by
//! the page's From, To and Person filters.

use schema::ops::{
    AnswerSearchFilter, AnswerSearchResult, SearchAnswersQuery, SearchAnswersVariables,
};
use schema::validation::{ValidationError, validate_max_chars};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::components::{Button, ButtonKind, EmptyState, ErrorBanner, TextField, table_skeleton};
use crate::hooks::{FormErrors, Load, use_paged_query};

/// The longest query the API takes.
const QUERY_MAX_CHARS: usize = 200;

#[derive(Properties, PartialEq)]
pub struct AnswerSearchProps {
    pub team_id: AttrValue,
    /// The history's filters (empty: none): dates YYYY-MM-DD, a person's id.
    pub from: AttrValue,
    pub to: AttrValue,
    pub person: AttrValue,
}

#[component]
pub fn AnswerSearch(props: &AnswerSearchProps) -> Html {
    let text = use_state(String::new);
    let submitted = use_state(|| None::<String>);
    let errors = use_state(FormErrors::default);
    let oninput = {
        let text = text.clone();
        Callback::from(move |v: String| text.set(v))
    };
    let onsubmit = {
        let (text, submitted, errors) = (text.clone(), submitted.clone(), errors.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let query = text.trim().to_owned();
            let checks = FormErrors::from_checks([
                query
                    .is_empty()
                    .then(|| ValidationError::new("query", "enter a word to search for")),
                validate_max_chars("query", &query, QUERY_MAX_CHARS).err(),
            ]);
            let invalid = !checks.is_empty();
            errors.set(checks);
            if !invalid {
                submitted.set(Some(query));
            }
        })
    };
    html! {
        <section class="card" aria-labelledby="answer-search-title">
            <h2 id="answer-search-title" class="card-title">{ "Search answers" }</h2>
            <form class="filters" role="search" {onsubmit} novalidate=true>
                <TextField id="answer-search" label="Words to find" r#type="search"
                    value={(*text).clone()} {oninput} error={errors.field("query")}
                    hint="Words, \"a phrase\", or -word to leave out. The From, To and Person filters below narrow it too." />
                <Button kind={ButtonKind::Primary} r#type="submit" id="answer-search-submit">{ "Search" }</Button>
            </form>
            if let Some(query) = &*submitted {
                <AnswerSearchResults team_id={props.team_id.clone()} query={AttrValue::from(query.clone())}
                    from={props.from.clone()} to={props.to.clone()} person={props.person.clone()} />
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ResultsProps {
    team_id: AttrValue,
    query: AttrValue,
    from: AttrValue,
    to: AttrValue,
    person: AttrValue,
}

#[component]
fn AnswerSearchResults(props: &ResultsProps) -> Html {
    let list = use_paged_query::<SearchAnswersQuery>(SearchAnswersVariables {
        query: props.query.to_string(),
        filter: AnswerSearchFilter {
            team_id: Some(props.team_id.to_string()),
            user_id: given(&props.person),
            from: given(&props.from),
            to: given(&props.to),
        },
        first: Some(20),
        after: None,
    });
    match &*list.state {
        Load::Loading => table_skeleton("Searching…", 3),
        Load::Failed(err) => html! {
            <ErrorBanner title="The search did not run" message={err.user_message()} on_retry={list.reload.clone()} />
        },
        Load::Ready(pages) if pages.rows.is_empty() => html! {
            <EmptyState title={format!("No answers match \u{201c}{}\u{201d}", props.query)} testid="search-empty" />
        },
        Load::Ready(pages) => html! {
            <>
                <ul class="standup-list" data-testid="search-results">
                    { for pages.rows.iter().map(result_row) }
                </ul>
                { list.footer("answers") }
            </>
        },
    }
}

/// A filter's value, `None` when empty.
fn given(value: &AttrValue) -> Option<String> {
    (!value.is_empty()).then(|| value.to_string())
}

fn result_row(hit: &AnswerSearchResult) -> Html {
    html! {
        <li key={format!("{}-{}-{}", hit.standup_id, hit.person.id, hit.question_id)} class="search-result">
            <p class="search-snippet">
                { for hit.snippet_parts.iter().map(|part| if part.matched {
                    html! { <mark>{ part.text.clone() }</mark> }
                } else {
                    html! { { part.text.clone() } }
                }) }
            </p>
            <p class="muted">
                { format!("{} \u{b7} {} \u{b7} ", hit.person.name, hit.question) }
                <Link<Route> to={Route::Standup { id: hit.standup_id.clone() }}>{ hit.standup_date.clone() }</Link<Route>>
            </p>
        </li>
    }
}
