//! "Start now": an ad-hoc run of a standup config, outside its schedule.

use schema::ops::{StartStandupNow, StartStandupNowVariables};
use yew::prelude::*;
use yew_router::prelude::*;

use super::{Button, ButtonKind};
use crate::app::Route;
use crate::hooks::{MutationOptions, use_mutation};

#[derive(Properties, PartialEq)]
pub struct StartNowProps {
    pub config_id: String,
}

/// Opens an ad-hoc run of a config and goes to it.
#[component]
pub fn StartNowButton(props: &StartNowProps) -> Html {
    let navigator = use_navigator();
    let start = use_mutation(MutationOptions {
        toast_errors: true,
        // On to the new standup's page.
        keep_busy: true,
        ..Default::default()
    });
    let onclick = {
        let start = start.clone();
        let config_id = props.config_id.clone();
        Callback::from(move |_: MouseEvent| {
            let vars = StartStandupNowVariables {
                config_id: config_id.clone(),
            };
            let navigator = navigator.clone();
            start.run::<StartStandupNow>(vars, move |data| {
                if let Some(navigator) = navigator {
                    navigator.push(&Route::Standup {
                        id: data.start_standup_now.id,
                    });
                }
                Some("Started; participants are being asked".to_owned())
            });
        })
    };
    html! {
        <Button kind={ButtonKind::Secondary} busy={start.busy()} {onclick} testid="start-now">{ "Start now" }</Button>
    }
}
