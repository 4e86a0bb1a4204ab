//! When a standup runs: the days, the time and zone, how long answers stay open, the
//! reminder, and whether it is active.

use schema::enums::Weekday;
use yew::prelude::*;

use super::Editor;
use super::draft::Draft;
use crate::components::{Checkbox, TextField, TimezoneField, WeekdayPickerProps, weekday_picker};
use crate::format;

/// The "Schedule" card; `team_timezone` is named in the zone's hint, the "Active" switch
/// is for saved standups only.
pub fn schedule(editor: &Editor, team_timezone: &str, is_new: bool) -> Html {
    let (draft, errors) = (&editor.draft, editor.save.errors());
    html! {
        <section class="card form" aria-labelledby="schedule-title">
            <h2 id="schedule-title" class="card-title">{ "Schedule" }</h2>
            { weekday_picker(WeekdayPickerProps {
                id: "weekdays",
                value: draft.weekdays.clone(),
                onchange: editor.set("weekdays", |d: &mut Draft, days: Vec<Weekday>| d.weekdays = days),
                error: errors.field("weekdays"),
            }) }
            <div class="form-row">
                <TextField id="time-of-day" label="Time" r#type="time" value={draft.time_of_day.clone()}
                    oninput={editor.edit("timeOfDay", |d, v| d.time_of_day = v)} error={errors.field("timeOfDay")} />
                <TimezoneField id="config-timezone" value={draft.timezone.clone()}
                    oninput={editor.edit("timezone", |d, v| d.timezone = v)} error={errors.field("timezone")}
                    hint={format!("The team's is {team_timezone}.")} />
            </div>
            <div class="form-row">
                <TextField id="window" label="Open for (minutes)" r#type="number" value={draft.window.clone()}
                    oninput={editor.edit("responseWindowMinutes", |d, v| d.window = v)}
                    error={errors.field("responseWindowMinutes")} hint="15 to 10080 (7 days); answers close after this."
                    aside={draft.window.trim().parse::<u32>().ok().filter(|m| *m > 0).map(|m| html! {
                        <span class="muted" data-testid="window-readable">{ format!("= {}", format::minutes(m)) }</span>
                    })} />
                <TextField id="reminder" label="Remind before close (minutes)" r#type="number" value={draft.reminder.clone()}
                    oninput={editor.edit("reminderMinutesBefore", |d, v| d.reminder = v)}
                    error={errors.field("reminderMinutesBefore")} hint="0 for no reminder." />
            </div>
            <Checkbox id="member-local" label="Ask each person at this time in their own time zone"
                hint="People who set no zone are asked in the standup's. Each is asked on the days above that are their work days, and their window runs from their own ask."
                checked={draft.member_local} onchange={editor.flag(|d, on| d.member_local = on)} />
            if draft.member_local {
                <TextField id="digest-time" label="Digest at (optional)" r#type="time" value={draft.digest_time.clone()}
                    oninput={editor.edit("digestTime", |d, v| d.digest_time = v)} error={errors.field("digestTime")}
                    hint="In the standup's zone. Empty: when the last person's window ends." />
            }
            <Checkbox id="close-when-all-answered" label="Close as soon as everyone has answered or skipped"
                checked={draft.close_when_all_answered} onchange={editor.flag(|d, on| d.close_when_all_answered = on)} />
            if !is_new {
                <Checkbox id="active" label="Active" hint="Paused standups do not run."
                    checked={draft.active} onchange={editor.flag(|d, on| d.active = on)} />
            }
        </section>
    }
}
