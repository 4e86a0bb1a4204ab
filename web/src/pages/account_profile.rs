//! The account page's profile card: name, time zone (the browser's offered as a hint)
//! and work days. A MEMBER_LOCAL_TIME standup asks the person at its time of day in this
//! zone, on its weekdays that are also their work days.

use schema::enums::Weekday;
use schema::ops::{UpdateProfile, UpdateProfileInput, UpdateProfileVariables, User};
use schema::schedule::{check_timezone, check_work_days};
use schema::validation::{ValidationError, validate_person_name};
use yew::prelude::*;

use crate::components::{
    Button, ErrorBanner, TextField, TimezoneField, WeekdayPickerProps, weekday_picker,
};
use crate::hooks::{FormErrors, MutationOptions, use_mutation};

const NAME: &str = "name";
const TIMEZONE: &str = "timezone";
const WORK_DAYS: &str = "workDays";

#[derive(Properties, PartialEq)]
pub struct ProfileCardProps {
    pub user: User,
}

#[component]
pub fn ProfileCard(props: &ProfileCardProps) -> Html {
    let name = use_state(|| props.user.name.clone());
    let timezone = use_state(|| props.user.timezone.clone().unwrap_or_default());
    let work_days = use_state(|| props.user.work_days.clone());
    let browser_zone = use_memo((), |_| crate::tz::browser_zone_name());
    let save = use_mutation(MutationOptions {
        fields: &[NAME, TIMEZONE, WORK_DAYS],
        ..Default::default()
    });

    let onsubmit = {
        let (name, timezone, work_days, save) = (
            name.clone(),
            timezone.clone(),
            work_days.clone(),
            save.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let zone = timezone.trim().to_owned();
            if save.invalid(FormErrors::from_checks([
                validate_person_name(&name).err(),
                (!zone.is_empty())
                    .then(|| check_timezone(&zone).err().map(ValidationError::from))
                    .flatten(),
                check_work_days(&work_days).err().map(ValidationError::from),
            ])) {
                return;
            }
            let vars = UpdateProfileVariables {
                input: UpdateProfileInput {
                    name: name.trim().to_owned(),
                    timezone: (!zone.is_empty()).then_some(zone),
                    work_days: (*work_days).clone(),
                },
            };
            save.run::<UpdateProfile>(vars, move |_| Some("Your profile is saved.".to_owned()));
        })
    };
    let on_days = {
        let work_days = work_days.clone();
        Callback::from(move |days: Vec<Weekday>| work_days.set(days))
    };
    let on_zone = {
        let timezone = timezone.clone();
        Callback::from(move |zone: String| timezone.set(zone))
    };
    let errors = save.errors();
    let busy = save.busy();
    let hint = match browser_zone.as_ref() {
        Some(zone) => format!("Your browser's is {zone}. Empty: your teams' zones apply."),
        None => "Empty: your teams' zones apply.".to_owned(),
    };
    html! {
        <section class="card" aria-labelledby="profile-title">
            <h2 id="profile-title" class="card-title">{ "Profile" }</h2>
            <p>{ "Standups asked in each person's own time ask you at their time of day in your zone, on your work days." }</p>
            <form class="form form-narrow" ref={save.form()} {onsubmit} novalidate=true>
                if let Some(message) = errors.form() {
                    <ErrorBanner {message} />
                }
                <TextField id="profile-name" name="name" label="Name" required=true autocomplete="name"
                    value={(*name).clone()} oninput={save.input(&name, NAME)} error={errors.field(NAME)} />
                <TimezoneField id="profile-timezone" value={(*timezone).clone()} oninput={on_zone}
                    hint={hint} error={errors.field(TIMEZONE)} />
                { weekday_picker(WeekdayPickerProps {
                    id: "work-days",
                    value: (*work_days).clone(),
                    onchange: on_days,
                    error: errors.field(WORK_DAYS),
                }) }
                <div>
                    <Button r#type="submit" busy={busy} testid="save-profile">
                        { if busy { "Saving…" } else { "Save profile" } }
                    </Button>
                </div>
            </form>
        </section>
    }
}
