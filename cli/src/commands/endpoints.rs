//! `hb endpoints ls|create|get|pause|resume|rotate`.

use hookbridge::{Client, CreateEndpointOptions, Page};

use crate::args::{Endpoints, Format, PageArgs};
use crate::failure::Failure;
use crate::output::{self, Table, fields, opt};

/// Runs one endpoints command.
pub async fn run(client: &Client, format: Format, command: Endpoints) -> Result<(), Failure> {
    match command {
        Endpoints::Ls(PageArgs { limit, cursor }) => {
            let page = client.list_endpoints(&Page { limit, cursor }).await?;
            output::print(format, &page, |p| {
                let mut t = Table::new(&["ID", "URL", "PAUSED", "CREATED", "DESCRIPTION"]);
                for e in &p.endpoints {
                    t.row(vec![e.id.clone(), e.url.clone(), e.paused.to_string(), e.created_at.to_string(), opt(&e.description)]);
                }
                let more = p.next_cursor.as_ref().map(|c| format!("more: --cursor {c}\n")).unwrap_or_default();
                t.render() + &more
            });
        }
        Endpoints::Create { url, description, rate_limit_rps, burst } => {
            let options = CreateEndpointOptions { description, rate_limit_rps, burst, ..Default::default() };
            let created = client.create_endpoint(&url, &options).await?;
            output::print(format, &created, |e| {
                fields(&[
                    ("id", e.id.clone()),
                    ("url", e.url.clone()),
                    ("signing_secret", e.signing_secret.clone()),
                    ("created_at", e.created_at.to_string()),
                ]) + "The signing secret is shown once: store it now.\n"
            });
        }
        Endpoints::Get { id } => {
            let e = client.get_endpoint(&id).await?;
            output::print(format, &e, |e| {
                fields(&[
                    ("id", e.id.clone()),
                    ("url", e.url.clone()),
                    ("paused", e.paused.to_string()),
                    ("description", opt(&e.description)),
                    ("rate_limit_rps", opt(&e.rate_limit_rps)),
                    ("burst", opt(&e.burst)),
                    ("created_at", e.created_at.to_string()),
                    ("updated_at", e.updated_at.to_string()),
                ])
            });
        }
        Endpoints::Pause { id } => {
            let state = client.pause_endpoint(&id).await?;
            output::print(format, &state, |s| fields(&[("id", s.id.clone()), ("paused", s.paused.to_string())]));
        }
        Endpoints::Resume { id } => {
            let state = client.resume_endpoint(&id).await?;
            output::print(format, &state, |s| {
                fields(&[
                    ("id", s.id.clone()),
                    ("paused", s.paused.to_string()),
                    ("messages_requeued", opt(&s.messages_requeued)),
                ])
            });
        }
        Endpoints::Rotate { id } => {
            let rotated = client.rotate_endpoint_secret(&id).await?;
            output::print(format, &rotated, |r| {
                fields(&[("id", r.id.clone()), ("signing_secret", r.signing_secret.clone()), ("key_hint", opt(&r.key_hint))])
                    + "The new secret is shown once; the old one stays valid until you delete its key.\n"
            });
        }
    }
    Ok(())
}
