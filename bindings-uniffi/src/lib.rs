//! Placeholder: filled in by the bindings-uniffi work.
