//! A modal dialog on the native `<dialog>` element: `showModal()` makes the rest of the
//! page inert (focus stays inside), Escape closes it, and focus returns to where it was.

use crate::components::{Button, ButtonKind};
use wasm_bindgen::JsCast;
use web_sys::{HtmlDialogElement, HtmlElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DialogProps {
    /// The dialog's title (its accessible name).
    pub title: AttrValue,
    /// Called when the person dismisses the dialog (Escape, Cancel, the backdrop).
    pub on_close: Callback<()>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    #[prop_or_default]
    pub children: Html,
}

/// Shown while mounted: render it conditionally.
#[component]
pub fn Dialog(props: &DialogProps) -> Html {
    let node = use_node_ref();
    let title_id = use_memo((), |_| format!("dialog-title-{}", next_dialog_number()));
    {
        let node = node.clone();
        use_effect_with((), move |_| {
            let previous = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .and_then(|e| e.dyn_into::<HtmlElement>().ok());
            if let Some(dialog) = node.cast::<HtmlDialogElement>() {
                let _ = dialog.show_modal();
                // Focus the first field, else the first button.
                if let Ok(Some(first)) = dialog.query_selector(
                    "input:not([type=hidden]), select, textarea, button:not([data-dialog-close])",
                ) && let Ok(first) = first.dyn_into::<HtmlElement>()
                {
                    let _ = first.focus();
                }
            }
            move || {
                if let Some(previous) = previous {
                    let _ = previous.focus();
                }
            }
        });
    }
    // Escape fires `cancel`; keep the DOM under Yew's control by closing through props.
    let oncancel = {
        let on_close = props.on_close.clone();
        Callback::from(move |e: Event| {
            e.prevent_default();
            on_close.emit(());
        })
    };
    let onclick_close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };
    html! {
        <dialog
            class="dialog"
            ref={node}
            aria-labelledby={(*title_id).clone()}
            {oncancel}
            data-testid={props.testid.clone()}
        >
            <div class="dialog-header">
                <h2 class="dialog-title" id={(*title_id).clone()}>{ props.title.clone() }</h2>
                <button type="button" class="icon-button" aria-label="Close" data-dialog-close="true" onclick={onclick_close}>{ "×" }</button>
            </div>
            <div class="dialog-body">{ props.children.clone() }</div>
        </dialog>
    }
}

/// A number for element ids, so several dialogs never share one.
fn next_dialog_number() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// What an "are you sure?" dialog says: its title, one paragraph, and the confirm
/// button's label and look (`busy` while the action runs).
pub struct Confirmation {
    pub title: String,
    pub text: String,
    pub label: String,
    pub kind: ButtonKind,
    pub busy: bool,
}

/// The one confirmation dialog every destructive or costly action asks through: the text,
/// Cancel first (`data-testid=cancel`, focused when it opens) and the confirm button
/// (`data-testid=confirm`). A function, not a component: it holds no state.
pub fn confirm_dialog(
    c: Confirmation,
    on_cancel: Callback<()>,
    on_confirm: Callback<MouseEvent>,
) -> Html {
    let cancel = on_cancel.clone();
    html! {
        <Dialog title={c.title} on_close={on_cancel} testid="confirm-dialog">
            <p>{ c.text }</p>
            <div class="dialog-actions">
                <Button kind={ButtonKind::Secondary} onclick={Callback::from(move |_| cancel.emit(()))} testid="cancel">{ "Cancel" }</Button>
                <Button kind={c.kind} busy={c.busy} onclick={on_confirm} testid="confirm">{ c.label }</Button>
            </div>
        </Dialog>
    }
}
