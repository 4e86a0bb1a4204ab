use web_sys::HtmlElement;
use yew::prelude::*;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NoticeKind {
    /// Something worked (announced politely).
    #[default]
    Success,
    /// Something cannot go on as asked (announced at once).
    Error,
}

#[derive(Properties, PartialEq)]
pub struct NoticeProps {
    pub title: AttrValue,
    #[prop_or_default]
    pub kind: NoticeKind,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    /// The text and links under the title.
    #[prop_or_default]
    pub children: Html,
}

/// A result that replaces a form (a link sent, a password changed, a link that no longer
/// works): a titled banner that takes focus when it appears, so keyboard and screen-reader
/// users land on it. Colour is never the only signal: each kind has its own icon.
#[component]
pub fn Notice(props: &NoticeProps) -> Html {
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with((), move |_| {
            if let Some(el) = node.cast::<HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let (class, role, icon) = match props.kind {
        NoticeKind::Success => ("banner banner-success notice", "status", "✓"),
        NoticeKind::Error => ("banner banner-error notice", "alert", "!"),
    };
    html! {
        <div {class} {role} tabindex="-1" ref={node} data-testid={props.testid.clone()}>
            <span class="banner-icon" aria-hidden="true">{ icon }</span>
            <div class="banner-body">
                <p class="banner-title">{ props.title.clone() }</p>
                <div class="banner-message">{ props.children.clone() }</div>
            </div>
        </div>
    }
}
