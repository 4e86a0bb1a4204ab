//! `/answer/:token`: the one-click answer link of the standup e-mails. Works signed out
//! (the token is the proof) and on a phone: the questions, the person's own answers,
//! submit, edit or skip while the standup takes answers; a clear message when the link
//! is not valid or the standup takes no more answers.

use chrono::{DateTime, Utc};
use schema::enums::ParticipationState;
use schema::ops::{AnswerLink, AnswerLinkQuery, ErrorCode, TokenVariables};
use yew::prelude::*;
use yew_router::prelude::*;

use super::auth_layout::AuthCard;
use super::standups::{AnswerForm, AnswerTarget};
use super::use_title;
use crate::app::Route;
use crate::components::{ErrorBanner, Notice, NoticeKind, full_page_loading};
use crate::format;
use crate::hooks::{Load, use_query};

#[derive(Properties, PartialEq)]
pub struct AnswerLinkPageProps {
    pub token: AttrValue,
}

fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

#[component]
pub fn AnswerLinkPage(props: &AnswerLinkPageProps) -> Html {
    use_title("Answer your standup");
    let version = use_state(|| 0u32);
    let link = use_query::<AnswerLinkQuery, _>(
        TokenVariables {
            token: props.token.to_string(),
        },
        *version,
    );
    let invalid = html! {
        <AuthCard title="This answer link is not valid" description="Answer links work only as they came in the e-mail.">
            <Notice kind={NoticeKind::Error} title="We could not open this link" testid="answer-link-invalid">
                <p>{ "It may have been copied incompletely, or you are no longer a member of the organization. Use the newest e-mail, or sign in to answer." }</p>
            </Notice>
            <Link<Route> to={Route::MyStandups} classes="btn btn-primary btn-block">{ "Sign in to answer" }</Link<Route>>
        </AuthCard>
    };
    match &*link.state {
        Load::Loading => full_page_loading("Opening your standup…"),
        Load::Failed(err) if matches!(err.code(), Some(ErrorCode::NotFound)) => invalid,
        Load::Failed(err) => html! {
            <AuthCard title="Answer your standup" description="Something went wrong.">
                <ErrorBanner title="This standup could not be loaded" message={err.user_message()} on_retry={link.retry.clone()} />
            </AuthCard>
        },
        Load::Ready(data) => match &data.answer_link {
            None => invalid,
            Some(found) => {
                let refetch = {
                    let version = version.clone();
                    Callback::from(move |()| version.set(*version + 1))
                };
                answer_view(found, &props.token, refetch)
            }
        },
    }
}

fn answer_view(link: &AnswerLink, token: &AttrValue, refetch: Callback<()>) -> Html {
    let s = &link.standup;
    let mine = &link.participation;
    let open = now() < link.accepts_answers_until;
    let late = now() >= s.closes_at || s.closed_at.is_some();
    let description = format!("{} · {}", s.name, s.local_date);
    let state = match mine.state {
        ParticipationState::Answered => "You answered",
        ParticipationState::Skipped => "You skipped it",
        ParticipationState::Pending => "Not answered yet",
        ParticipationState::OutOfOffice => "You are out of office that day; you can still answer",
    };
    html! {
        <AuthCard title="Your standup" {description}>
            <p class="muted" data-testid="answer-link-state">
                { state }
                if mine.late { { " (late)" } }
            </p>
            if open {
                if late {
                    <Notice title="This standup has closed" testid="answer-link-late">
                        <p>{ format!("Late answers are still taken until {}; they are marked late.", format::local::at(link.accepts_answers_until)) }</p>
                    </Notice>
                } else {
                    <p class="muted">{ format!("{}.", format::local::deadline("Closes", s.closes_at, &format::local::viewer_zone())) }</p>
                }
                <AnswerForm questions={s.questions.clone()} target={AnswerTarget::Link(token.to_string())}
                    mine={mine.clone()} on_saved={refetch} />
            } else {
                <Notice kind={NoticeKind::Error} title="This standup takes no more answers" testid="answer-link-closed">
                    <p>{ format!("It stopped taking answers at {}.", format::local::at(link.accepts_answers_until)) }</p>
                </Notice>
                if !mine.answers.is_empty() {
                    <dl class="answers" data-testid="answer-link-answers">
                        { for s.questions.iter().filter_map(|q| {
                            let a = mine.answers.iter().find(|a| a.question.id == q.id)?;
                            Some(html! { <><dt>{ q.prompt.clone() }</dt><dd>{ a.text.clone() }</dd></> })
                        }) }
                    </dl>
                }
            }
        </AuthCard>
    }
}
