//! Lists that page through a connection: the first page loads like any query, "Load more"
//! appends the next one, and a change of variables or a reload starts over.

use std::cell::Cell;
use std::rc::Rc;

use schema::ops::PagedOperation;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::Load;
use crate::api::{ApiError, use_api};

/// The rows loaded so far and where the next page starts.
#[derive(Debug, PartialEq)]
pub struct Pages<T> {
    pub rows: Vec<T>,
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

/// Loads the first page of `O` when mounted and whenever the variables change.
#[hook]
pub fn use_paged_query<O>(variables: O::Variables) -> PagedHandle<O::Node>
where
    O: PagedOperation + 'static,
    O::Variables: Clone + PartialEq + 'static,
    O::Node: 'static,
{
    let client = use_api();
    let state = use_state(|| Rc::new(Load::<Pages<O::Node>>::Loading));
    let generation = use_state(|| 0u32);
    let loading_more = use_state(|| false);
    let more_error = use_state(|| None::<ApiError>);
    // Answers that arrive after a newer first-page request started are dropped.
    let latest = use_memo((), |_| Cell::new(0u64));

    {
        let (state, latest, client) = (state.clone(), latest.clone(), client.clone());
        let (loading_more, more_error) = (loading_more.clone(), more_error.clone());
        use_effect_with((variables.clone(), *generation), move |(variables, _)| {
            let ticket = latest.get() + 1;
            latest.set(ticket);
            // Keep the rows on screen during a reload; show the skeleton only at first.
            if !matches!(**state, Load::Ready(_)) {
                state.set(Rc::new(Load::Loading));
            }
            loading_more.set(false);
            more_error.set(None);
            let variables = variables.clone();
            spawn_local(async move {
                let outcome = client.run::<O>(&variables).await;
                if latest.get() != ticket {
                    return;
                }
                state.set(Rc::new(match outcome {
                    Ok(data) => {
                        let page = O::connection(data);
                        Load::Ready(Pages {
                            next: page.page_info.next_cursor(),
                            rows: page.nodes,
                        })
                    }
                    Err(err) => Load::Failed(err),
                }));
            });
        });
    }

    let load_more = {
        let (state, latest, client) = (state.clone(), latest.clone(), client.clone());
        let (loading_more, more_error) = (loading_more.clone(), more_error.clone());
        let variables = variables.clone();
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
            let next_vars = O::after(&variables, cursor);
            let (state, latest, client) = (state.clone(), latest.clone(), client.clone());
            let (loading_more, more_error) = (loading_more.clone(), more_error.clone());
            spawn_local(async move {
                let outcome = client.run::<O>(&next_vars).await;
                if latest.get() != ticket {
                    return;
                }
                match outcome {
                    Ok(data) => {
                        let page = O::connection(data);
                        if let Load::Ready(current) = &**state {
                            let mut rows = current.rows.clone();
                            rows.extend(page.nodes);
                            state.set(Rc::new(Load::Ready(Pages {
                                rows,
                                next: page.page_info.next_cursor(),
                            })));
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

    PagedHandle {
        state: (*state).clone(),
        loading_more: *loading_more,
        more_error: (*more_error).clone(),
        load_more,
        reload,
    }
}
