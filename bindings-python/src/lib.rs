//! Placeholder: filled in by the bindings-python work.
