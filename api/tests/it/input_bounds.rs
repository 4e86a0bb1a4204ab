//! Input bounds: every String and ID argument and input field of every query and
//! mutation refuses a 20,000-character string, and nothing that long is stored.
//!
//! The walker reads the server's schema (introspection), and for each position that
//! holds a String or ID (an argument, a field of an input object at any depth, a list
//! element) sends the operation as a signed-in owner with that position holding 20,000
//! characters (well under the 64 KiB body cap) and every other required argument
//! filled with a plausible value of its type: ids of real rows created first (by
//! argument name), an enum's first value, sensible strings for names, e-mails, time
//! zones and the like.
//!
//! The rule: the answer is BAD_USER_INPUT naming the position's field in
//! `extensions.field`. For an ID position, NOT_FOUND is accepted too (nothing is
//! stored). Never INTERNAL_SERVER_ERROR, never data. Subscriptions run over the
//! WebSocket and are left out; the same schema extension bounds them.

use crate::helpers::*;
use crate::standups::{fixture, start};
use diesel_async::RunQueryDsl;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

const LONG: usize = 20_000;

const INTROSPECT: &str = "
query {
  __schema {
    queryType { name }
    mutationType { name }
    types {
      kind name
      enumValues { name }
      inputFields { name defaultValue type { ...T } }
      fields { name type { ...T } args { name defaultValue type { ...T } } }
    }
  }
}
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
";

#[derive(Clone, Debug)]
enum Ty {
    NonNull(Box<Ty>),
    List(Box<Ty>),
    Named { kind: String, name: String },
}

impl Ty {
    fn parse(v: &Value) -> Ty {
        match v["kind"].as_str().unwrap() {
            "NON_NULL" => Ty::NonNull(Box::new(Ty::parse(&v["ofType"]))),
            "LIST" => Ty::List(Box::new(Ty::parse(&v["ofType"]))),
            kind => Ty::Named {
                kind: kind.to_string(),
                name: v["name"].as_str().unwrap().to_string(),
            },
        }
    }

    fn render(&self) -> String {
        match self {
            Ty::NonNull(t) => format!("{}!", t.render()),
            Ty::List(t) => format!("[{}]", t.render()),
            Ty::Named { name, .. } => name.clone(),
        }
    }

    fn is_required(&self) -> bool {
        matches!(self, Ty::NonNull(_))
    }

    fn named(&self) -> (&str, &str) {
        match self {
            Ty::NonNull(t) | Ty::List(t) => t.named(),
            Ty::Named { kind, name } => (kind, name),
        }
    }
}

#[derive(Clone, Debug)]
struct InputValue {
    name: String,
    ty: Ty,
    has_default: bool,
}

impl InputValue {
    fn parse(v: &Value) -> InputValue {
        InputValue {
            name: v["name"].as_str().unwrap().to_string(),
            ty: Ty::parse(&v["type"]),
            has_default: !v["defaultValue"].is_null(),
        }
    }

    /// Must be sent: non-null without a default.
    fn needed(&self) -> bool {
        self.ty.is_required() && !self.has_default
    }
}

struct Model {
    enums: HashMap<String, Vec<String>>,
    inputs: HashMap<String, Vec<InputValue>>,
    /// Every query and mutation.
    operations: Vec<Operation>,
}

struct Operation {
    keyword: &'static str,
    name: String,
    args: Vec<InputValue>,
    /// What to select: `{ __typename }` for an object, nothing for a scalar or enum.
    selection: &'static str,
}

#[derive(Clone, Debug, PartialEq)]
enum Step {
    Field(String),
    Element,
}

/// Where the long string goes: the argument, then the steps inside it.
#[derive(Clone, Debug)]
struct Position {
    argument: String,
    steps: Vec<Step>,
    /// The field the error must name (the innermost argument or input field).
    leaf: String,
    is_id: bool,
}

