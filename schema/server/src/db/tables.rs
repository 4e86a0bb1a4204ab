// @generated-shape: kept in step with schema/server/migrations by hand and by the migrations test.

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        timezone -> Nullable<Text>,
        work_days -> Array<Text>,
    }
}

diesel::table! {
    organizations (id) {
        id -> Uuid,
        name -> Text,
        slug -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    memberships (org_id, user_id) {
        org_id -> Uuid,
        user_id -> Uuid,
        role -> Text,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    sessions (id) {
        id -> Uuid,
        user_id -> Uuid,
        org_id -> Uuid,
        created_at -> Timestamptz,
        last_used_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Bytea,
        session_id -> Uuid,
        created_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Int8,
        org_id -> Nullable<Uuid>,
        actor_id -> Nullable<Uuid>,
        action -> Text,
        target_type -> Nullable<Text>,
        target_id -> Nullable<Text>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        request_id -> Nullable<Text>,
        summary -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    outbox (id) {
        id -> Uuid,
        org_id -> Nullable<Uuid>,
        kind -> Text,
        payload -> Jsonb,
        created_at -> Timestamptz,
        attempts -> Int4,
        sent_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        window_start -> Timestamptz,
        count -> Int4,
    }
}

diesel::joinable!(memberships -> organizations (org_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));

diesel::table! {
    processed_jobs (job_id) {
        job_id -> Uuid,
        kind -> Text,
        processed_at -> Timestamptz,
    }
}

diesel::table! {
    welcome_emails (email_sha256) {
        email_sha256 -> Bytea,
        job_id -> Uuid,
        sent_at -> Timestamptz,
    }
}

diesel::table! {
    failed_jobs (id) {
        id -> Uuid,
        org_id -> Nullable<Uuid>,
        kind -> Text,
        envelope -> Jsonb,
        error -> Text,
        attempts -> Int4,
        failed_at -> Timestamptz,
        retried_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    password_resets (token_hash) {
        token_hash -> Bytea,
        user_id -> Uuid,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(password_resets -> users (user_id));

diesel::table! {
    invitations (id) {
        id -> Uuid,
        org_id -> Uuid,
        email -> Text,
        role -> Text,
        invited_by -> Nullable<Uuid>,
        token_hash -> Nullable<Bytea>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
        accepted_at -> Nullable<Timestamptz>,
        accepted_by -> Nullable<Uuid>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(invitations -> organizations (org_id));

diesel::table! {
    teams (id) {
        id -> Uuid,
        org_id -> Uuid,
        name -> Text,
        timezone -> Text,
        description -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    team_members (team_id, user_id) {
        org_id -> Uuid,
        team_id -> Uuid,
        user_id -> Uuid,
        added_at -> Timestamptz,
    }
}

diesel::table! {
    standup_configs (id) {
        id -> Uuid,
        org_id -> Uuid,
        team_id -> Uuid,
        name -> Text,
        questions -> Jsonb,
        weekdays -> Array<Text>,
        time_of_day -> Text,
        timezone -> Text,
        response_window_minutes -> Int4,
        reminder_minutes_before -> Int4,
        delivery -> Array<Text>,
        webhook_url -> Nullable<Text>,
        active -> Bool,
        close_when_all_answered -> Bool,
        next_run_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    /// The rest of `standup_configs` (diesel's table! takes 16 columns without the slow
    /// `32-column-tables` feature): written apart, never selected with a config. The
    /// secret thus cannot leak through `StandupConfig::as_select()`.
    #[sql_name = "standup_configs"]
    standup_configs_extra (id) {
        id -> Uuid,
        webhook_secret -> Nullable<Text>,
        webhook_secret_previous -> Nullable<Text>,
        webhook_secret_previous_until -> Nullable<Timestamptz>,
        updated_at -> Timestamptz,
        slack_channel_id -> Nullable<Text>,
        slack_channel_name -> Nullable<Text>,
        late_answers_minutes -> Int4,
        everyone -> Bool,
        anonymous_mood -> Bool,
    }
}

diesel::table! {
    standup_config_participants (config_id, user_id) {
        org_id -> Uuid,
        config_id -> Uuid,
        team_id -> Uuid,
        user_id -> Uuid,
    }
}

diesel::table! {
    /// A standup run. `remind_at`, `reminded_at`, `digest` and `digest_delivered_at` are
    /// in [`standups_extra`] (diesel's `table!` takes 16 columns without the slow
    /// `32-column-tables` feature).
    standups (id) {
        id -> Uuid,
        org_id -> Uuid,
        team_id -> Uuid,
        config_id -> Nullable<Uuid>,
        name -> Text,
        scheduled_for -> Timestamptz,
        local_date -> Date,
        timezone -> Text,
        closes_at -> Timestamptz,
        state -> Text,
        questions -> Jsonb,
        delivery -> Array<Text>,
        webhook_url -> Nullable<Text>,
        close_when_all_answered -> Bool,
        closed_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    /// The rest of `standups`: the reminder and digest columns.
    #[sql_name = "standups"]
    standups_extra (id) {
        id -> Uuid,
        org_id -> Uuid,
        remind_at -> Nullable<Timestamptz>,
        reminded_at -> Nullable<Timestamptz>,
        digest -> Nullable<Jsonb>,
        digest_delivered_at -> Nullable<Timestamptz>,
        late_answers_minutes -> Int4,
        anonymous_mood -> Bool,
    }
}

diesel::table! {
    participations (standup_id, user_id) {
        standup_id -> Uuid,
        user_id -> Uuid,
        org_id -> Uuid,
        state -> Text,
        skip_reason -> Nullable<Text>,
        submitted_at -> Nullable<Timestamptz>,
        edited_at -> Nullable<Timestamptz>,
        notified_at -> Nullable<Timestamptz>,
        reminded_at -> Nullable<Timestamptz>,
        late_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    /// Also `search tsvector GENERATED ALWAYS AS (to_tsvector('english', text))`, read
    /// only by the raw SQL of `db::search`.
    answers (standup_id, user_id, question_id) {
        standup_id -> Uuid,
        user_id -> Uuid,
        question_id -> Uuid,
        org_id -> Uuid,
        text -> Text,
        updated_at -> Timestamptz,
        /// 1-5 for a MOOD question (`text` is then its optional comment), else NULL.
        mood -> Nullable<Int2>,
    }
}

diesel::table! {
    answer_edits (id) {
        id -> Int8,
        org_id -> Uuid,
        standup_id -> Uuid,
        user_id -> Uuid,
        question_id -> Uuid,
        old_text -> Nullable<Text>,
        new_text -> Text,
        edited_at -> Timestamptz,
    }
}

diesel::joinable!(teams -> organizations (org_id));
diesel::joinable!(team_members -> teams (team_id));
diesel::joinable!(team_members -> users (user_id));
diesel::joinable!(standup_configs -> teams (team_id));
diesel::joinable!(standup_config_participants -> standup_configs (config_id));
diesel::joinable!(standup_config_participants -> users (user_id));
diesel::joinable!(standups -> teams (team_id));
diesel::joinable!(standups -> standup_configs (config_id));
diesel::joinable!(participations -> standups (standup_id));
diesel::joinable!(participations -> users (user_id));
diesel::joinable!(answers -> standups (standup_id));
diesel::joinable!(answers -> users (user_id));
diesel::joinable!(answer_edits -> standups (standup_id));

diesel::table! {
    slack_workspaces (org_id) {
        org_id -> Uuid,
        team_id -> Text,
        team_name -> Text,
        bot_user_id -> Text,
        bot_token -> Text,
        connected_by -> Nullable<Uuid>,
        connected_at -> Timestamptz,
        users_synced_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    slack_users (org_id, user_id) {
        org_id -> Uuid,
        user_id -> Uuid,
        slack_user_id -> Text,
        dm_channel -> Nullable<Text>,
        matched_at -> Timestamptz,
    }
}

diesel::table! {
    slack_messages (standup_id, kind, part) {
        standup_id -> Uuid,
        kind -> Text,
        user_id -> Nullable<Uuid>,
        part -> Int4,
        channel -> Text,
        ts -> Text,
        closed_state -> Nullable<Text>,
        posted_at -> Timestamptz,
    }
}

diesel::table! {
    slack_install_states (state_sha256) {
        state_sha256 -> Bytea,
        org_id -> Uuid,
        user_id -> Uuid,
        session_id -> Uuid,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    answer_links (token_hash) {
        token_hash -> Bytea,
        org_id -> Uuid,
        standup_id -> Uuid,
        user_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    mail_opt_outs (user_id, kind) {
        user_id -> Uuid,
        kind -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    unsubscribe_links (token_hash) {
        token_hash -> Bytea,
        user_id -> Uuid,
        kind -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Uuid,
        org_id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        scope -> Text,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    blockers (id) {
        id -> Uuid,
        org_id -> Uuid,
        team_id -> Uuid,
        owner_id -> Uuid,
        standup_id -> Uuid,
        question_id -> Uuid,
        text -> Text,
        status -> Text,
        opened_at -> Timestamptz,
        resolved_by -> Nullable<Uuid>,
        resolved_at -> Nullable<Timestamptz>,
        resolution_note -> Nullable<Text>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    users,
    organizations,
    memberships,
    sessions,
    refresh_tokens,
    audit_events,
    outbox,
    rate_limits,
    processed_jobs,
    welcome_emails,
    failed_jobs,
    password_resets,
    invitations,
    teams,
    team_members,
    standup_configs,
    standup_config_participants,
    standups,
    standups_extra,
    participations,
    answers,
    answer_edits,
    slack_workspaces,
    slack_install_states,
    slack_users,
    slack_messages,
    answer_links,
    mail_opt_outs,
    unsubscribe_links,
    api_tokens,
    blockers,
);

diesel::table! {
    /// `standup_configs`' local-time columns (the main table! is at 16 columns): how the
    /// config asks, its digest time and the team-local date of its next member-local run.
    #[sql_name = "standup_configs"]
    standup_configs_local (id) {
        id -> Uuid,
        org_id -> Uuid,
        ask_at -> Text,
        digest_time -> Nullable<Text>,
        next_local_date -> Nullable<Date>,
    }
}

diesel::table! {
    /// `participations`' per-person times (MEMBER_LOCAL_TIME standups; NULL otherwise).
    #[sql_name = "participations"]
    participation_times (standup_id, user_id) {
        standup_id -> Uuid,
        user_id -> Uuid,
        org_id -> Uuid,
        ask_at -> Nullable<Timestamptz>,
        remind_at -> Nullable<Timestamptz>,
        closes_at -> Nullable<Timestamptz>,
        ask_due_at -> Nullable<Timestamptz>,
        remind_due_at -> Nullable<Timestamptz>,
    }
}
