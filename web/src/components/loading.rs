use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LoadingProps {
    #[prop_or(AttrValue::Static("Loading…"))]
    pub label: AttrValue,
}

/// An inline loading state.
#[component]
pub fn Loading(props: &LoadingProps) -> Html {
    html! {
        <div class="loading" role="status" aria-live="polite" data-testid="loading">
            <span class="spinner" aria-hidden="true"></span>
            <span>{ props.label.clone() }</span>
        </div>
    }
}

/// The calm full-page state shown while the session is restored.
#[component]
pub fn FullPageLoading(props: &LoadingProps) -> Html {
    html! {
        <div class="full-page-loading" role="status" aria-live="polite" data-testid="full-page-loading">
            <span class="brand-mark" aria-hidden="true"></span>
            <p class="full-page-loading-label">{ props.label.clone() }</p>
        </div>
    }
}
