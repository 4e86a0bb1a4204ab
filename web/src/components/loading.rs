//! Loading states. Functions, not components: they have no state, and each component type
//! costs the bundle about 1 KB of yew lifecycle code.

use yew::prelude::*;

/// An inline loading state.
pub fn loading(label: &'static str) -> Html {
    html! {
        <div class="loading" role="status" aria-live="polite" data-testid="loading">
            <span class="spinner" aria-hidden="true"></span>
            <span>{ label }</span>
        </div>
    }
}

/// The calm full-page state shown while the session is restored.
pub fn full_page_loading(label: &'static str) -> Html {
    html! {
        <div class="full-page-loading" role="status" aria-live="polite" data-testid="full-page-loading">
            <span class="brand-mark" aria-hidden="true"></span>
            <p class="full-page-loading-label">{ label }</p>
        </div>
    }
}
