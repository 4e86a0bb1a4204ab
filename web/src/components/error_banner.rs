use yew::prelude::*;

use super::{Button, ButtonKind};

#[derive(Properties, PartialEq)]
pub struct ErrorBannerProps {
    pub message: AttrValue,
    #[prop_or_default]
    pub title: Option<AttrValue>,
    /// Shows a "Try again" button.
    #[prop_or_default]
    pub on_retry: Option<Callback<()>>,
}

/// An error announced to screen readers, with an optional retry.
#[component]
pub fn ErrorBanner(props: &ErrorBannerProps) -> Html {
    let retry = props.on_retry.clone().map(|cb| {
        let onclick = Callback::from(move |_: MouseEvent| cb.emit(()));
        html! {
            <Button kind={ButtonKind::Secondary} {onclick} testid="retry">{ "Try again" }</Button>
        }
    });
    html! {
        <div class="banner banner-error" role="alert" data-testid="error-banner">
            <span class="banner-icon" aria-hidden="true">{ "!" }</span>
            <div class="banner-body">
                if let Some(title) = props.title.clone() {
                    <p class="banner-title">{ title }</p>
                }
                <p class="banner-message">{ props.message.clone() }</p>
            </div>
            { retry }
        </div>
    }
}
