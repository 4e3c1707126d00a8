//! What the OpenAPI document says of one route beyond its method, path and summary: the
//! operationId, the request body, the query parameters and the success answer, each named by
//! the Rust type the handler reads or writes.

use schemars::{JsonSchema, Schema, SchemaGenerator};

/// Writes the JSON Schema of one type (a `$ref` into the document's components, or inline).
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// The schema itself rather than a `$ref` (query parameters are read from its properties).
fn inline_schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    T::json_schema(generator)
}

/// The success answer of an operation.
#[derive(Clone, Copy)]
pub enum Answer {
    /// The `{data, meta}` envelope with this `data`.
    Envelope(SchemaFn),
    /// JSON of this schema without the envelope.
    Bare(SchemaFn),
    /// A body that is not JSON, with its media type (`/metrics`, probes, export files).
    Raw(&'static str),
    /// No body (a redirect).
    Empty,
}

/// The documented side of a [`crate::state::Route`].
#[derive(Clone, Copy)]
pub struct Operation {
    /// Unique snake_case operationId (the Python SDK's method name where there is one).
    pub id: &'static str,
    /// The success statuses, the first one the usual.
    pub statuses: &'static [u16],
    /// The JSON request body, if the route reads one.
    pub body: Option<SchemaFn>,
    /// Whether the body may be left out (an empty body reads as `{}`).
    pub body_optional: bool,
    /// The query parameters: an object schema whose properties are the parameters.
    pub query: Option<SchemaFn>,
    /// The success answer.
    pub answer: Answer,
    /// The collection whose `{id}` paths take the id this operation answers with, when it is
    /// not the operation's own path (`send` makes messages of `/v1/messages`).
    pub creates_in: Option<&'static str>,
}

/// Starts an operation: 200 with an envelope whose `data` is any JSON, until told otherwise.
pub fn op(id: &'static str) -> Operation {
    Operation {
        id,
        statuses: &[200],
        body: None,
        body_optional: false,
        query: None,
        answer: Answer::Envelope(schema_of::<serde_json::Value>),
        creates_in: None,
    }
}

impl Operation {
    /// The success statuses (the first one the usual).
    pub fn statuses(mut self, statuses: &'static [u16]) -> Self {
        self.statuses = statuses;
        self
    }

    /// 201 Created.
    pub fn created(self) -> Self {
        self.statuses(&[201])
    }

    /// The JSON request body the handler decodes.
    pub fn body<T: JsonSchema>(mut self) -> Self {
        self.body = Some(schema_of::<T>);
        self
    }

    /// A request body that may be left out (every field optional).
    pub fn optional_body<T: JsonSchema>(mut self) -> Self {
        self.body_optional = true;
        self.body::<T>()
    }

    /// The query string the handler decodes.
    pub fn query<T: JsonSchema>(mut self) -> Self {
        self.query = Some(inline_schema_of::<T>);
        self
    }

    /// The `data` of the success envelope.
    pub fn data<T: JsonSchema>(mut self) -> Self {
        self.answer = Answer::Envelope(schema_of::<T>);
        self
    }

    /// A success body of JSON without the envelope.
    pub fn bare<T: JsonSchema>(mut self) -> Self {
        self.answer = Answer::Bare(schema_of::<T>);
        self
    }

    /// A success answer without a body.
    pub fn empty(mut self) -> Self {
        self.answer = Answer::Empty;
        self
    }

    /// The answer carries the id of a new resource of `collection` (a path of the route table)
    /// rather than of the operation's own path: the OpenAPI links go there.
    pub fn creates_in(mut self, collection: &'static str) -> Self {
        self.creates_in = Some(collection);
        self
    }

    /// A success body that is not JSON.
    pub fn raw(mut self, media_type: &'static str) -> Self {
        self.answer = Answer::Raw(media_type);
        self
    }
}
