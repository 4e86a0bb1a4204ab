//! Lists that page through a connection: the first page loads like any query, "Load more"
//! appends the next one, and a change of variables or a reload starts over.
//!
//! The hook is generic only in a thin shell (how to fetch one page of `O`, how to append
//! rows); the state, the effects and the "Load more" logic are one non-generic copy for
//! every list, which keeps each new list cheap in the wasm bundle.

use std::any::Any;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use schema::ops::PagedOperation;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::Load;
use crate::api::{ApiError, use_api};

/// The rows loaded so far and where the next page starts.
#[derive(Debug, PartialEq)]
pub struct Pages<T> {
    pub rows: Rc<Vec<T>>,
    pub next: Option<String>,
}

/// What [`use_paged_query`] returns.
pub struct PagedHandle<T> {
    pub state: Rc<Load<Pages<T>>>,
    /// A "Load more" in flight.
    pub loading_more: bool,
    /// Why the last "Load more" failed, if it did.
    pub more_error: Option<ApiError>,
    pub load_more: Callback<()>,
    /// Loads the first page again (after a change, or as the retry of a failed load).
    pub reload: Callback<()>,
}

/// Rows of any type (an `Rc<Vec<T>>`), as the non-generic core keeps them.
type Rows = Rc<dyn Any>;
/// One page: its rows and where the next one starts.
type Page = Result<(Rows, Option<String>), ApiError>;
/// Fetches the page after the cursor (the first page for `None`).
type FetchPage = Box<dyn Fn(Option<String>) -> Pin<Box<dyn Future<Output = Page>>>>;

/// The list's query, erased: made again whenever the variables change.
struct Source {
    /// Tells one set of variables from the next (the effect's dependency).
    id: u32,
    fetch: FetchPage,
    /// `loaded` followed by `more`.
    append: fn(&Rows, Rows) -> Rows,
}

fn append<T: Clone + 'static>(loaded: &Rows, more: Rows) -> Rows {
    let mut rows = rows_of::<T>(loaded).as_ref().clone();
    rows.extend(rows_of::<T>(&more).iter().cloned());
    Rc::new(rows)
}

fn rows_of<T: 'static>(rows: &Rows) -> Rc<Vec<T>> {
    rows.clone()
        .downcast::<Vec<T>>()
        .unwrap_or_else(|_| Rc::new(Vec::new()))
}

/// [`Pages`] with the rows erased.
struct ErasedPages {
    rows: Rows,
    next: Option<String>,
}

/// [`PagedHandle`] with the rows erased.
struct ErasedHandle {
    state: Rc<Load<ErasedPages>>,
    loading_more: bool,
    more_error: Option<ApiError>,
    load_more: Callback<()>,
    reload: Callback<()>,
}

impl<T> PagedHandle<T> {
    /// The list's footer: how many are shown and "Load more" while another page exists.
    pub fn footer(&self, noun: &'static str) -> Html {
        let (shown, more) = match &*self.state {
            Load::Ready(pages) => (pages.rows.len(), pages.next.is_some()),
            _ => (0, false),
        };
        crate::components::load_more(crate::components::LoadMoreProps {
            more,
            loading: self.loading_more,
            error: self.more_error.clone(),
            on_click: self.load_more.clone(),
            shown,
            noun,
        })
    }
}

/// Loads the first page of `O` when mounted and whenever the variables change.
#[hook]
pub fn use_paged_query<O>(variables: O::Variables) -> PagedHandle<O::Node>
where
    O: PagedOperation + 'static,
    O::Variables: Clone + PartialEq + 'static,
    O::Node: 'static,
{
    let client = use_api();
    let source = use_memo(variables, move |variables| {
        let variables = variables.clone();
        Source {
            id: super::query::next_source_id(),
            fetch: Box::new(move |cursor| {
                let sent = match cursor {
                    None => client.run::<O>(&variables),
                    Some(cursor) => client.run::<O>(&O::after(&variables, cursor)),
                };
                Box::pin(async move {
                    let page = O::connection(sent.await?);
                    let rows: Rows = Rc::new(page.nodes);
                    Ok((rows, page.page_info.next_cursor()))
                })
            }),
            append: append::<O::Node>,
        }
    });
    let erased = use_paged(source);
    let state = Rc::new(match &*erased.state {
        Load::Loading => Load::Loading,
        Load::Failed(err) => Load::Failed(err.clone()),
        Load::Ready(pages) => Load::Ready(Pages {
            rows: rows_of(&pages.rows),
            next: pages.next.clone(),
        }),
    });
    PagedHandle {
        state,
        loading_more: erased.loading_more,
        more_error: erased.more_error,
        load_more: erased.load_more,
        reload: erased.reload,
    }
}

/// The one copy of the paging logic, for rows of any type.
#[hook]
fn use_paged(source: Rc<Source>) -> ErasedHandle {
    let state = use_state(|| Rc::new(Load::<ErasedPages>::Loading));
    let generation = use_state(|| 0u32);
    let loading_more = use_state(|| false);
    let more_error = use_state(|| None::<ApiError>);
    // Answers that arrive after a newer first-page request started are dropped.
    let latest = use_memo((), |_| Cell::new(0u64));

    {
        let (state, latest, source) = (state.clone(), latest.clone(), source.clone());
        let (loading_more, more_error) = (loading_more.clone(), more_error.clone());
        use_effect_with((source.id, *generation), move |_| {
            let ticket = latest.get() + 1;
            latest.set(ticket);
            // Keep the rows on screen during a reload; show the skeleton only at first.
            if !matches!(**state, Load::Ready(_)) {
                state.set(Rc::new(Load::Loading));
            }
            loading_more.set(false);
            more_error.set(None);
            let sent = (source.fetch)(None);
            spawn_local(async move {
                let outcome = sent.await;
                if latest.get() != ticket {
                    return;
                }
                state.set(Rc::new(match outcome {
                    Ok((rows, next)) => Load::Ready(ErasedPages { rows, next }),
                    Err(err) => Load::Failed(err),
                }));
            });
        });
    }

    let load_more = {
        let (state, latest, source) = (state.clone(), latest.clone(), source);
        let (loading_more, more_error) = (loading_more.clone(), more_error.clone());
        Callback::from(move |()| {
            let Load::Ready(pages) = &**state else {
                return;
            };
            let Some(cursor) = pages.next.clone() else {
                return;
            };
            if *loading_more {
                return;
            }
            loading_more.set(true);
            more_error.set(None);
            let ticket = latest.get();
            let sent = (source.fetch)(Some(cursor));
            let append = source.append;
            let (state, latest) = (state.clone(), latest.clone());
            let (loading_more, more_error) = (loading_more.clone(), more_error.clone());
            spawn_local(async move {
                let outcome = sent.await;
                if latest.get() != ticket {
                    return;
                }
                match outcome {
                    Ok((more, next)) => {
                        if let Load::Ready(current) = &**state {
                            let rows = append(&current.rows, more);
                            state.set(Rc::new(Load::Ready(ErasedPages { rows, next })));
                        }
                    }
                    Err(err) => more_error.set(Some(err)),
                }
                loading_more.set(false);
            });
        })
    };

    let reload = {
        let generation = generation.clone();
        Callback::from(move |()| generation.set(*generation + 1))
    };

    ErasedHandle {
        state: (*state).clone(),
        loading_more: *loading_more,
        more_error: (*more_error).clone(),
        load_more,
        reload,
    }
}
