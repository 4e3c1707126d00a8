//! Logs (filters and cursor pagination), metrics and time series, and the dead letter queue.

use hookbridge::{CreateEndpointOptions, ErrorKind, LogsQuery, Page, SendOptions, TimeArg, Timestamp};
use serde_json::json;

use crate::harness::{Answer, Receiver, Server, wait_for_status};
use crate::support::{Raw, WAIT};

#[tokio::test(flavor = "multi_thread")]
async fn logs_filter_and_paginate_newest_first() {
    let server = Server::start(&[]);
    let client = server.client();
    let held = client.create_endpoint("http://127.0.0.1:9/held", &Default::default()).await.unwrap();
    client.pause_endpoint(&held.id).await.unwrap();
    let receiver = Receiver::start().await;
    let live = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();

    let before = Timestamp::now();
    let mut held_ids = Vec::new();
    for n in 0..7 {
        held_ids.push(client.send(&held.id, &json!({"n": n}), &SendOptions::default()).await.unwrap().message_id);
    }
    let delivered = client.send(&live.id, &json!({"n": "live"}), &SendOptions::default()).await.unwrap().message_id;
    wait_for_status(&client, &delivered, "succeeded", WAIT).await;

    // Everything, newest first.
    let all = client.get_logs(&LogsQuery::default()).await.unwrap();
    assert_eq!(all.messages.len(), 8);
    assert!(!all.has_more && all.next_cursor.is_none());
    assert_eq!(all.messages[0].message_id, delivered);
    assert_eq!(all.messages[0].endpoint, receiver.url, "endpoint is the destination URL");
    assert_eq!((all.messages[0].status.as_str(), all.messages[0].attempt_count), ("succeeded", 1));
    assert!(all.messages[0].delivered_at.is_some());
    assert_eq!(all.messages[0].response_status, Some(200));

    // Status filter, including the server's `paused`, with pagination.
    let mut query = LogsQuery { status: Some("paused".into()), limit: Some(3), ..Default::default() };
    let mut seen = Vec::new();
    loop {
        let page = client.get_logs(&query).await.unwrap();
        assert!(page.messages.iter().all(|m| m.status == "paused"));
        seen.extend(page.messages.into_iter().map(|m| m.message_id));
        if !page.has_more {
            break;
        }
        query.cursor = page.next_cursor;
    }
    held_ids.reverse();
    assert_eq!(seen, held_ids);
    let succeeded = client.get_logs(&LogsQuery { status: Some("succeeded".into()), ..Default::default() }).await.unwrap();
    assert_eq!(succeeded.messages.len(), 1);

    // Time filters: `Z`, `+00:00` and naive values (UTC) all work; both bounds are inclusive.
    let after = Timestamp::now();
    for start in [
        TimeArg::At(before),
        TimeArg::Text(before.to_rfc3339()),
        TimeArg::Text(before.local().format("%Y-%m-%dT%H:%M:%S%.3f").to_string()),
    ] {
        let page = client
            .get_logs(&LogsQuery { start_time: Some(start.clone()), end_time: Some(after.into()), ..Default::default() })
            .await
            .unwrap();
        assert_eq!(page.messages.len(), 8, "start {start:?}");
    }
    let future = TimeArg::At(Timestamp::from_unix_millis(after.unix_millis() + 60_000));
    assert!(client.get_logs(&LogsQuery { start_time: Some(future), ..Default::default() }).await.unwrap().messages.is_empty());
    let past = TimeArg::At(Timestamp::from_unix_millis(before.unix_millis() - 1));
    assert!(client.get_logs(&LogsQuery { end_time: Some(past), ..Default::default() }).await.unwrap().messages.is_empty());

    // endpoint_id filter (a server extension; 1.4.0 does not send it).
    let raw = Raw::new(&server.url);
    let by_endpoint = raw.get(&format!("/v1/logs?endpoint_id={}", live.id)).await;
    let items = by_endpoint.expect_ok(200).as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["endpoint_id"], live.id.as_str());
    assert_eq!(by_endpoint.body["meta"]["has_more"], false);
    assert!(by_endpoint.body["meta"].get("next_cursor").is_some(), "next_cursor is always present");

    raw.get("/v1/logs?limit=501").await.expect_error(400, "INVALID_REQUEST");
    raw.get("/v1/logs?limit=0").await.expect_error(400, "INVALID_REQUEST");
    raw.get("/v1/logs?status=lost").await.expect_error(400, "INVALID_REQUEST");
    let m = raw.get("/v1/logs?start_time=yesterday").await.expect_error(400, "INVALID_REQUEST");
    assert!(m.contains("start_time"), "{m}");
    raw.get("/v1/logs?cursor=bm90LWEtY3Vyc29y").await.expect_error(400, "INVALID_REQUEST");
    let m = raw.get("/v1/logs?endpoint_id=garbage").await.expect_error(400, "INVALID_REQUEST");
    assert!(m.contains("endpoint_id must be in format ep_"), "{m}");
    let m = raw.get("/v1/logs?start_time=%2B99999-01-01T00:00:00Z").await.expect_error(400, "INVALID_REQUEST");
    assert!(m.contains("start_time must be between 1970-01-01 and 9999-12-31"), "{m}");
    assert_eq!(raw.get("/v1/logs?limit=500").await.expect_ok(200).as_array().unwrap().len(), 8);
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_messages_and_attempts_per_window() {
    let server = Server::start(&[]);
    let client = server.client();
    let ok = Receiver::start().await;
    let bad = Receiver::start().await;
    bad.fallback(Answer::status(400));
    let ok_ep = client.create_endpoint(&ok.url, &Default::default()).await.unwrap();
    let bad_ep = client.create_endpoint(&bad.url, &Default::default()).await.unwrap();
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push((client.send(&ok_ep.id, &json!({"n": n}), &SendOptions::default()).await.unwrap().message_id, "succeeded"));
    }
    ids.push((client.send(&bad_ep.id, &json!({"n": 9}), &SendOptions::default()).await.unwrap().message_id, "failed_permanent"));
    for (id, status) in &ids {
        wait_for_status(&client, id, status, WAIT).await;
    }
    // One replay of the failed message: a second attempt, counted as a retry.
    client.replay(&ids[3].0).await.unwrap();
    bad.wait_for(2, WAIT).await;
    wait_for_status(&client, &ids[3].0, "failed_permanent", WAIT).await;

    for window in ["1h", "24h", "7d", "30d"] {
        let m = client.get_metrics(window).await.unwrap();
        assert_eq!(m.window, window);
        assert_eq!((m.total_messages, m.succeeded, m.failed, m.retries), (4, 3, 1, 1), "{window}");
        assert!((m.success_rate - 0.75).abs() < 1e-9);
        assert!(m.avg_latency_ms >= 0);
    }
    let raw = Raw::new(&server.url);
    let per_endpoint = raw.get(&format!("/v1/metrics?window=1h&endpoint_id={}", bad_ep.id)).await;
    let data = per_endpoint.expect_ok(200);
    assert_eq!((data["total_messages"].clone(), data["failed"].clone(), data["retries"].clone()), (json!(1), json!(1), json!(1)));
    assert_eq!(raw.get("/v1/metrics").await.expect_ok(200)["window"], "24h");
    let m = raw.get("/v1/metrics?window=1h&endpoint_id=garbage").await.expect_error(400, "INVALID_REQUEST");
    assert!(m.contains("endpoint_id"), "{m}");
    raw.get("/v1/metrics/timeseries?endpoint_id=ep_x").await.expect_error(400, "INVALID_REQUEST");
    let m = raw.get("/v1/metrics?window=2h").await.expect_error(400, "INVALID_REQUEST");
    assert!(m.contains("window"), "{m}");
    let err = client.get_metrics("90d").await.unwrap_err();
    assert_eq!((err.code(), err.status()), ("INVALID_REQUEST", Some(400)));

    for (window, buckets, width_ms) in
        [("1h", 12, 300_000), ("24h", 24, 3_600_000), ("7d", 28, 21_600_000), ("30d", 30, 86_400_000)]
    {
        let series = client.get_timeseries_metrics(window, None).await.unwrap();
        assert_eq!((series.window.as_str(), series.buckets.len()), (window, buckets));
        let starts: Vec<i64> = series.buckets.iter().map(|b| b.timestamp.unix_millis()).collect();
        assert!(starts.iter().all(|s| s % width_ms == 0), "{window}: UTC-aligned");
        assert!(starts.windows(2).all(|w| w[1] - w[0] == width_ms), "{window}: consecutive, oldest first");
        let total: i64 = series.buckets.iter().map(|b| b.total).sum();
        let succeeded: i64 = series.buckets.iter().map(|b| b.succeeded).sum();
        let failed: i64 = series.buckets.iter().map(|b| b.failed).sum();
        assert_eq!((total, succeeded, failed), (4, 3, 1), "{window}");
    }
    let one = client.get_timeseries_metrics("24h", Some(&ok_ep.id)).await.unwrap();
    assert_eq!(one.buckets.iter().map(|b| b.total).sum::<i64>(), 3);
    assert_eq!(one.buckets.iter().map(|b| b.failed).sum::<i64>(), 0);
    raw.get("/v1/metrics/timeseries?window=1y").await.expect_error(400, "INVALID_REQUEST");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dlq_lists_failed_messages_and_replays_them() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    receiver.fallback(Answer::status(404));
    let ep = client.create_endpoint(&receiver.url, &Default::default()).await.unwrap();
    let mut ids = Vec::new();
    for n in 0..3 {
        let id = client.send(&ep.id, &json!({"n": n}), &SendOptions::default()).await.unwrap().message_id;
        wait_for_status(&client, &id, "failed_permanent", WAIT).await;
        ids.push(id);
    }
    let ok = Receiver::start().await;
    let ok_ep = client.create_endpoint(&ok.url, &Default::default()).await.unwrap();
    let fine = client.send(&ok_ep.id, &json!({"fine": true}), &SendOptions::default()).await.unwrap().message_id;
    wait_for_status(&client, &fine, "succeeded", WAIT).await;

    let first = client.get_dlq_messages(&Page::limit(2)).await.unwrap();
    assert_eq!(first.messages.len(), 2);
    assert!(first.has_more);
    let rest = client.get_dlq_messages(&Page { limit: Some(2), cursor: first.next_cursor.clone() }).await.unwrap();
    assert_eq!(rest.messages.len(), 1);
    assert!(!rest.has_more);
    let listed: Vec<String> = first.messages.iter().chain(&rest.messages).map(|m| m.message_id.clone()).collect();
    assert_eq!(listed, ids.iter().rev().cloned().collect::<Vec<_>>());
    assert!(first.messages.iter().all(|m| m.status == "failed_permanent" && m.response_status == Some(404)));

    let raw = Raw::new(&server.url);
    let page = raw.get("/v1/dlq/messages").await;
    let data = page.expect_ok(200);
    assert_eq!(data["has_more"], false);
    assert!(data.get("next_cursor").is_some());
    let items = data["messages"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|i| i["failed_at"].as_str().is_some_and(|t| t.ends_with('Z'))), "failed_at on every item");
    raw.get("/v1/dlq/messages?limit=501").await.expect_error(400, "INVALID_REQUEST");

    receiver.fallback(Answer::status(200));
    let replayed = raw.post(&format!("/v1/dlq/replay/{}", ids[0]), json!({})).await;
    assert_eq!(replayed.expect_ok(200), &json!({"message_id": ids[0], "status": "replayed"}));
    wait_for_status(&client, &ids[0], "succeeded", WAIT).await;
    client.replay_from_dlq(&ids[1]).await.unwrap();
    wait_for_status(&client, &ids[1], "succeeded", WAIT).await;
    assert_eq!(client.get_dlq_messages(&Page::default()).await.unwrap().messages.len(), 1);

    let m = raw.post(&format!("/v1/dlq/replay/{fine}"), json!({})).await.expect_error(400, "INVALID_REQUEST");
    assert!(m.contains("not in DLQ"), "{m}");
    assert_eq!(client.replay_from_dlq("01900000-0000-7000-8000-000000000000").await.unwrap_err().kind(), ErrorKind::NotFound);
}
