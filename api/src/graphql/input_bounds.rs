//! Every string an operation carries is bounded: an argument, an input object's field,
//! a list element or a variable holding more than [`INPUT_MAX_CHARS`] characters is
//! refused before anything runs, with BAD_USER_INPUT naming its path from the argument
//! (`input.answers[0].text`) and, in `extensions.field`, the innermost field. Fields with
//! a rule of their own (`schema::validation`) are tighter than this. The one looser
//! field is an input object's `ics` (an iCalendar file, bounded by
//! [`ics::MAX_ICS_BYTES`](crate::service::ics::MAX_ICS_BYTES), which its parser checks).

use crate::error::ApiError;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensions, Name, Pos, ServerError, ServerResult, Value, Variables};
use schema::validation::INPUT_MAX_CHARS;
use std::convert::Infallible;
use std::fmt::Write as _;
use std::sync::Arc;

/// The schema extension (see the module documentation).
pub struct InputBounds;

impl ExtensionFactory for InputBounds {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(InputBoundsExtension)
    }
}

struct InputBoundsExtension;

#[async_trait::async_trait]
impl Extension for InputBoundsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        check(&document, variables)?;
        Ok(document)
    }
}

/// Refuses the first over-long string among the document's arguments, with variables
/// (given, or their defaults) resolved.
fn check(document: &ExecutableDocument, variables: &Variables) -> ServerResult<()> {
    let defaults: Vec<(&Name, &Value)> = document
        .operations
        .iter()
        .flat_map(|(_, op)| op.node.variable_definitions.iter())
        .filter_map(|def| {
            let def = &def.node;
            def.default_value
                .as_ref()
                .map(|value| (&def.name.node, &value.node))
        })
        .collect();
    let resolve = |name: Name| -> Result<Value, Infallible> {
        Ok(variables
            .get(&name)
            .or_else(|| defaults.iter().find(|(n, _)| **n == name).map(|(_, v)| *v))
            .cloned()
            .unwrap_or(Value::Null))
    };

    let mut pending: Vec<&SelectionSet> = document
        .operations
        .iter()
        .map(|(_, op)| &op.node.selection_set.node)
        .chain(
            document
                .fragments
                .values()
                .map(|f| &f.node.selection_set.node),
        )
        .collect();
    let directives = document
        .operations
        .iter()
        .flat_map(|(_, op)| op.node.directives.iter())
        .chain(
            document
                .fragments
                .values()
                .flat_map(|f| f.node.directives.iter()),
        );
    let mut arguments: Vec<_> = directives.flat_map(|d| d.node.arguments.iter()).collect();
    while let Some(set) = pending.pop() {
        for selection in &set.items {
            arguments.extend(
                selection
                    .node
                    .directives()
                    .iter()
                    .flat_map(|d| d.node.arguments.iter()),
            );
            match &selection.node {
                Selection::Field(field) => {
                    arguments.extend(field.node.arguments.iter());
                    pending.push(&field.node.selection_set.node);
                }
                Selection::InlineFragment(fragment) => {
                    pending.push(&fragment.node.selection_set.node);
                }
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    for (name, value) in arguments {
        let Ok(resolved) = value.node.clone().into_const_with(&resolve);
        if let Some(mut path) = oversized(&resolved) {
            path.push(Segment::Key(&name.node));
            path.reverse();
            return Err(too_long(&path, value.pos));
        }
    }
    Ok(())
}

/// One step of the path to an over-long string.
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

/// The path (innermost first) to the first string longer than the cap, if any.
fn oversized(value: &Value) -> Option<Vec<Segment<'_>>> {
    match value {
        // Bytes bound characters from above: most strings need no count.
        Value::String(s) if s.len() > INPUT_MAX_CHARS && s.chars().count() > INPUT_MAX_CHARS => {
            Some(Vec::new())
        }
        Value::List(items) => items.iter().enumerate().find_map(|(i, item)| {
            let mut path = oversized(item)?;
            path.push(Segment::Index(i));
            Some(path)
        }),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            if key.as_str() == "ics"
                && matches!(item, Value::String(s) if s.len() <= crate::service::ics::MAX_ICS_BYTES)
            {
                return None;
            }
            let mut path = oversized(item)?;
            path.push(Segment::Key(key));
            Some(path)
        }),
        _ => None,
    }
}

fn too_long(path: &[Segment<'_>], pos: Pos) -> ServerError {
    let mut text = String::new();
    let mut field = "";
    for segment in path {
        match segment {
            Segment::Key(key) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(key);
                field = key;
            }
            Segment::Index(i) => {
                let _ = write!(text, "[{i}]");
            }
        }
    }
    ApiError::BadInput {
        field: None,
        message: format!("{text}: must be at most {INPUT_MAX_CHARS} characters"),
    }
    .extend()
    .extend_with(|_, ext| ext.set("field", field))
    .into_server_error(pos)
}
