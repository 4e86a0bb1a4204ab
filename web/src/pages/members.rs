//! `/members`: who is in the organization and what they can do. Owners and admins invite
//! people, change roles, suspend, reactivate and remove members, and manage pending
//! invitations; members see the list.

use std::rc::Rc;

use schema::enums::{MemberStatus, OrgRole};
use schema::ops::{
    ChangeMemberRole, ChangeMemberRoleVariables, InvitationStatus, InvitationVariables,
    InvitationsQuery, InvitationsVariables, InviteMember, InviteMemberInput, InviteMemberVariables,
    Member, MemberFilter, MemberVariables, MembersQuery, MembersVariables, ReactivateMember,
    RemoveMember, ResendInvitation, RevokeInvitation, SuspendMember, Viewer,
};
use schema::validation::validate_email;
use yew::prelude::*;

use super::use_title;
use crate::components::{
    Button, ButtonKind, Confirmation, Dialog, EmptyState, ErrorBanner, LoadMoreProps, SelectField,
    TextField, confirm_dialog, load_more, table_skeleton, use_viewer,
};
use crate::format;
use crate::hooks::{FormErrors, Load, MutationOptions, use_mutation, use_paged_query};

const PAGE: i32 = 50;

/// What an acting member may do to another one (the server enforces the same rules).
fn can_manage(viewer: &Viewer, member: &Member) -> bool {
    if member.user.id == viewer.user.id {
        return false;
    }
    match viewer.role {
        OrgRole::Owner => true,
        OrgRole::Admin => member.role == OrgRole::Member,
        OrgRole::Member => false,
    }
}

fn role_options(viewer_role: OrgRole) -> Vec<(AttrValue, AttrValue)> {
    OrgRole::ALL
        .iter()
        .filter(|r| viewer_role == OrgRole::Owner || **r == OrgRole::Member)
        .map(|r| {
            (
                AttrValue::from(r.as_str()),
                AttrValue::from(format::role(*r)),
            )
        })
        .collect()
}