impl Model {
    fn load(schema: &Value) -> Model {
        let mut enums = HashMap::new();
        let mut inputs = HashMap::new();
        let mut objects = HashMap::new();
        for t in schema["types"].as_array().unwrap() {
            let name = t["name"].as_str().unwrap().to_string();
            match t["kind"].as_str().unwrap() {
                "ENUM" => {
                    let values = t["enumValues"].as_array().unwrap();
                    enums.insert(
                        name,
                        values
                            .iter()
                            .map(|v| v["name"].as_str().unwrap().to_string())
                            .collect(),
                    );
                }
                "INPUT_OBJECT" => {
                    let fields = t["inputFields"].as_array().unwrap();
                    inputs.insert(name, fields.iter().map(InputValue::parse).collect());
                }
                "OBJECT" => {
                    objects.insert(name, t["fields"].clone());
                }
                _ => {}
            }
        }
        let mut operations = Vec::new();
        for (keyword, root) in [("query", "queryType"), ("mutation", "mutationType")] {
            let root = schema[root]["name"].as_str().unwrap();
            for field in objects[root].as_array().unwrap() {
                let args = field["args"].as_array().unwrap();
                let returns = Ty::parse(&field["type"]);
                operations.push(Operation {
                    keyword,
                    name: field["name"].as_str().unwrap().to_string(),
                    args: args.iter().map(InputValue::parse).collect(),
                    selection: match returns.named().0 {
                        "OBJECT" | "INTERFACE" | "UNION" => "{ __typename }",
                        _ => "",
                    },
                });
            }
        }
        Model {
            enums,
            inputs,
            operations,
        }
    }

    /// Every String/ID position under `ty`.
    fn positions(
        &self,
        ty: &Ty,
        leaf: &str,
        steps: Vec<Step>,
        out: &mut Vec<(Vec<Step>, String, bool)>,
    ) {
        match ty {
            Ty::NonNull(t) => self.positions(t, leaf, steps, out),
            Ty::List(t) => {
                let mut steps = steps;
                steps.push(Step::Element);
                self.positions(t, leaf, steps, out);
            }
            Ty::Named { kind, name } => match (kind.as_str(), name.as_str()) {
                ("SCALAR", "String") | ("SCALAR", "ID") => {
                    out.push((steps, leaf.to_string(), name == "ID"))
                }
                ("INPUT_OBJECT", _) => {
                    for field in &self.inputs[name] {
                        let mut steps = steps.clone();
                        steps.push(Step::Field(field.name.clone()));
                        self.positions(&field.ty, &field.name, steps, out);
                    }
                }
                _ => {}
            },
        }
    }

    /// A plausible value of `ty` for `name`; `target` is the rest of the path to the
    /// long string when it goes inside this value.
    fn value(&self, fill: &Fill, op: &str, name: &str, ty: &Ty, target: Option<&[Step]>) -> Value {
        match ty {
            Ty::NonNull(t) => self.value(fill, op, name, t, target),
            Ty::List(t) => {
                let inner = match target {
                    Some([Step::Element, rest @ ..]) => Some(rest),
                    _ => None,
                };
                Value::Array(vec![self.value(fill, op, name, t, inner)])
            }
            Ty::Named {
                kind,
                name: type_name,
            } => {
                if target == Some(&[]) {
                    return Value::String("a".repeat(LONG));
                }
                match kind.as_str() {
                    "ENUM" => Value::String(self.enums[type_name][0].clone()),
                    "INPUT_OBJECT" => {
                        let mut object = Map::new();
                        for field in &self.inputs[type_name] {
                            let inner = match target {
                                Some([Step::Field(f), rest @ ..]) if *f == field.name => Some(rest),
                                _ => None,
                            };
                            if inner.is_some() || field.needed() {
                                object.insert(
                                    field.name.clone(),
                                    self.value(fill, op, &field.name, &field.ty, inner),
                                );
                            }
                        }
                        Value::Object(object)
                    }
                    _ => fill.scalar(op, name, type_name),
                }
            }
        }
    }
}

/// Real rows to point ids at, and plausible values by argument name.
struct Fill {
    owner_id: String,
    org_id: String,
    team: String,
    config: String,
    standup: String,
    question: String,
    invitation: String,
}

