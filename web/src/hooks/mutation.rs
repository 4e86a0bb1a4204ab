//! Changing data: one place for what every form and action button does around a
//! GraphQL mutation — the busy state, the errors (inline per field, a form-level banner,
//! or a toast), focus on the first field in error, the success toast.
//!
//! ```ignore
//! let save = use_mutation(MutationOptions { fields: FIELDS, ..Default::default() });
//! // in the submit handler, after the client-side checks:
//! if save.invalid(FormErrors::from_checks([...])) { return; }
//! save.run::<UpdateTeam>(vars, move |_| Some("Team saved".to_owned()));
//! // in the view:
//! <form ref={save.form()} ...> ... error={save.errors().field("name")} ... busy={save.busy()}
//! ```

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use schema::ops::Operation;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::form::FormErrors;
use crate::api::{ApiClient, ApiError, use_api};
use crate::components::{ToastKind, Toaster, use_toaster};

/// How a [`Mutation`] reports what happened.
#[derive(Default)]
pub struct MutationOptions {
    /// The form's fields: a server error naming one shows next to it, any other error in
    /// the form's banner ([`FormErrors::form`]).
    pub fields: &'static [&'static str],
    /// Not a form (an action button): errors show as a toast.
    pub toast_errors: bool,
    /// After a success the page moves on (navigates, closes the dialog): stay busy, so the
    /// button does not come back for the moment that takes.
    pub keep_busy: bool,
    /// Called once the operation is over, whatever its outcome (`true` on success): to
    /// reload a list, close a confirmation.
    pub settled: Option<Callback<bool>>,
}

/// What [`use_mutation`] returns; cheap to clone into callbacks.
#[derive(Clone)]
pub struct Mutation {
    client: ApiClient,
    toaster: Option<Toaster>,
    busy: UseStateHandle<bool>,
    errors: UseStateHandle<FormErrors>,
    form: NodeRef,
    /// Set with new errors: the next render moves focus to the first field in error.
    focus: Rc<Cell<bool>>,
    options: Rc<MutationOptions>,
}

/// The success toast's text (if any) or the error: all a finished run needs, in a type
/// that is the same for every operation.
type Outcome = Pin<Box<dyn Future<Output = Result<Option<String>, ApiError>>>>;

/// State and actions for one form or action button; see the module's example.
#[hook]
pub fn use_mutation(options: MutationOptions) -> Mutation {
    let form = use_node_ref();
    let focus = use_memo((), |_| Cell::new(false));
    {
        let (form, focus) = (form.clone(), focus.clone());
        use_effect(move || {
            if focus.replace(false) {
                focus_first_invalid(&form);
            }
        });
    }
    Mutation {
        client: use_api(),
        toaster: use_toaster(),
        busy: use_state(|| false),
        errors: use_state(FormErrors::default),
        form,
        focus,
        options: Rc::new(options),
    }
}

/// Focuses the first field inside `form` that is marked `aria-invalid` (every field
/// component marks itself when it shows an error).
fn focus_first_invalid(form: &NodeRef) {
    if let Some(form) = form.cast::<web_sys::Element>()
        && let Ok(Some(field)) = form.query_selector("[aria-invalid=true]")
        && let Ok(field) = field.dyn_into::<HtmlElement>()
    {
        let _ = field.focus();
    }
}

impl Mutation {
    /// Whether an operation is on its way.
    pub fn busy(&self) -> bool {
        *self.busy
    }

    /// The errors to show.
    pub fn errors(&self) -> &FormErrors {
        &self.errors
    }

    /// The element holding the form's fields (the `<form>`), where focus goes to the first
    /// field in error.
    pub fn form(&self) -> NodeRef {
        self.form.clone()
    }

    /// Shows the result of the client-side checks: `true` (and the errors, with focus on
    /// the first field) when any failed.
    pub fn invalid(&self, checks: FormErrors) -> bool {
        if checks.is_empty() {
            return false;
        }
        self.show(checks);
        true
    }

    /// Forgets every error (e.g. when the form changes shape).
    pub fn clear(&self) {
        self.errors.set(FormErrors::default());
    }

    /// Forgets the error of `field` (when the person edits it).
    pub fn clear_error(&self, field: &str) {
        if self.errors.field(field).is_some() {
            self.errors.set(self.errors.without(field));
        }
    }

    /// The `oninput` of a text field: keeps the value and forgets the field's error.
    pub fn input(&self, value: &UseStateHandle<String>, field: &'static str) -> Callback<String> {
        let (this, value) = (self.clone(), value.clone());
        Callback::from(move |v: String| {
            value.set(v);
            this.clear_error(field);
        })
    }

    /// Runs `O` unless one is already on its way. On success `on_success` gets the data
    /// and returns the text of the success toast, if any; errors are shown as the options
    /// say.
    pub fn run<O: Operation>(
        &self,
        variables: O::Variables,
        on_success: impl FnOnce(O::Data) -> Option<String> + 'static,
    ) {
        if !self.start() {
            return;
        }
        let sent = self.client.run::<O>(&variables);
        self.finish(Box::pin(async move { sent.await.map(on_success) }));
    }

    fn start(&self) -> bool {
        if *self.busy {
            return false;
        }
        self.busy.set(true);
        if !self.errors.is_empty() {
            self.clear();
        }
        true
    }

    /// Awaits an outcome and reports it; one copy for every operation.
    fn finish(&self, outcome: Outcome) {
        let this = self.clone();
        spawn_local(async move {
            let outcome = outcome.await;
            let ok = outcome.is_ok();
            let options = &this.options;
            if !(ok && options.keep_busy) {
                this.busy.set(false);
            }
            match outcome {
                Ok(text) => this.toast(ToastKind::Success, text),
                Err(err) if options.toast_errors => {
                    this.toast(ToastKind::Error, Some(err.user_message()))
                }
                Err(err) => this.show(FormErrors::from_api(&err, options.fields)),
            }
            if let Some(settled) = &options.settled {
                settled.emit(ok);
            }
        });
    }

    fn toast(&self, kind: ToastKind, text: Option<String>) {
        if let (Some(toaster), Some(text)) = (&self.toaster, text) {
            toaster.push(kind, text);
        }
    }

    /// Sets the errors; once they are rendered, the first field in error gets the focus.
    fn show(&self, errors: FormErrors) {
        self.focus.set(true);
        self.errors.set(errors);
    }
}