#[component]
pub fn MembersPage() -> Html {
    use_title("Members");
    let viewer = use_viewer();
    let search = use_state(String::new);
    let role = use_state(String::new);
    let status = use_state(String::new);
    let inviting = use_state(|| false);
    let invitations_version = use_state(|| 0u32);

    let variables = MembersVariables {
        first: Some(PAGE),
        after: None,
        filter: MemberFilter {
            status: status.parse().ok(),
            role: role.parse().ok(),
            search: (!search.trim().is_empty()).then(|| search.trim().to_owned()),
        },
    };
    let members = use_paged_query::<MembersQuery>(variables);

    let Some(viewer) = viewer else {
        return Html::default();
    };
    let is_admin = viewer.role.is_admin();

    let on_search = {
        let search = search.clone();
        Callback::from(move |v: String| search.set(v))
    };
    let on_role = {
        let role = role.clone();
        Callback::from(move |v: String| role.set(v))
    };
    let on_status = {
        let status = status.clone();
        Callback::from(move |v: String| status.set(v))
    };
    let open_invite = {
        let inviting = inviting.clone();
        Callback::from(move |_: MouseEvent| inviting.set(true))
    };
    let close_invite = {
        let inviting = inviting.clone();
        Callback::from(move |()| inviting.set(false))
    };
    let invited = {
        let (inviting, version) = (inviting.clone(), invitations_version.clone());
        Callback::from(move |()| {
            inviting.set(false);
            version.set(*version + 1);
        })
    };

    let mut role_filter = vec![(AttrValue::from(""), AttrValue::from("Any role"))];
    role_filter.extend(OrgRole::ALL.iter().map(|r| {
        (
            AttrValue::from(r.as_str()),
            AttrValue::from(format::role(*r)),
        )
    }));
    let status_filter = vec![
        (AttrValue::from(""), AttrValue::from("Any status")),
        (AttrValue::from("ACTIVE"), AttrValue::from("Active")),
        (AttrValue::from("SUSPENDED"), AttrValue::from("Suspended")),
    ];
    let filtered = !search.trim().is_empty() || !role.is_empty() || !status.is_empty();

    let body = match &*members.state {
        Load::Loading => table_skeleton("Loading members…", 4),
        Load::Failed(err) => html! {
            <ErrorBanner title="Members could not be loaded" message={err.user_message()} on_retry={members.reload.clone()} />
        },
        Load::Ready(pages) if pages.rows.is_empty() => html! {
            <EmptyState title={if filtered { "No members match these filters" } else { "No members yet" }} testid="members-empty">
                if filtered {
                    <p class="muted">{ "Clear the search or pick another role or status." }</p>
                }
            </EmptyState>
        },
        Load::Ready(pages) => html! {
            <>
                <div class="table-wrap">
                    <table class="table" data-testid="members-table">
                        <thead>
                            <tr>
                                <th scope="col">{ "Member" }</th>
                                <th scope="col">{ "Role" }</th>
                                <th scope="col">{ "Status" }</th>
                                <th scope="col">{ "Joined" }</th>
                                if is_admin { <th scope="col"><span class="visually-hidden">{ "Actions" }</span></th> }
                            </tr>
                        </thead>
                        <tbody>
                            { for pages.rows.iter().map(|m| html! {
                                <MemberRow
                                    key={m.user.id.to_string()}
                                    member={m.clone()}
                                    viewer={viewer.clone()}
                                    on_changed={members.reload.clone()}
                                />
                            }) }
                        </tbody>
                    </table>
                </div>
                { load_more(LoadMoreProps {
                    more: pages.next.is_some(),
                    loading: members.loading_more,
                    error: members.more_error.clone(),
                    on_click: members.load_more.clone(),
                    shown: pages.rows.len(),
                    noun: "members",
                }) }
            </>
        },
    };

    html! {
        <>
            <header class="page-header page-header-actions">
                <div>
                    <h1 class="page-title">{ "Members" }</h1>
                    <p class="page-description">{ format!("People in {} and what they can do.", viewer.organization.name) }</p>
                </div>
                if is_admin {
                    <Button onclick={open_invite} testid="invite-open">{ "Invite people" }</Button>
                }
            </header>
            <section class="card" aria-label="Members">
                <div class="filters" role="search">
                    <TextField id="member-search" label="Search" value={(*search).clone()} oninput={on_search}
                        r#type="search" hint="Name or e-mail" />
                    <SelectField id="member-role" label="Role" options={role_filter} value={(*role).clone()} onchange={on_role} />
                    <SelectField id="member-status" label="Status" options={status_filter} value={(*status).clone()} onchange={on_status} />
                </div>
                { body }
            </section>
            if is_admin {
                <PendingInvitations version={*invitations_version} viewer_role={viewer.role} />
            }
            if *inviting {
                <InviteDialog viewer_role={viewer.role} on_close={close_invite} on_invited={invited} />
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct MemberRowProps {
    member: Member,
    viewer: Rc<Viewer>,
    on_changed: Callback<()>,
}

/// What a confirmation dialog of a member row is about.
#[derive(Clone, Copy, PartialEq)]
enum Confirm {
    Suspend,
    Remove,
}

#[component]
fn MemberRow(props: &MemberRowProps) -> Html {
    let confirm = use_state(|| None::<Confirm>);
    let action = use_mutation(MutationOptions {
        toast_errors: true,
        settled: Some({
            let (confirm, done) = (confirm.clone(), props.on_changed.clone());
            Callback::from(move |_| {
                confirm.set(None);
                done.emit(());
            })
        }),
        ..Default::default()
    });
    let m = &props.member;
    let is_admin = props.viewer.role.is_admin();
    let manage = can_manage(&props.viewer, m);
    let name = m.user.name.clone();
    let user_id = m.user.id;

    let on_role = {
        let action = action.clone();
        let name = name.clone();
        Callback::from(move |value: String| {
            let Ok(role) = value.parse::<OrgRole>() else {
                return;
            };
            let name = name.clone();
            action.run::<ChangeMemberRole>(
                ChangeMemberRoleVariables { user_id, role },
                move |_| {
                    Some(format!(
                        "{name} is now {}",
                        format::role(role).to_ascii_lowercase()
                    ))
                },
            );
        })
    };

    let ask = |what: Confirm| {
        let confirm = confirm.clone();
        Callback::from(move |_: MouseEvent| confirm.set(Some(what)))
    };
    let cancel = {
        let confirm = confirm.clone();
        Callback::from(move |()| confirm.set(None))
    };
    let act = |what: Option<Confirm>| {
        let (action, name) = (action.clone(), name.clone());
        let vars = MemberVariables { user_id };
        Callback::from(move |_: MouseEvent| {
            let name = name.clone();
            match what {
                Some(Confirm::Remove) => action.run::<RemoveMember>(vars.clone(), move |_| {
                    Some(format!("{name} was removed"))
                }),
                Some(Confirm::Suspend) => action.run::<SuspendMember>(vars.clone(), move |_| {
                    Some(format!("{name} is suspended and signed out"))
                }),
                None => action.run::<ReactivateMember>(vars.clone(), move |_| {
                    Some(format!("{name} can sign in again"))
                }),
            }
        })
    };

    let org = props.viewer.organization.name.clone();
    let dialog = match *confirm {
        Some(Confirm::Remove) => confirm_dialog(
            Confirmation {
                title: format!("Remove {name} from {org}?"),
                text: format!(
                    "{name} loses access to {org} at once and leaves its teams. Their past answers stay. You can invite them again later."
                ),
                label: format!("Remove {name}"),
                kind: ButtonKind::Danger,
                busy: action.busy(),
            },
            cancel.clone(),
            act(Some(Confirm::Remove)),
        ),
        Some(Confirm::Suspend) => confirm_dialog(
            Confirmation {
                title: format!("Suspend {name}?"),
                text: format!(
                    "{name} is signed out of {org} now and cannot sign in to it until reactivated."
                ),
                label: format!("Suspend {name}"),
                kind: ButtonKind::Danger,
                busy: action.busy(),
            },
            cancel.clone(),
            act(Some(Confirm::Suspend)),
        ),
        None => Html::default(),
    };

    let role_cell = if manage && props.viewer.role == OrgRole::Owner {
        html! {
            <SelectField
                id={format!("role-{user_id}")} label={format!("Role of {name}")} compact=true
                options={role_options(OrgRole::Owner)} value={m.role.as_str()}
                onchange={on_role} disabled={action.busy()}
            />
        }
    } else {
        html! { <span class="badge" data-testid="member-role">{ format::role(m.role) }</span> }
    };
    let suspended = m.status == MemberStatus::Suspended;

    html! {
        <tr data-testid="member-row" data-email={m.user.email.clone()}>
            <td>
                <div class="cell-primary">
                    { m.user.name.clone() }
                    if m.slack_matched {
                        <span class="badge badge-muted" data-testid="member-slack" title="Matched to a Slack user by e-mail">
                            <span class="visually-hidden">{ "Matched in " }</span>{ "Slack" }
                        </span>
                    }
                </div>
                <div class="muted">{ m.user.email.clone() }</div>
            </td>
            <td>{ role_cell }</td>
            <td>
                <span class={classes!("status", suspended.then_some("status-warning"))} data-testid="member-status">
                    { if suspended { "⏸ " } else { "● " } }{ format::member_status(m.status) }
                </span>
            </td>
            <td>{ format::date(m.joined_at) }</td>
            if is_admin {
                <td class="cell-actions">
                    if manage {
                        if suspended {
                            <Button kind={ButtonKind::Secondary} busy={action.busy()} onclick={act(None)} testid="reactivate">{ "Reactivate" }</Button>
                        } else {
                            <Button kind={ButtonKind::Secondary} onclick={ask(Confirm::Suspend)} testid="suspend">{ "Suspend" }</Button>
                        }
                        <Button kind={ButtonKind::Danger} onclick={ask(Confirm::Remove)} testid="remove">{ "Remove" }</Button>
                    }
                </td>
            }
            { dialog }
        </tr>
    }
}

#[derive(Properties, PartialEq)]
struct InviteDialogProps {
    viewer_role: OrgRole,
    on_close: Callback<()>,
    on_invited: Callback<()>,
}

#[component]
fn InviteDialog(props: &InviteDialogProps) -> Html {
    let email = use_state(String::new);
    let role = use_state(|| OrgRole::Member.as_str().to_owned());
    let save = use_mutation(MutationOptions {
        fields: &["email", "role"],
        ..Default::default()
    });

    let on_role = {
        let role = role.clone();
        Callback::from(move |v: String| role.set(v))
    };
    let onsubmit = {
        let (email, role, save, done) = (
            email.clone(),
            role.clone(),
            save.clone(),
            props.on_invited.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if save.invalid(FormErrors::from_checks([validate_email(&email).err()])) {
                return;
            }
            let Ok(role) = role.parse::<OrgRole>() else {
                return;
            };
            let address = email.trim().to_owned();
            let vars = InviteMemberVariables {
                input: InviteMemberInput {
                    email: address.clone(),
                    role,
                },
            };
            let done = done.clone();
            save.run::<InviteMember>(vars, move |_| {
                done.emit(());
                Some(format!("Invitation sent to {address}"))
            });
        })
    };
    let cancel = {
        let c = props.on_close.clone();
        Callback::from(move |_: MouseEvent| c.emit(()))
    };

    html! {
        <Dialog title="Invite people" on_close={props.on_close.clone()} testid="invite-dialog">
            <form class="form" ref={save.form()} {onsubmit} novalidate=true>
                if let Some(message) = save.errors().form() {
                    <ErrorBanner {message} />
                }
                <TextField id="invite-email" name="email" label="E-mail" r#type="email" required=true
                    autocomplete="off" value={(*email).clone()} oninput={save.input(&email, "email")} error={save.errors().field("email")}
                    hint="They get a link that works for 7 days." />
                <SelectField id="invite-role" label="Role" options={role_options(props.viewer_role)}
                    value={(*role).clone()} onchange={on_role} error={save.errors().field("role")}
                    hint="Admins manage members and teams; owners also manage admins." />
                <div class="dialog-actions">
                    <Button kind={ButtonKind::Secondary} onclick={cancel}>{ "Cancel" }</Button>
                    <Button r#type="submit" busy={save.busy()} testid="invite-submit">
                        { if save.busy() { "Sending…" } else { "Send invitation" } }
                    </Button>
                </div>
            </form>
        </Dialog>
    }
}

/// What an invitation's action ends with, whatever its outcome: `state` (what was acted
/// on) is forgotten and the list loaded again.
fn clear_and_reload<T: 'static>(
    state: &UseStateHandle<Option<T>>,
    reload: &Callback<()>,
) -> Callback<bool> {
    let (state, reload) = (state.clone(), reload.clone());
    Callback::from(move |_| {
        state.set(None);
        reload.emit(());
    })
}

#[derive(Properties, PartialEq)]
struct PendingInvitationsProps {
    /// Bumped after an invitation is sent, to load the list again.
    version: u32,
    viewer_role: OrgRole,
}

#[component]
fn PendingInvitations(props: &PendingInvitationsProps) -> Html {
    let invitations = use_paged_query::<InvitationsQuery>(InvitationsVariables {
        first: Some(PAGE),
        after: None,
    });
    let revoking = use_state(|| None::<(String, String)>);
    // The invitation whose link is being sent again.
    let resending = use_state(|| None::<String>);
    {
        let reload = invitations.reload.clone();
        use_effect_with(props.version, move |version| {
            if *version > 0 {
                reload.emit(());
            }
        });
    }
    let resend = use_mutation(MutationOptions {
        toast_errors: true,
        settled: Some(clear_and_reload(&resending, &invitations.reload)),
        ..Default::default()
    });
    let revoke = use_mutation(MutationOptions {
        toast_errors: true,
        settled: Some(clear_and_reload(&revoking, &invitations.reload)),
        ..Default::default()
    });

    let on_resend = |id: String, email: String| {
        let (resend, resending) = (resend.clone(), resending.clone());
        Callback::from(move |_: MouseEvent| {
            resending.set(Some(id.clone()));
            let email = email.clone();
            resend.run::<ResendInvitation>(InvitationVariables { id: id.clone() }, move |_| {
                Some(format!("A new link is on its way to {email}"))
            });
        })
    };
    let on_revoke = {
        let (revoke, revoking) = (revoke.clone(), revoking.clone());
        Callback::from(move |_: MouseEvent| {
            let Some((id, email)) = (*revoking).clone() else {
                return;
            };
            revoke.run::<RevokeInvitation>(InvitationVariables { id }, move |_| {
                Some(format!("The invitation for {email} no longer works"))
            });
        })
    };
    let cancel_revoke = {
        let revoking = revoking.clone();
        Callback::from(move |()| revoking.set(None))
    };

    let body = match &*invitations.state {
        Load::Loading => table_skeleton("Loading invitations…", 2),
        Load::Failed(err) => html! {
            <ErrorBanner title="Invitations could not be loaded" message={err.user_message()} on_retry={invitations.reload.clone()} />
        },
        Load::Ready(pages) if pages.rows.is_empty() => html! {
            <EmptyState title="No pending invitations" testid="invitations-empty">
                <p class="muted">{ "Invite people with the button at the top." }</p>
            </EmptyState>
        },
        Load::Ready(pages) => html! {
            <>
                <div class="table-wrap">
                    <table class="table" data-testid="invitations-table">
                        <thead>
                            <tr>
                                <th scope="col">{ "E-mail" }</th>
                                <th scope="col">{ "Role" }</th>
                                <th scope="col">{ "Status" }</th>
                                <th scope="col">{ "Link expires" }</th>
                                <th scope="col"><span class="visually-hidden">{ "Actions" }</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            { for pages.rows.iter().map(|i| {
                                let expired = i.status == InvitationStatus::Expired;
                                let may = props.viewer_role == OrgRole::Owner || i.role == OrgRole::Member;
                                let ask_revoke = {
                                    let revoking = revoking.clone();
                                    let pair = (i.id.clone(), i.email.clone());
                                    Callback::from(move |_: MouseEvent| revoking.set(Some(pair.clone())))
                                };
                                html! {
                                    <tr key={i.id.clone()} data-testid="invitation-row" data-email={i.email.clone()}>
                                        <td class="cell-primary">{ i.email.clone() }</td>
                                        <td><span class="badge">{ format::role(i.role) }</span></td>
                                        <td>
                                            <span class={classes!("status", expired.then_some("status-warning"))}>
                                                { if expired { "⏸ Expired" } else { "● Pending" } }
                                            </span>
                                        </td>
                                        <td>{ format::date(i.expires_at) }</td>
                                        <td class="cell-actions">
                                            if may {
                                                <Button kind={ButtonKind::Secondary} busy={resending.as_deref() == Some(i.id.as_str())}
                                                    disabled={resend.busy()}
                                                    onclick={on_resend(i.id.clone(), i.email.clone())} testid="resend">
                                                    { if expired { "Send a new link" } else { "Resend" } }
                                                </Button>
                                                <Button kind={ButtonKind::Danger} onclick={ask_revoke} testid="revoke">{ "Revoke" }</Button>
                                            }
                                        </td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                </div>
                { load_more(LoadMoreProps {
                    more: pages.next.is_some(),
                    loading: invitations.loading_more,
                    error: invitations.more_error.clone(),
                    on_click: invitations.load_more.clone(),
                    shown: pages.rows.len(),
                    noun: "invitations",
                }) }
            </>
        },
    };

    html! {
        <section class="card" aria-labelledby="invitations-title">
            <h2 id="invitations-title" class="card-title">{ "Pending invitations" }</h2>
            { body }
            if let Some((_, email)) = (*revoking).clone() {
                { confirm_dialog(
                    Confirmation {
                        title: format!("Revoke the invitation for {email}?"),
                        text: "The link in their e-mail stops working at once. You can invite them again later.".into(),
                        label: "Revoke invitation".into(),
                        kind: ButtonKind::Danger,
                        busy: revoke.busy(),
                    },
                    cancel_revoke,
                    on_revoke,
                ) }
            }
        </section>
    }
}