impl Fill {
    fn scalar(&self, op: &str, name: &str, type_name: &str) -> Value {
        match type_name {
            "ID" => json!(match name {
                "teamId" => self.team.clone(),
                "configId" => self.config.clone(),
                "standupId" => self.standup.clone(),
                "questionId" => self.question.clone(),
                "organizationId" => self.org_id.clone(),
                "userId" | "actorId" | "participantIds" => self.owner_id.clone(),
                "id" if op.contains("Invitation") => self.invitation.clone(),
                "id" if op.contains("StandupConfig") => self.config.clone(),
                "id" if op.contains("eam") => self.team.clone(),
                "id" if op == "standup" => self.standup.clone(),
                _ => uuid::Uuid::new_v4().to_string(),
            }),
            "String" => json!(match name {
                "email" => format!("walker-{}@example.com", uuid::Uuid::new_v4().simple()),
                "password" | "currentPassword" => PASSWORD.to_string(),
                "newPassword" => "another long passphrase 77".to_string(),
                "timezone" => "Europe/Berlin".to_string(),
                "timeOfDay" => "09:00".to_string(),
                "webhookUrl" => "https://hooks.example.com/standup".to_string(),
                "token" => "t".repeat(43),
                _ => "Plausible text".to_string(),
            }),
            "Int" => json!(match name {
                "first" => 10,
                "count" => 5,
                "responseWindowMinutes" => 60,
                "reminderMinutesBefore" => 0,
                _ => 1,
            }),
            "Boolean" => json!(true),
            "DateTime" => json!("2026-01-01T00:00:00Z"),
            "JSON" => json!({}),
            other => panic!("no plausible value for scalar {other} ({op}.{name})"),
        }
    }
}

#[tokio::test]
async fn every_string_argument_of_every_operation_is_bounded() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, false).await;
    let (standup, questions) = start(&app, &f.owner.token, &f.config).await;
    let invited = app
        .graphql_as(
            &f.owner.token,
            "mutation { inviteMember(input: { email: \"invitee@a.example\", role: MEMBER }) { id } }",
            json!({}),
        )
        .await;
    let fill = Fill {
        owner_id: f.owner.user_id.clone(),
        org_id: f.owner.org_id.clone(),
        team: f.team.clone(),
        config: f.config.clone(),
        standup,
        question: questions[0].clone(),
        invitation: invited["data"]["inviteMember"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{invited}"))
            .to_string(),
    };
    let schema = app.graphql(INTROSPECT, json!({})).await;
    let model = Model::load(&schema["data"]["__schema"]);

    let mut positions = Vec::new();
    for op in &model.operations {
        for arg in &op.args {
            let mut found = Vec::new();
            model.positions(&arg.ty, &arg.name, Vec::new(), &mut found);
            for (steps, leaf, is_id) in found {
                positions.push((
                    op,
                    Position {
                        argument: arg.name.clone(),
                        steps,
                        leaf,
                        is_id,
                    },
                ));
            }
        }
    }
    // The walk covers queries and mutations, including the account, audit and member
    // filters this test was written for.
    for expected in [
        "logIn",
        "members",
        "auditLog",
        "changePassword",
        "submitAnswers",
    ] {
        assert!(
            positions.iter().any(|(op, _)| op.name == expected),
            "no String position found in {expected}"
        );
    }
    assert!(positions.iter().any(|(op, _)| op.keyword == "query"));

    let mut failures = Vec::new();
    for (operation, position) in &positions {
        let (keyword, op, args) = (operation.keyword, &operation.name, &operation.args);
        let mut variables = Map::new();
        let mut declared = Vec::new();
        let mut passed = Vec::new();
        for arg in args {
            let target = (arg.name == position.argument).then_some(position.steps.as_slice());
            if target.is_none() && !arg.needed() {
                continue;
            }
            variables.insert(
                arg.name.clone(),
                model.value(&fill, op, &arg.name, &arg.ty, target),
            );
            declared.push(format!("${}: {}", arg.name, arg.ty.render()));
            passed.push(format!("{0}: ${0}", arg.name));
        }
        let query = format!(
            "{keyword} Walk({}) {{ {op}({}) {} }}",
            declared.join(", "),
            passed.join(", "),
            operation.selection
        );
        let body = app
            .graphql_as(&f.owner.token, &query, Value::Object(variables))
            .await;
        let code = error_code(&body);
        let field = body["errors"][0]["extensions"]["field"].as_str();
        let ok = (code == "BAD_USER_INPUT" && field == Some(position.leaf.as_str()))
            || (position.is_id && code == "NOT_FOUND");
        let no_data = body["data"].is_null() || body["data"][op.as_str()].is_null();
        if !ok || !no_data {
            failures.push(format!(
                "{op} {}{:?}: {code} {field:?} {}",
                position.argument, position.steps, body
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} positions were not refused:\n{}",
        failures.len(),
        positions.len(),
        failures.join("\n")
    );

    // Nothing that long reached the database.
    assert_eq!(longest_stored_text(&app).await, Vec::<String>::new());
}

/// Every text or JSON column holding a value of 20,000 characters or more, as
/// `table.column`.
async fn longest_stored_text(app: &TestApp) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Column {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table_name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        column_name: String,
    }
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut db = app.db().await;
    let columns: Vec<Column> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name
         FROM information_schema.columns
         WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'json')
           AND table_name NOT LIKE '\\_\\_%'",
    )
    .load(&mut db)
    .await
    .unwrap();
    assert!(columns.len() > 10, "the text columns are found");
    let mut long = Vec::new();
    for c in columns {
        let found: N = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM \"{}\" WHERE length(\"{}\"::text) >= {LONG}",
            c.table_name, c.column_name
        ))
        .get_result(&mut db)
        .await
        .unwrap();
        if found.n > 0 {
            long.push(format!("{}.{}", c.table_name, c.column_name));
        }
    }
    long
}

