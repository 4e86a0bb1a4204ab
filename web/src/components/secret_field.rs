//! A secret shown once (a webhook signing secret, an API token): read-only, selected
//! on focus, with a "Copy" button that says "Copied" once the clipboard has it.

use yew::platform::spawn_local;
use yew::prelude::*;

use super::{Button, ButtonKind};

#[derive(Properties, PartialEq)]
pub struct SecretFieldProps {
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    /// `data-testid` of the input; the button's is `copy_testid`.
    pub testid: AttrValue,
    pub copy_testid: AttrValue,
}

#[component]
pub fn SecretField(props: &SecretFieldProps) -> Html {
    let copied = use_state(|| false);
    let copy = {
        let (value, copied) = (props.value.clone(), copied.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(window) = web_sys::window() {
                let promise = window.navigator().clipboard().write_text(&value);
                let copied = copied.clone();
                spawn_local(async move {
                    copied.set(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
                });
            }
        })
    };
    let select_all = Callback::from(|e: FocusEvent| {
        if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
            input.select();
        }
    });
    html! {
        <div class="field">
            <label class="field-label" for={props.id.clone()}>{ props.label.clone() }</label>
            <div class="input-with-action">
                <input id={props.id.clone()} class="input mono" readonly=true value={props.value.clone()}
                    onfocus={select_all} data-testid={props.testid.clone()} />
                <Button kind={ButtonKind::Secondary} onclick={copy} testid={props.copy_testid.clone()}>
                    { if *copied { "Copied" } else { "Copy" } }
                </Button>
            </div>
        </div>
    }
}
