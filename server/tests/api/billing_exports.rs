//! Billing on a self-hosted server, and log exports with their signed download links.

use hookbridge::{CreateExportOptions, ErrorKind, SendOptions, TimeArg, Timestamp};
use serde_json::json;

use crate::harness::{Receiver, Server, wait_for_status};
use crate::support::{Raw, WAIT, eventually};

#[tokio::test(flavor = "multi_thread")]
async fn billing_reports_the_self_hosted_plan_with_real_usage() {
    let server = Server::start(&[]);
    let client = server.client();
    let ep = client.create_endpoint("http://127.0.0.1:9/b", &Default::default()).await.unwrap();
    client.pause_endpoint(&ep.id).await.unwrap();
    for n in 0..5 {
        client.send(&ep.id, &json!({"n": n}), &SendOptions::default()).await.unwrap();
    }
    let sub = client.get_subscription().await.unwrap();
    assert_eq!((sub.plan.as_str(), sub.status.as_str(), sub.limits.plan.as_str()), ("self_hosted", "active", "self_hosted"));
    assert_eq!(sub.usage.messages_used, 5);
    let now = Timestamp::now().unix_millis();
    assert!(sub.usage.period_start.unix_millis() <= now && now < sub.usage.period_end.unix_millis());
    assert_eq!(sub.usage.period_start.local().format("%d %H:%M:%S").to_string(), "01 00:00:00", "calendar month, UTC");
    assert!(sub.limits.messages_per_month >= 1_000_000);

    let history = client.get_usage_history(12, 0).await.unwrap();
    assert_eq!((history.total, history.limit, history.offset, history.has_more), (1, 12, 0, false));
    assert_eq!(history.rows.len(), 1);
    assert_eq!(history.rows[0].message_count, 5);
    assert_eq!(history.rows[0].period_start.0, sub.usage.period_start.local().date());
    assert!(client.get_usage_history(12, 1).await.unwrap().rows.is_empty());

    let invoices = client.get_invoices(12, None).await.unwrap();
    assert!(invoices.invoices.is_empty() && !invoices.has_more);

    for err in [client.create_checkout("pro", "monthly").await.unwrap_err(), client.create_portal(None).await.unwrap_err()] {
        assert_eq!((err.kind(), err.code(), err.status()), (ErrorKind::Api, "BILLING_DISABLED", Some(403)));
        assert!(err.message().contains("self-hosted"), "{}", err.message());
    }
    assert!(client.handle_stripe_webhook(&json!({"type": "invoice.paid"})).await.unwrap());
    let raw = Raw::new(&server.url);
    assert_eq!(raw.post("/v1/billing/webhook", json!({})).await.body, json!({"received": true}));
    raw.get("/v1/billing/usage-history?limit=25&offset=0").await.expect_error(400, "INVALID_REQUEST");
    raw.get("/v1/billing/usage-history?limit=1&offset=-1").await.expect_error(400, "INVALID_REQUEST");
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_write_json_lines_behind_a_signed_link() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let ep = client.create_endpoint(&receiver.url, &Default::default()).await.unwrap();
    let start = Timestamp::now();
    let mut ids = Vec::new();
    for n in 0..4 {
        ids.push(client.send(&ep.id, &json!({"n": n}), &SendOptions::default()).await.unwrap().message_id);
    }
    for id in &ids {
        wait_for_status(&client, id, "succeeded", WAIT).await;
    }
    let end = Timestamp::now();

    let created = client
        .create_export(&CreateExportOptions {
            start_time: start.into(),
            end_time: end.into(),
            status: None,
            endpoint_id: Some(ep.id.clone()),
        })
        .await
        .unwrap();
    assert!(matches!(created.status.as_str(), "pending" | "processing" | "completed"));
    assert_eq!(created.filter_endpoint_id.as_deref(), Some(ep.id.as_str()));
    assert_eq!(created.filter_start_time.unix_millis(), start.unix_millis());
    let done = eventually("the export to complete", WAIT, || {
        let client = client.clone();
        let id = created.id.clone();
        async move { client.get_export(&id).await.ok().filter(|e| e.status == "completed") }
    })
    .await;
    assert_eq!(done.row_count, Some(4));
    assert!(done.file_size_bytes.unwrap() > 0);
    let (completed, expires) = (done.completed_at.unwrap().unix_millis(), done.expires_at.unwrap().unix_millis());
    assert_eq!(expires - completed, 7 * 24 * 3600 * 1000, "downloadable for 7 days");
    assert_eq!(client.list_exports().await.unwrap().iter().map(|e| e.id.clone()).collect::<Vec<_>>(), vec![created.id.clone()]);

    let link = client.download_export(&created.id).await.unwrap();
    assert!(link.starts_with(&format!("{}/v1/exports/{}/file?", server.url, created.id)), "{link}");
    let http = reqwest::Client::new();
    let file = http.get(&link).send().await.unwrap();
    assert_eq!(file.status(), 200);
    let text = file.text().await.unwrap();
    assert_eq!(text.len() as i64, done.file_size_bytes.unwrap());
    let rows: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 4);
    let mut exported: Vec<String> = rows.iter().map(|r| r["message_id"].as_str().unwrap().to_owned()).collect();
    exported.reverse();
    assert_eq!(exported, ids);
    assert!(rows.iter().all(|r| r["status"] == "succeeded" && r["endpoint"] == receiver.url.as_str()));

    // The link is signed: a changed token or expiry is refused; an expired link is gone.
    let tampered = link.replace("token=", "token=0");
    assert_eq!(http.get(&tampered).send().await.unwrap().status(), 403);
    let expires_at = link.split("expires=").nth(1).unwrap().parse::<i64>().unwrap();
    let moved = link.replace(&format!("expires={expires_at}"), &format!("expires={}", expires_at + 1));
    assert_eq!(http.get(&moved).send().await.unwrap().status(), 403);
    let raw = Raw::with_key(&server.url, None);
    let old = raw.get(&link.replace(&format!("expires={expires_at}"), "expires=1000")).await;
    old.expect_error(410, "EXPORT_EXPIRED");
    // An expiry whose milliseconds overflow is refused with the envelope, not a panic.
    for huge in ["9300000000000000", "9223372036854775807", "-9223372036854775808"] {
        let answer = raw.get(&link.replace(&format!("expires={expires_at}"), &format!("expires={huge}"))).await;
        let m = answer.expect_error(400, "INVALID_REQUEST");
        assert!(m.contains("expires"), "{m}");
    }
    assert_eq!(http.get(&link).send().await.unwrap().status(), 200, "the server still serves the real link");

    // Validation and unknown exports.
    let err = client
        .create_export(&CreateExportOptions { start_time: end.into(), end_time: start.into(), status: None, endpoint_id: None })
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.status()), ("INVALID_REQUEST", Some(400)));
    let err = client
        .create_export(&CreateExportOptions {
            start_time: TimeArg::Text("soon".into()),
            end_time: end.into(),
            status: None,
            endpoint_id: None,
        })
        .await
        .unwrap_err();
    assert!(err.message().contains("start_time"), "{}", err.message());
    // Years a four-digit date cannot name are refused, not stored.
    let far = Raw::new(&server.url)
        .post("/v1/exports", serde_json::json!({"start_time": "2020-01-01T00:00:00Z", "end_time": "+99999-01-01T00:00:00Z"}))
        .await;
    let m = far.expect_error(400, "INVALID_REQUEST");
    assert!(m.contains("end_time must be between 1970-01-01 and 9999-12-31"), "{m}");
    let m = Raw::new(&server.url)
        .post("/v1/exports", serde_json::json!({"start_time": "2020-01-01T00:00:00Z", "end_time": "2021-01-01T00:00:00Z", "endpoint_id": "garbage"}))
        .await
        .expect_error(400, "INVALID_REQUEST");
    assert!(m.contains("endpoint_id"), "{m}");
    let err = client
        .create_export(&CreateExportOptions {
            start_time: start.into(),
            end_time: end.into(),
            status: Some("lost".into()),
            endpoint_id: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_REQUEST");
    assert_eq!(client.get_export("01900000-0000-7000-8000-000000000000").await.unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(client.download_export("01900000-0000-7000-8000-000000000000").await.unwrap_err().kind(), ErrorKind::NotFound);

    // Filters apply: a status filter that matches nothing writes an empty file.
    let empty = client
        .create_export(&CreateExportOptions {
            start_time: TimeArg::Text("2020-01-01T00:00:00".into()),
            end_time: end.into(),
            status: Some("failed_permanent".into()),
            endpoint_id: None,
        })
        .await
        .unwrap();
    let empty = eventually("the empty export", WAIT, || {
        let client = client.clone();
        let id = empty.id.clone();
        async move { client.get_export(&id).await.ok().filter(|e| e.status == "completed") }
    })
    .await;
    assert_eq!((empty.row_count, empty.file_size_bytes), (Some(0), Some(0)));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_that_cannot_be_written_fails_and_is_never_ready() {
    if crate::harness::backend::is_postgres() {
        println!("an export's file only exists on SQLite (PostgreSQL keeps the content in the database); skipped");
        return;
    }
    let server = Server::start(&[]);
    let client = server.client();
    // A plain file where the exports directory should be: the job cannot write its file.
    std::fs::write(server.data_dir.join("exports"), b"in the way").unwrap();
    let created = client
        .create_export(&CreateExportOptions {
            start_time: TimeArg::Text("2020-01-01T00:00:00Z".into()),
            end_time: Timestamp::now().into(),
            status: None,
            endpoint_id: None,
        })
        .await
        .unwrap();
    let failed = eventually("the export to fail", WAIT, || {
        let client = client.clone();
        let id = created.id.clone();
        async move { client.get_export(&id).await.ok().filter(|e| e.status == "failed") }
    })
    .await;
    assert!(failed.error_message.as_deref().is_some_and(|m| !m.is_empty()));
    let err = client.download_export(&created.id).await.unwrap_err();
    assert_eq!((err.kind(), err.code(), err.status()), (ErrorKind::Api, "EXPORT_NOT_READY", Some(409)));
}
