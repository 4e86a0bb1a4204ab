use yew::prelude::*;

use crate::hooks::theme::use_theme;

/// Switches between the light and the dark theme.
#[component]
pub fn ThemeSwitch() -> Html {
    let (theme, set) = use_theme();
    let next = theme.other();
    let label = format!("Switch to {} theme", next.as_str());
    let onclick = Callback::from(move |_: MouseEvent| set.emit(next));
    html! {
        <button
            type="button"
            class="btn btn-ghost icon-button theme-switch"
            aria-label={label.clone()}
            title={label}
            data-testid="theme-switch"
            {onclick}
        >
            <span aria-hidden="true">{ if next == crate::hooks::theme::Theme::Dark { "☾" } else { "☀" } }</span>
        </button>
    }
}
