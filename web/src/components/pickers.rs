//! Pickers of the standup forms: weekdays, time zone (with search) and a checkbox.

use schema::enums::Weekday;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// "Mon", "Tue", …
pub fn weekday_label(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Mon",
        Weekday::Tue => "Tue",
        Weekday::Wed => "Wed",
        Weekday::Thu => "Thu",
        Weekday::Fri => "Fri",
        Weekday::Sat => "Sat",
        Weekday::Sun => "Sun",
    }
}

/// "Mon–Fri", "Mon, Wed, Fri", "Every day".
pub fn weekdays_summary(days: &[Weekday]) -> String {
    let mut sorted: Vec<Weekday> = Weekday::ALL
        .iter()
        .copied()
        .filter(|d| days.contains(d))
        .collect();
    sorted.dedup();
    if sorted.len() == 7 {
        return "Every day".to_owned();
    }
    let workdays = &Weekday::ALL[..5];
    if sorted.as_slice() == workdays {
        return "Mon–Fri".to_owned();
    }
    sorted
        .iter()
        .map(|d| weekday_label(*d))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What [`weekday_picker`] shows.
pub struct WeekdayPickerProps {
    pub id: &'static str,
    pub value: Vec<Weekday>,
    pub onchange: Callback<Vec<Weekday>>,
    pub error: Option<AttrValue>,
}

/// Seven toggles in a fieldset; keyboard users tab through checkboxes.
///
/// A function, not a component: it has no state, and each component type costs the
/// bundle about 1 KB of yew lifecycle code.
pub fn weekday_picker(props: WeekdayPickerProps) -> Html {
    let error_id = format!("{}-error", props.id);
    html! {
        <fieldset class={classes!("field", "weekday-picker", props.error.is_some().then_some("has-error"))} id={props.id}
            aria-describedby={props.error.as_ref().map(|_| error_id.clone())}>
            <legend class="field-label">{ "Days" }</legend>
            <div class="toggle-group">
                { for Weekday::ALL.iter().map(|day| {
                    let checked = props.value.contains(day);
                    let onchange = {
                        let (value, cb, day) = (props.value.clone(), props.onchange.clone(), *day);
                        Callback::from(move |_: Event| {
                            let mut next: Vec<Weekday> = value.iter().copied().filter(|d| *d != day).collect();
                            if !checked {
                                next.push(day);
                            }
                            next.sort_by_key(|d| Weekday::ALL.iter().position(|x| x == d));
                            cb.emit(next);
                        })
                    };
                    let input_id = format!("{}-{}", props.id, day.as_str().to_ascii_lowercase());
                    html! {
                        <label class={classes!("toggle", checked.then_some("is-on"))} for={input_id.clone()}>
                            <input type="checkbox" id={input_id} {checked} {onchange} />
                            <span>{ weekday_label(*day) }</span>
                        </label>
                    }
                }) }
            </div>
            if let Some(error) = props.error.clone() {
                <p class="field-error" id={error_id}><span class="field-error-icon" aria-hidden="true">{ "!" }</span>{ error }</p>
            }
        </fieldset>
    }
}

#[derive(Properties, PartialEq)]
pub struct TimezoneFieldProps {
    pub id: AttrValue,
    pub value: AttrValue,
    pub oninput: Callback<String>,
    #[prop_or("Time zone".into())]
    pub label: AttrValue,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or_default]
    pub error: Option<AttrValue>,
}

/// A text field that suggests IANA zone names as you type (a native `<datalist>`).
#[component]
pub fn TimezoneField(props: &TimezoneFieldProps) -> Html {
    let list_id = format!("{}-zones", props.id);
    let oninput = {
        let cb = props.oninput.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            cb.emit(input.value());
        })
    };
    // The whole list is ~600 names; render it once per field.
    let options = use_memo((), |_| {
        schema::schedule::timezone_names()
            .map(|name| html! { <option value={name} /> })
            .collect::<Html>()
    });
    let hint_id = format!("{}-hint", props.id);
    let error_id = format!("{}-error", props.id);
    html! {
        <div class={classes!("field", props.error.is_some().then_some("has-error"))}>
            <label class="field-label" for={props.id.clone()}>{ props.label.clone() }</label>
            if let Some(hint) = props.hint.clone() {
                <p class="field-hint" id={hint_id.clone()}>{ hint }</p>
            }
            <input class="input" id={props.id.clone()} list={list_id.clone()} value={props.value.clone()}
                {oninput} autocomplete="off" spellcheck="false" placeholder="Europe/Berlin"
                aria-invalid={if props.error.is_some() { "true" } else { "false" }}
                aria-describedby={props.error.as_ref().map(|_| error_id.clone()).or(props.hint.as_ref().map(|_| hint_id.clone()))} />
            <datalist id={list_id}>{ (*options).clone() }</datalist>
            if let Some(error) = props.error.clone() {
                <p class="field-error" id={error_id} data-testid={format!("{}-error", props.id)}>
                    <span class="field-error-icon" aria-hidden="true">{ "!" }</span>{ error }
                </p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct CheckboxProps {
    pub id: AttrValue,
    pub label: AttrValue,
    pub checked: bool,
    pub onchange: Callback<bool>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or_default]
    pub disabled: bool,
    /// The id of an element that says more (e.g. why the box is disabled).
    #[prop_or_default]
    pub describedby: Option<AttrValue>,
}

#[component]
pub fn Checkbox(props: &CheckboxProps) -> Html {
    let onchange = {
        let cb = props.onchange.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            cb.emit(input.checked());
        })
    };
    html! {
        <div class="checkbox">
            <input type="checkbox" id={props.id.clone()} checked={props.checked} {onchange}
                disabled={props.disabled} aria-describedby={props.describedby.clone()} />
            <label for={props.id.clone()}>
                { props.label.clone() }
                if let Some(hint) = props.hint.clone() {
                    <span class="field-hint">{ hint }</span>
                }
            </label>
        </div>
    }
}

/// The browser's own time zone (for new teams), when it names an IANA zone.
pub fn browser_timezone() -> Option<String> {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()
        .and_then(|v| v.as_string())
        .filter(|zone| schema::schedule::check_timezone(zone).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekday_summaries_read_naturally() {
        use Weekday::*;
        assert_eq!(weekdays_summary(&[Fri, Mon, Tue, Wed, Thu]), "Mon–Fri");
        assert_eq!(weekdays_summary(Weekday::ALL), "Every day");
        assert_eq!(weekdays_summary(&[Wed, Mon]), "Mon, Wed");
    }
}
