use yew::prelude::*;
use yew_router::prelude::*;

use super::auth_layout::AuthCard;
use super::use_title;
use crate::app::Route;

#[component]
pub fn NotFoundPage() -> Html {
    use_title("Page not found");
    let footer = html! {
        <p><Link<Route> to={Route::Home}>{ "Go to the home page" }</Link<Route>></p>
    };
    html! {
        <AuthCard title="Page not found" description="There is nothing at this address. It may have moved, or the link may be mistyped." {footer}>
            <p class="muted" data-testid="not-found">{ "Error 404" }</p>
        </AuthCard>
    }
}
