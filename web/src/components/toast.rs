//! Toasts for the results of actions, announced through an `aria-live` region.

use std::cell::Cell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use yew::prelude::*;

const VISIBLE_MS: u32 = 5_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Info,
    Error,
}

#[derive(Clone, Debug, PartialEq)]
struct Toast {
    id: u32,
    kind: ToastKind,
    text: AttrValue,
}

#[derive(Default, PartialEq)]
struct Toasts {
    items: Vec<Toast>,
}

enum ToastAction {
    Push(Toast),
    Dismiss(u32),
}

impl Reducible for Toasts {
    type Action = ToastAction;

    fn reduce(self: Rc<Self>, action: ToastAction) -> Rc<Self> {
        let mut items = self.items.clone();
        match action {
            ToastAction::Push(toast) => items.push(toast),
            ToastAction::Dismiss(id) => items.retain(|t| t.id != id),
        }
        Rc::new(Toasts { items })
    }
}

/// Shows toasts: `toaster.push(ToastKind::Success, "Switched to Acme")`.
#[derive(Clone, PartialEq)]
pub struct Toaster {
    dispatch: UseReducerDispatcher<Toasts>,
    next_id: Rc<Cell<u32>>,
}

impl Toaster {
    pub fn push(&self, kind: ToastKind, text: impl Into<AttrValue>) {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        self.dispatch.dispatch(ToastAction::Push(Toast {
            id,
            kind,
            text: text.into(),
        }));
        let dispatch = self.dispatch.clone();
        Timeout::new(VISIBLE_MS, move || {
            dispatch.dispatch(ToastAction::Dismiss(id))
        })
        .forget();
    }
}

#[derive(Properties, PartialEq)]
pub struct ToastProviderProps {
    #[prop_or_default]
    pub children: Html,
}

/// Provides a [`Toaster`] and renders the live region.
#[component]
pub fn ToastProvider(props: &ToastProviderProps) -> Html {
    let toasts = use_reducer(Toasts::default);
    let next_id = use_memo((), |_| Cell::new(0u32));
    let toaster = Toaster {
        dispatch: toasts.dispatcher(),
        next_id,
    };

    html! {
        <ContextProvider<Toaster> context={toaster}>
            { props.children.clone() }
            <div class="toasts" role="status" aria-live="polite" aria-atomic="false" data-testid="toasts">
                { for toasts.items.iter().map(|t| {
                    let dispatch = toasts.dispatcher();
                    let id = t.id;
                    let dismiss = Callback::from(move |_: MouseEvent| dispatch.dispatch(ToastAction::Dismiss(id)));
                    let class = match t.kind {
                        ToastKind::Success => "toast toast-success",
                        ToastKind::Info => "toast toast-info",
                        ToastKind::Error => "toast toast-error",
                    };
                    html! {
                        <div key={t.id} {class}>
                            <span class="toast-text">{ t.text.clone() }</span>
                            <button type="button" class="toast-close" aria-label="Dismiss" onclick={dismiss}>{ "×" }</button>
                        </div>
                    }
                }) }
            </div>
        </ContextProvider<Toaster>>
    }
}

/// The toaster of the surrounding [`ToastProvider`].
#[hook]
pub fn use_toaster() -> Option<Toaster> {
    use_context::<Toaster>()
}
