use yew::prelude::*;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ButtonKind {
    #[default]
    Primary,
    Secondary,
    Danger,
    /// Borderless, for toolbars and menus.
    Ghost,
}

impl ButtonKind {
    fn class(self) -> &'static str {
        match self {
            ButtonKind::Primary => "btn-primary",
            ButtonKind::Secondary => "btn-secondary",
            ButtonKind::Danger => "btn-danger",
            ButtonKind::Ghost => "btn-ghost",
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct ButtonProps {
    #[prop_or_default]
    pub kind: ButtonKind,
    /// `button` (default) or `submit`.
    #[prop_or(AttrValue::Static("button"))]
    pub r#type: AttrValue,
    #[prop_or_default]
    pub disabled: bool,
    /// Busy: disabled, with a spinner and `aria-busy`.
    #[prop_or_default]
    pub busy: bool,
    #[prop_or_default]
    pub onclick: Option<Callback<MouseEvent>>,
    #[prop_or_default]
    pub id: Option<AttrValue>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or_default]
    pub full_width: bool,
    #[prop_or_default]
    pub children: Html,
}

/// A button: primary, secondary, danger or ghost; disabled and busy states.
#[component]
pub fn Button(props: &ButtonProps) -> Html {
    let class = classes!(
        "btn",
        props.kind.class(),
        props.full_width.then_some("btn-block"),
        props.busy.then_some("is-busy"),
        props.class.clone()
    );
    let onclick = props.onclick.clone().map(|cb| {
        let busy = props.busy;
        Callback::from(move |e: MouseEvent| {
            if !busy {
                cb.emit(e);
            }
        })
    });
    html! {
        <button
            type={props.r#type.clone()}
            {class}
            id={props.id.clone()}
            data-testid={props.testid.clone()}
            disabled={props.disabled || props.busy}
            aria-busy={props.busy.then_some("true")}
            {onclick}
        >
            if props.busy {
                <span class="spinner" aria-hidden="true"></span>
            }
            <span class="btn-label">{ props.children.clone() }</span>
        </button>
    }
}
