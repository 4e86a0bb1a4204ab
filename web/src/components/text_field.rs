use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TextFieldProps {
    /// The input's id; the hint and error get `{id}-hint` and `{id}-error`.
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    pub oninput: Callback<String>,
    /// `text`, `email`, `password`, ...
    #[prop_or(AttrValue::Static("text"))]
    pub r#type: AttrValue,
    #[prop_or_default]
    pub name: Option<AttrValue>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or_default]
    pub error: Option<AttrValue>,
    #[prop_or_default]
    pub autocomplete: Option<AttrValue>,
    #[prop_or_default]
    pub required: bool,
    #[prop_or_default]
    pub disabled: bool,
    #[prop_or_default]
    pub input_ref: NodeRef,
    /// Shown on the label's line, at the end (e.g. a "Forgot password?" link). It comes
    /// after the input in the document, so the tab order stays field by field.
    #[prop_or_default]
    pub aside: Option<Html>,
}

/// A labelled text input with an optional hint and an inline error, wired for screen
/// readers with `aria-invalid` and `aria-describedby`.
#[component]
pub fn TextField(props: &TextFieldProps) -> Html {
    let hint_id = format!("{}-hint", props.id);
    let error_id = format!("{}-error", props.id);
    let described_by: Vec<&str> = [
        props.hint.as_ref().map(|_| hint_id.as_str()),
        props.error.as_ref().map(|_| error_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let described_by = (!described_by.is_empty()).then(|| described_by.join(" "));

    let oninput = {
        let cb = props.oninput.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            cb.emit(input.value());
        })
    };

    html! {
        <div class={classes!(
            "field",
            props.error.is_some().then_some("has-error"),
            props.aside.is_some().then_some("has-aside"),
        )}>
            <label class="field-label" for={props.id.clone()}>
                { props.label.clone() }
                if props.required {
                    <span class="field-required" aria-hidden="true">{ " *" }</span>
                }
            </label>
            if let Some(hint) = props.hint.clone() {
                <p class="field-hint" id={hint_id.clone()}>{ hint }</p>
            }
            <input
                class="input"
                id={props.id.clone()}
                name={props.name.clone().unwrap_or_else(|| props.id.clone())}
                type={props.r#type.clone()}
                value={props.value.clone()}
                autocomplete={props.autocomplete.clone()}
                required={props.required}
                disabled={props.disabled}
                aria-invalid={if props.error.is_some() { "true" } else { "false" }}
                aria-describedby={described_by}
                ref={props.input_ref.clone()}
                {oninput}
            />
            if let Some(aside) = props.aside.clone() {
                <div class="field-aside">{ aside }</div>
            }
            if let Some(error) = props.error.clone() {
                <p class="field-error" id={error_id} data-testid={format!("{}-error", props.id)}>
                    <span class="field-error-icon" aria-hidden="true">{ "!" }</span>
                    { error }
                </p>
            }
        </div>
    }
}
