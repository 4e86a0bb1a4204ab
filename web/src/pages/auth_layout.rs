//! The centred card of the signed-out pages.

use yew::prelude::*;

use crate::components::ThemeSwitch;

#[derive(Properties, PartialEq)]
pub struct AuthCardProps {
    pub title: AttrValue,
    pub description: AttrValue,
    #[prop_or_default]
    pub children: Html,
    /// Below the card (links to the other signed-out pages).
    #[prop_or_default]
    pub footer: Html,
}

#[component]
pub fn AuthCard(props: &AuthCardProps) -> Html {
    html! {
        <div class="auth-page">
            <div class="auth-theme"><ThemeSwitch /></div>
            <main class="auth-main">
                <div class="auth-brand">
                    <span class="brand-mark" aria-hidden="true"></span>
                    <span class="brand-name">{ "AsyncStand" }</span>
                </div>
                <section class="card auth-card" aria-labelledby="page-title">
                    <h1 id="page-title" class="auth-title">{ props.title.clone() }</h1>
                    <p class="auth-description">{ props.description.clone() }</p>
                    { props.children.clone() }
                </section>
                <div class="auth-footer">{ props.footer.clone() }</div>
            </main>
        </div>
    }
}
