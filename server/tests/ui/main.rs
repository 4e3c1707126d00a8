//! The dashboard at `/ui` over real HTTP against the real server.

#[path = "../harness/mod.rs"]
mod harness;
mod support;

mod basics;
mod pages;
mod routing;
mod sessions;
