//! The colour theme: follows `prefers-color-scheme` until the person picks one with the
//! switch; the choice is kept in localStorage (a preference, never a credential).

use yew::prelude::*;

const STORAGE_KEY: &str = "asyncstand.theme";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn other(self) -> Theme {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }
}

fn stored() -> Option<Theme> {
    let storage = web_sys::window()?.local_storage().ok()??;
    match storage.get_item(STORAGE_KEY).ok()??.as_str() {
        "light" => Some(Theme::Light),
        "dark" => Some(Theme::Dark),
        _ => None,
    }
}

fn system() -> Theme {
    let dark = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|q| q.matches());
    if dark { Theme::Dark } else { Theme::Light }
}

/// The theme in effect: the stored choice, else the system's.
pub fn current() -> Theme {
    stored().unwrap_or_else(system)
}

/// Applies the stored choice to `<html data-theme>` (none: CSS follows the system).
pub fn apply_stored() {
    if let Some(theme) = stored() {
        set_attribute(theme);
    }
}

fn set_attribute(theme: Theme) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", theme.as_str());
    }
}

/// Picks a theme explicitly and remembers it.
pub fn choose(theme: Theme) {
    set_attribute(theme);
    if let Some(Ok(Some(storage))) = web_sys::window().map(|w| w.local_storage()) {
        let _ = storage.set_item(STORAGE_KEY, theme.as_str());
    }
}

/// The theme in effect and a way to change it.
#[hook]
pub fn use_theme() -> (Theme, Callback<Theme>) {
    let theme = use_state(current);
    let set = {
        let theme = theme.clone();
        Callback::from(move |next: Theme| {
            choose(next);
            theme.set(next);
        })
    };
    (*theme, set)
}
