//! The session: restored from the refresh cookie on start, updated by the API client
//! whenever a token arrives or is refused.

use std::rc::Rc;

use schema::ops::AuthPayload;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{ApiClient, ApiError, AuthEvent};

/// Where the session stands.
#[derive(Clone, Debug, PartialEq)]
pub enum SessionState {
    /// Asking the server whether the refresh cookie still holds a session.
    Restoring,
    /// The server could not be asked; the UI offers a retry.
    Unreachable(ApiError),
    SignedOut,
    /// Signed in; the payload of the last token (user and current organization).
    SignedIn(Rc<AuthPayload>),
}

/// The session context: its state and a retry for [`SessionState::Unreachable`].
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub state: SessionState,
    pub retry: Callback<()>,
}

impl Session {
    /// The current sign-in, if any.
    pub fn auth(&self) -> Option<Rc<AuthPayload>> {
        match &self.state {
            SessionState::SignedIn(payload) => Some(payload.clone()),
            _ => None,
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct SessionProviderProps {
    #[prop_or_default]
    pub children: Html,
}

/// Owns the API client and the session; provides both as contexts.
#[component]
pub fn SessionProvider(props: &SessionProviderProps) -> Html {
    let client = use_memo((), |_| ApiClient::default());
    let state = use_state(|| SessionState::Restoring);
    let attempt = use_state(|| 0u32);

    {
        let state = state.clone();
        client.set_listener(Callback::from(move |event| match event {
            AuthEvent::SignedIn(payload) => state.set(SessionState::SignedIn(payload)),
            AuthEvent::SignedOut => state.set(SessionState::SignedOut),
        }));
    }

    {
        let client = (*client).clone();
        let state = state.clone();
        use_effect_with(*attempt, move |_| {
            spawn_local(async move {
                match client.refresh().await {
                    // The client announced the outcome through the listener.
                    Ok(_) => {}
                    Err(err) if err.is_unauthenticated() => state.set(SessionState::SignedOut),
                    Err(err) => state.set(SessionState::Unreachable(err)),
                }
            });
        });
    }

    let retry = {
        let state = state.clone();
        let attempt = attempt.clone();
        Callback::from(move |()| {
            state.set(SessionState::Restoring);
            attempt.set(*attempt + 1);
        })
    };

    let session = Session {
        state: (*state).clone(),
        retry,
    };

    html! {
        <ContextProvider<ApiClient> context={(*client).clone()}>
            <ContextProvider<Session> context={session}>
                { props.children.clone() }
            </ContextProvider<Session>>
        </ContextProvider<ApiClient>>
    }
}

/// The session of the surrounding [`SessionProvider`].
#[hook]
pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(|| Session {
        state: SessionState::SignedOut,
        retry: Callback::noop(),
    })
}
