//! Placeholder: filled in by the bindings-c work.
