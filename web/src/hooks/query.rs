//! Loading data: every async view renders the same three states.

use std::cell::Cell;
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
    pub state: Rc<Load<T>>,
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

/// Runs a query when mounted and whenever `key` or the variables change; answers that
/// arrive after a newer request started are dropped.
#[hook]
pub fn use_query<O, K>(variables: O::Variables, key: K) -> QueryHandle<O::Data>
where
    O: Operation + 'static,
    O::Variables: Clone + PartialEq + 'static,
    O::Data: 'static,
    K: PartialEq + 'static,
{
    let client = use_api();
    let state = use_state(|| Rc::new(Load::<O::Data>::Loading));
    let attempt = use_state(|| 0u32);
    let latest = use_memo((), |_| Cell::new(0u64));

    {
        let state = state.clone();
        let latest = latest.clone();
        use_effect_with((key, variables, *attempt), move |(_, variables, _)| {
            let ticket = latest.get() + 1;
            latest.set(ticket);
            state.set(Rc::new(Load::Loading));
            let variables = variables.clone();
            spawn_local(async move {
                let outcome = client.run::<O>(&variables).await;
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
    QueryHandle {
        state: (*state).clone(),
        retry,
    }
}
