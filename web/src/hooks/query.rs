//! Loading data: every async view renders the same three states.

use std::any::Any;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use schema::ops::Operation;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{ApiError, use_api};

/// The three states of an async view.
#[derive(Debug, PartialEq)]
pub enum Load<T> {
    Loading,
    Failed(ApiError),
    Ready(T),
}

/// What [`use_query`] returns: the state and a retry.
#[derive(Debug, PartialEq)]
pub struct QueryHandle<T> {
    pub state: Rc<Load<Rc<T>>>,
    pub retry: Callback<()>,
}

impl<T> Clone for QueryHandle<T> {
    fn clone(&self) -> Self {
        Self {
            state: self.state.clone(),
            retry: self.retry.clone(),
        }
    }
}

/// Data of any operation, as the non-generic core keeps it.
type Data = Rc<dyn Any>;
/// Runs the query once more.
type Fetch = Box<dyn Fn() -> Pin<Box<dyn Future<Output = Result<Data, ApiError>>>>>;

/// A query erased: made again whenever its key or variables change.
struct Source {
    /// Tells one key and set of variables from the next (the effect's dependency).
    id: u32,
    fetch: Fetch,
}

thread_local! {
    static NEXT_SOURCE: Cell<u32> = const { Cell::new(0) };
}

/// A number no other source of this page's lifetime has (an effect's dependency).
pub(super) fn next_source_id() -> u32 {
    NEXT_SOURCE.with(|n| {
        n.set(n.get().wrapping_add(1));
        n.get()
    })
}

/// Runs a query when mounted and whenever `key` or the variables change; answers that
/// arrive after a newer request started are dropped.
///
/// Generic only in a thin shell (how to run `O`, reading its data back); the state and
/// the effect are one non-generic copy for every query, which keeps each new query cheap
/// in the wasm bundle.
#[hook]
pub fn use_query<O, K>(variables: O::Variables, key: K) -> QueryHandle<O::Data>
where
    O: Operation + 'static,
    O::Variables: Clone + PartialEq + 'static,
    O::Data: 'static,
    K: PartialEq + 'static,
{
    let client = use_api();
    let source = use_memo((key, variables), move |(_, variables)| {
        let variables = variables.clone();
        Source {
            id: next_source_id(),
            fetch: Box::new(move || {
                let sent = client.run::<O>(&variables);
                Box::pin(async move {
                    let data: Data = Rc::new(sent.await?);
                    Ok(data)
                })
            }),
        }
    });
    let (state, retry) = use_erased_query(source);
    let state = Rc::new(match &*state {
        Load::Loading => Load::Loading,
        Load::Failed(err) => Load::Failed(err.clone()),
        Load::Ready(data) => match data.clone().downcast::<O::Data>() {
            Ok(data) => Load::Ready(data),
            Err(_) => Load::Loading,
        },
    });
    QueryHandle { state, retry }
}

/// The one copy of the loading logic, for data of any type.
#[hook]
fn use_erased_query(source: Rc<Source>) -> (Rc<Load<Data>>, Callback<()>) {
    let state = use_state(|| Rc::new(Load::<Data>::Loading));
    let attempt = use_state(|| 0u32);
    let latest = use_memo((), |_| Cell::new(0u64));

    {
        let state = state.clone();
        let latest = latest.clone();
        use_effect_with((source.id, *attempt), move |_| {
            let ticket = latest.get() + 1;
            latest.set(ticket);
            state.set(Rc::new(Load::Loading));
            let sent = (source.fetch)();
            spawn_local(async move {
                let outcome = sent.await;
                if latest.get() != ticket {
                    return;
                }
                state.set(Rc::new(match outcome {
                    Ok(data) => Load::Ready(data),
                    Err(err) => Load::Failed(err),
                }));
            });
        });
    }

    let retry = {
        let attempt = attempt.clone();
        Callback::from(move |()| attempt.set(*attempt + 1))
    };
    ((*state).clone(), retry)
}
