//! The schema of every path parameter: the format of the id (or URL token) it names, as the
//! server makes it, so that client generators and fuzzers produce plausible values. The format
//! follows from the path itself: a `{secret_token}` is a URL token, any other parameter is an id
//! of the collection named by the segment before it (`/v1/endpoints/{endpoint_id}` is an
//! outbound endpoint id, `/v1/api-keys/{key_id}` an API key id).

use serde_json::{Value, json};

use crate::ids::{self, IdFormat};

/// The id format of the parameter that follows each collection segment.
const COLLECTIONS: [(&str, IdFormat); 13] = [
    ("endpoints", ids::ENDPOINT_ID),
    ("signing-keys", ids::SIGNING_KEY_ID),
    ("api-keys", ids::API_KEY_ID),
    ("inbound-endpoints", ids::UUID_ID),
    ("pull-endpoints", ids::UUID_ID),
    ("messages", ids::UUID_ID),
    ("inbound-messages", ids::UUID_ID),
    ("projects", ids::UUID_ID),
    ("exports", ids::UUID_ID),
    ("events", ids::UUID_ID),
    // `/v1/dlq/replay/{message_id}`
    ("replay", ids::UUID_ID),
    // `/v1/webhooks/receive/{inbound_endpoint_id}/...`, `/v1/webhooks/pull/{pull_endpoint_id}/...`
    ("receive", ids::UUID_ID),
    ("pull", ids::UUID_ID),
];

/// The name of every URL token parameter.
const TOKEN_PARAM: &str = "secret_token";

/// The names of a path's `{parameters}`, in order.
pub fn names(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter_map(param_name)
}

/// `endpoint_id` for the segment `{endpoint_id}`.
fn param_name(segment: &str) -> Option<&str> {
    segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'))
}

/// The format of `{name}` in `path`, if the path says.
pub fn format_of(path: &str, name: &str) -> Option<IdFormat> {
    if name == TOKEN_PARAM {
        return Some(ids::SECRET_TOKEN);
    }
    let segments: Vec<&str> = path.split('/').collect();
    let at = segments.iter().position(|segment| param_name(segment) == Some(name))?;
    let collection = segments.get(at.checked_sub(1)?)?;
    COLLECTIONS.iter().find(|(segment, _)| segment == collection).map(|(_, format)| *format)
}

/// The parameter object of `{name}` in `path`.
pub fn path_parameter(path: &str, name: &str) -> Value {
    let mut schema = json!({ "type": "string" });
    if let Some(format) = format_of(path, name) {
        schema["pattern"] = json!(format.pattern());
        schema["description"] = json!(format.describe());
        if format == ids::UUID_ID {
            schema["format"] = json!("uuid");
        }
    }
    json!({ "name": name, "in": "path", "required": true, "schema": schema })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_from_the_collection_before_the_parameter() {
        assert_eq!(format_of("/v1/endpoints/{endpoint_id}/pause", "endpoint_id"), Some(ids::ENDPOINT_ID));
        let key = "/v1/endpoints/{endpoint_id}/signing-keys/{key_id}";
        assert_eq!(format_of(key, "key_id"), Some(ids::SIGNING_KEY_ID));
        assert_eq!(format_of("/v1/api-keys/{key_id}", "key_id"), Some(ids::API_KEY_ID));
        assert_eq!(format_of("/v1/inbound-endpoints/{endpoint_id}", "endpoint_id"), Some(ids::UUID_ID));
        let ingest = "/v1/webhooks/receive/{inbound_endpoint_id}/{secret_token}";
        assert_eq!(format_of(ingest, "inbound_endpoint_id"), Some(ids::UUID_ID));
        assert_eq!(format_of(ingest, "secret_token"), Some(ids::SECRET_TOKEN));
        assert_eq!(format_of("/v1/unknown/{thing_id}", "thing_id"), None);
        assert_eq!(format_of("/{thing_id}", "thing_id"), None);
        assert_eq!(format_of("/v1/endpoints", "endpoint_id"), None);
        assert_eq!(names(ingest).collect::<Vec<_>>(), ["inbound_endpoint_id", "secret_token"]);
        let param = path_parameter("/v1/messages/{message_id}", "message_id");
        assert_eq!(param["schema"]["format"], "uuid");
        assert_eq!(param["schema"]["pattern"], ids::UUID_ID.pattern());
    }
}
