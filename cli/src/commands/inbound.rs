//! `hb inbound ls|create|rejections`.

use hookbridge::{Client, InboundEndpointSettings, Page, RejectionsQuery};

use crate::args::{Format, Inbound, PageArgs};
use crate::failure::Failure;
use crate::output::{self, Table, fields, opt};

/// Runs one inbound command.
pub async fn run(client: &Client, format: Format, command: Inbound) -> Result<(), Failure> {
    match command {
        Inbound::Ls(PageArgs { limit, cursor }) => {
            let page = client.list_inbound_endpoints(&Page { limit, cursor }).await?;
            output::print(format, &page, |p| {
                let mut t = Table::new(&["ID", "NAME", "FORWARDS TO", "ACTIVE", "PAUSED", "CREATED"]);
                for e in &p.endpoints {
                    t.row(vec![
                        e.id.clone(),
                        e.name.clone(),
                        e.url.clone(),
                        e.active.to_string(),
                        e.paused.to_string(),
                        e.created_at.to_string(),
                    ]);
                }
                let more = p.next_cursor.as_ref().map(|c| format!("more: --cursor {c}\n")).unwrap_or_default();
                t.render() + &more
            });
        }
        Inbound::Create { url, mode, name, description, token_header, token } => {
            let settings = InboundEndpointSettings {
                name,
                description,
                mode,
                verify_static_token: token.is_some().then_some(true),
                token_header_name: token_header,
                token_value: token,
                ..Default::default()
            };
            let created = client.create_inbound_endpoint_with(url.as_deref(), &settings).await?;
            output::print(format, &created, |e| {
                fields(&[
                    ("id", e.id.clone()),
                    ("name", e.name.clone()),
                    ("forwards_to", e.url.clone()),
                    ("ingest_url", e.ingest_url.clone()),
                    ("secret_token", e.secret_token.clone()),
                    ("created_at", e.created_at.to_string()),
                ]) + "Point your provider at the ingest URL. The secret token is shown once.\n"
            });
        }
        Inbound::Rejections { endpoint, limit } => {
            let query = RejectionsQuery { inbound_endpoint_id: endpoint, limit, ..Default::default() };
            let page = client.list_inbound_rejections(&query).await?;
            output::print(format, &page, |p| {
                let mut t = Table::new(&["RECEIVED", "ENDPOINT", "REASON", "SOURCE", "DETAIL"]);
                for r in &p.entries {
                    t.row(vec![
                        r.received_at.to_string(),
                        opt(&r.inbound_endpoint_id),
                        r.reason_code.clone(),
                        opt(&r.source_ip),
                        opt(&r.reason_detail),
                    ]);
                }
                t.render()
            });
        }
    }
    Ok(())
}
