//! A labelled `<select>` with hint and inline error, like [`super::TextField`].

use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SelectFieldProps {
    pub id: AttrValue,
    pub label: AttrValue,
    /// `(value, label)` pairs.
    pub options: Vec<(AttrValue, AttrValue)>,
    pub value: AttrValue,
    pub onchange: Callback<String>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or_default]
    pub error: Option<AttrValue>,
    #[prop_or_default]
    pub disabled: bool,
    /// Hide the label visually (it still names the control), for selects inside tables.
    #[prop_or_default]
    pub compact: bool,
}

#[component]
pub fn SelectField(props: &SelectFieldProps) -> Html {
    let onchange = {
        let cb = props.onchange.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            cb.emit(select.value());
        })
    };
    let hint_id = format!("{}-hint", props.id);
    let error_id = format!("{}-error", props.id);
    let described = [
        props.hint.as_ref().map(|_| hint_id.clone()),
        props.error.as_ref().map(|_| error_id.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    html! {
        <div class={classes!("field", props.compact.then_some("field-compact"), props.error.is_some().then_some("has-error"))}>
            <label class={classes!("field-label", props.compact.then_some("visually-hidden"))} for={props.id.clone()}>
                { props.label.clone() }
            </label>
            if let Some(hint) = props.hint.clone() {
                <p class="field-hint" id={hint_id}>{ hint }</p>
            }
            <select
                class="input select"
                id={props.id.clone()}
                disabled={props.disabled}
                {onchange}
                aria-invalid={if props.error.is_some() { "true" } else { "false" }}
                aria-describedby={(!described.is_empty()).then_some(described)}
            >
                { for props.options.iter().map(|(value, label)| html! {
                    <option value={value.clone()} selected={*value == props.value}>{ label.clone() }</option>
                }) }
            </select>
            if let Some(error) = props.error.clone() {
                <p class="field-error" id={error_id} data-testid={format!("{}-error", props.id)}>
                    <span class="field-error-icon" aria-hidden="true">{ "!" }</span>
                    { error }
                </p>
            }
        </div>
    }
}