#[tokio::test]
async fn a_literal_over_long_string_is_refused_with_its_path() {
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    let query = format!(
        "{{ members(filter: {{ search: \"{}\" }}) {{ nodes {{ role }} }} }}",
        "a".repeat(LONG)
    );
    let body = app.graphql_as(&owner.token, &query, json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "search");
    assert_eq!(
        body["errors"][0]["message"],
        "filter.search: must be at most 10000 characters"
    );

    // Inside a list, through a variable.
    let body = app
        .graphql_as(
            &owner.token,
            "mutation($input: SubmitAnswersInput!) { submitAnswers(input: $input) { state } }",
            json!({ "input": { "standupId": uuid::Uuid::new_v4(), "answers": [
                { "questionId": uuid::Uuid::new_v4(), "text": "fine" },
                { "questionId": uuid::Uuid::new_v4(), "text": "b".repeat(LONG) }
            ] } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "text");
    assert_eq!(
        body["errors"][0]["message"],
        "input.answers[1].text: must be at most 10000 characters"
    );
}

#[tokio::test]
async fn searches_and_filters_have_their_own_limits() {
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    let long = "s".repeat(201);
    let body = app
        .graphql_as(
            &owner.token,
            "query($s: String) { members(filter: { search: $s }) { nodes { role } } }",
            json!({ "s": long }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(
        body["errors"][0]["message"],
        "search: must be at most 200 characters"
    );
    // slackChannels' search: 80 characters, checked before Slack is called.
    let body = app
        .graphql_as(
            &owner.token,
            "query($s: String) { slackChannels(search: $s) { nodes { id } } }",
            json!({ "s": "c".repeat(81) }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "search");
    for field in ["action", "targetType", "targetId"] {
        let body = app
            .graphql_as(
                &owner.token,
                "query($f: AuditFilter) { auditLog(filter: $f) { nodes { action } } }",
                json!({ "f": { field: long } }),
            )
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field);
    }
    let body = app
        .graphql(
            LOG_IN,
            json!({ "input": { "email": format!("{}@example.com", "e".repeat(250)), "password": PASSWORD } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "email");
}

#[tokio::test]
async fn user_agents_are_stored_bounded() {
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    let resp = reqwest::Client::new()
        .post(app.url("/graphql"))
        .header("user-agent", "u".repeat(LONG))
        .json(&json!({ "query": LOG_IN, "variables": { "input": { "email": owner.email, "password": PASSWORD } } }))
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert!(body["data"]["logIn"].is_object(), "{body}");

    #[derive(diesel::QueryableByName)]
    struct Longest {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        sessions: i32,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        audit: i32,
    }
    let mut db = app.db().await;
    let longest: Longest = diesel::sql_query(
        "SELECT (SELECT max(length(user_agent)) FROM sessions) AS sessions,
                (SELECT max(length(user_agent)) FROM audit_events WHERE action = 'auth.log_in') AS audit",
    )
    .get_result(&mut db)
    .await
    .unwrap();
    assert_eq!((longest.sessions, longest.audit), (512, 512));
}
