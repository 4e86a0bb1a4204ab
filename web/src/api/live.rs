//! Live updates: `standupEvents` over GraphQL-over-WebSocket (`graphql-transport-ws`).
//! The socket authenticates with the access token in `connection_init`; when it closes
//! (server restart, network) it reconnects after a pause, and every page that listens
//! refetches what it shows, so nothing is missed for long. The server closes it with
//! code 4401 when the access token expires: the client then refreshes the session first.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use schema::ops::{STANDUP_EVENTS, StandupEvent};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, MessageEvent, WebSocket};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::use_api;

const RECONNECT_MS: u32 = 2_000;
/// The close code of a socket whose access token expired (or did not verify).
const CLOSE_UNAUTHORIZED: u16 = 4401;

/// The WebSocket URL of the API on this origin.
fn socket_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/graphql/ws", location.host().ok()?))
}

/// One open subscription and its handlers (dropped with it).
struct Live {
    socket: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Drop for Live {
    fn drop(&mut self) {
        self.socket.set_onclose(None);
        let _ = self.socket.close();
    }
}

/// Calls `on_event` for every standup event of `team_id` while mounted; `on_event` also
/// gets `None` after a reconnect (something may have been missed: refetch).
#[hook]
pub fn use_standup_events(team_id: String, on_event: Callback<Option<StandupEvent>>) {
    let client = use_api();
    let generation = use_state(|| 0u32);
    let reconnect = {
        let generation = generation.clone();
        Callback::from(move |()| generation.set(*generation + 1))
    };
    use_effect_with((team_id, *generation), move |(team_id, attempt)| {
        let live: Rc<RefCell<Option<Live>>> = Rc::new(RefCell::new(None));
        let timer: Rc<RefCell<Option<Timeout>>> = Rc::new(RefCell::new(None));
        if *attempt > 0 {
            on_event.emit(None);
        }
        if let Some(url) = socket_url()
            && let Ok(socket) = WebSocket::new_with_str(&url, "graphql-transport-ws")
        {
            let init = serde_json::json!({
                "type": "connection_init",
                "payload": client.access_token().map(|t| serde_json::json!({ "Authorization": format!("Bearer {t}") })).unwrap_or_default(),
            })
            .to_string();
            let subscribe = serde_json::json!({
                "id": "1",
                "type": "subscribe",
                "payload": { "query": STANDUP_EVENTS, "variables": { "teamId": team_id } },
            })
            .to_string();
            let on_open = {
                let socket = socket.clone();
                Closure::<dyn FnMut()>::new(move || {
                    let _ = socket.send_with_str(&init);
                })
            };
            let on_message = {
                let socket = socket.clone();
                let on_event = on_event.clone();
                Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                    let Some(text) = e.data().as_string() else {
                        return;
                    };
                    let Some(message) = super::parse_json(&text) else {
                        return;
                    };
                    match message.get("type").and_then(|t| t.as_str()) {
                        Some("connection_ack") => {
                            let _ = socket.send_with_str(&subscribe);
                        }
                        Some("ping") => {
                            let _ = socket.send_with_str(r#"{"type":"pong"}"#);
                        }
                        Some("next") => {
                            if let Some(event) = message
                                .pointer("/payload/data/standupEvents")
                                .cloned()
                                .and_then(|v| schema::json::from_value::<StandupEvent>(v).ok())
                            {
                                on_event.emit(Some(event));
                            }
                        }
                        _ => {}
                    }
                })
            };
            let on_close = {
                let (timer, reconnect, client) = (timer.clone(), reconnect.clone(), client.clone());
                Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
                    let (timer, reconnect, client) =
                        (timer.clone(), reconnect.clone(), client.clone());
                    let expired = e.code() == CLOSE_UNAUTHORIZED;
                    spawn_local(async move {
                        // A fresh access token for the next connection_init.
                        if expired {
                            let _ = client.refresh().await;
                        }
                        *timer.borrow_mut() =
                            Some(Timeout::new(RECONNECT_MS, move || reconnect.emit(())));
                    });
                })
            };
            socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
            socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
            *live.borrow_mut() = Some(Live {
                socket,
                _on_open: on_open,
                _on_message: on_message,
                _on_close: on_close,
            });
        }
        move || {
            live.borrow_mut().take();
            timer.borrow_mut().take();
        }
    });
}
