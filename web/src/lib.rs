//! AsyncStand's web UI: a Yew single-page app built to wasm by `web/build.sh`.
//!
//! `pages/` (one module per route), `components/` (built once, reused), `hooks/` (session,
//! data loading, forms, theme) and `api/` (the GraphQL client behind `use_api`).

pub mod api;
pub mod app;
pub mod components;
pub mod format;
pub mod hooks;
pub mod pages;
pub mod tz;

use wasm_bindgen::prelude::wasm_bindgen;

/// Entry point, called by the wasm-bindgen glue once the module is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    hooks::theme::apply_stored();
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => {
            // Replace the static boot screen of index.html.
            root.set_inner_html("");
            yew::Renderer::<app::App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<app::App>::new().render();
        }
    }
}
