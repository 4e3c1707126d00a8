// The dashboard in headless Chromium: see run.sh. Usage: node dashboard.mjs SERVER_BINARY SCREENSHOT_DIR CHROMIUM
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import assert from "node:assert/strict";

const require = createRequire(process.env.NODE_PATH + "/");
const { chromium } = require("playwright-core");
const [binary, shots, chromiumPath] = process.argv.slice(2);
const deadline = (ms) => Date.now() + ms;

// A receiver that answers 500 until told to recover, then 200.
let failing = true;
let received = 0;
const receiver = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    received += 1;
    res.writeHead(failing ? 500 : 200, { "content-type": "text/plain" });
    res.end(failing ? "receiver down" : "ok");
  });
});
await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}/hook`;

// The server: --dev on a fresh data dir; one attempt, so the failed message reaches the DLQ at once.
const dataDir = mkdtempSync(join(tmpdir(), "hb-ui-"));
const server = spawn(binary, ["--dev", "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--max-attempts", "1"], {
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, HOOKBRIDGE_LOG: "warn" },
});
const base = await new Promise((resolve, reject) => {
  let out = "";
  const timer = setTimeout(() => reject(new Error("the server did not start")), 30000);
  server.stdout.on("data", (chunk) => {
    out += chunk;
    const found = out.match(/hookbridge-server listening on (\S+)/);
    if (found) { clearTimeout(timer); resolve(found[1]); }
  });
  server.on("exit", (code) => reject(new Error(`the server exited with ${code}`)));
});
const key = "hb_test_dev00000000000000000000000000000";
let browser;

async function api(method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) { throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`); }
  return json.data;
}

async function waitForStatus(id, want) {
  const until = deadline(30000);
  for (;;) {
    const m = await api("GET", `/v1/messages/${id}`);
    if (m.status === want) { return m; }
    if (Date.now() > until) { throw new Error(`message ${id} is ${m.status}, expected ${want}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
}

try {
  // Data to look at: an endpoint, one failed message and two that succeed later, an inbound
  // endpoint with a rejected request.
  const endpoint = await api("POST", "/v1/endpoints", { url: receiverUrl, description: "Orders service" });
  const failed = await api("POST", "/v1/webhooks/send", { endpoint_id: endpoint.id, payload: { event: "order.created", id: 42 } });
  const failedId = failed.message_id;
  await waitForStatus(failedId, "failed_permanent");
  failing = false; // the receiver recovers
  try {
    const inbound = await api("POST", "/v1/inbound-endpoints", { url: receiverUrl, name: "Payments" });
    await fetch(inbound.ingest_url, { method: "GET" }); // refused: invalid_method
  } catch (e) {
    console.log(`(no inbound data: ${e.message})`);
  }

  browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const cspErrors = [];
  page.on("console", (m) => { if (m.type() === "error") { cspErrors.push(m.text()); } });

  // Log in with the keyboard.
  await page.goto(`${base}/ui`);
  assert.equal(await page.title(), "Log in · HookBridge");
  await page.getByLabel("API key").fill(key);
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/ui/messages`);
  assert.equal(await page.title(), "Messages · HookBridge");

  // Find the failed message through the status filter.
  await page.getByLabel("Status").selectOption("failed_permanent");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForURL(/status=failed_permanent/);
  await page.screenshot({ path: join(shots, "messages.png"), fullPage: true });
  await page.getByRole("link", { name: failedId }).click();
  await page.waitForURL(`${base}/ui/messages/${failedId}`);
  const firstAttempt = page.locator("#attempts > tbody > tr").first();
  assert.match(await firstAttempt.innerText(), /500/, "the failed attempt shows the receiver's 500");

  // Replay it and see it succeed.
  await page.getByRole("button", { name: "Replay" }).click();
  await page.waitForURL(/done=replayed/);
  await waitForStatus(failedId, "succeeded");
  await page.reload();
  assert.match(await page.locator("main").innerText(), /succeeded/);
  assert.equal(await page.locator("#attempts > tbody > tr").count(), 2, "both attempts are listed");
  assert.match(await page.locator("#attempts > tbody > tr").nth(1).innerText(), /200/);
  await page.screenshot({ path: join(shots, "message-detail.png"), fullPage: true });

  // The other main pages.
  for (const [path, title, file] of [
    ["/ui/endpoints", "Endpoints", "endpoints.png"],
    ["/ui/dlq", "Dead letter queue", "dlq.png"],
    ["/ui/inbound", "Inbound", "inbound.png"],
    ["/ui/metrics?window=1h", "Metrics", "metrics.png"],
  ]) {
    await page.goto(base + path);
    assert.equal(await page.title(), `${title} · HookBridge`);
    if (file === "metrics.png") {
      await page.locator("#chart canvas").waitFor({ timeout: 10000 }); // uPlot drew the chart
    }
    await page.screenshot({ path: join(shots, file), fullPage: true });
  }

  // The endpoint page: open it from the list, edit the description with the keyboard, save.
  await page.goto(`${base}/ui/endpoints`);
  await page.getByRole("link", { name: endpoint.id }).click();
  await page.waitForURL(`${base}/ui/endpoints/${endpoint.id}`);
  assert.equal(await page.title(), `Endpoint ${endpoint.id} · HookBridge`);
  await page.getByLabel("Description (empty: none)").fill("Orders service (edited)");
  await page.getByLabel("Rate limit, requests per second (0: none)").fill("25");
  await page.getByLabel("Description (empty: none)").press("Enter");
  await page.waitForURL(/done=updated/);
  assert.match(await page.locator("main").innerText(), /Endpoint saved\./);
  const edited = await api("GET", `/v1/endpoints/${endpoint.id}`);
  assert.equal(edited.description, "Orders service (edited)", "the edit reached the API");
  assert.equal(edited.rate_limit_rps, 25);
  assert.equal(await page.locator("section[aria-labelledby=keys] tbody tr").count(), 1, "one signing key");
  await page.screenshot({ path: join(shots, "endpoint.png"), fullPage: true });

  // The inbound endpoint page lists the refused request with its reason code.
  await page.goto(`${base}/ui/inbound`);
  if (await page.getByRole("link", { name: "Payments" }).count() > 0) {
    await page.getByRole("link", { name: "Payments" }).click();
    await page.waitForURL(/\/ui\/inbound\/[0-9a-f-]+$/);
    assert.equal(await page.title(), "Inbound endpoint Payments · HookBridge");
    assert.match(await page.locator("section[aria-labelledby=rejections]").innerText(), /invalid_method/);
    await page.screenshot({ path: join(shots, "inbound-endpoint.png"), fullPage: true });
  }
  assert.deepEqual(cspErrors, [], "no console errors (a CSP violation would be one)");

  // Phone width: the endpoints page is readable without horizontal scrolling.
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(`${base}/ui/endpoints`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `no horizontal scrolling at phone width (overflow ${overflow}px)`);
  await page.screenshot({ path: join(shots, "endpoints-phone.png"), fullPage: true });
  await page.goto(`${base}/ui/endpoints/${endpoint.id}`);
  const endpointOverflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(endpointOverflow <= 1, `the endpoint page fits a phone (overflow ${endpointOverflow}px)`);
  await page.screenshot({ path: join(shots, "endpoint-phone.png"), fullPage: true });

  // An action without the CSRF token is refused: POST from the page's own origin, with its cookie.
  const refused = await page.evaluate(async (id) => {
    const r = await fetch(`/ui/endpoints/${id}/pause`, { method: "POST", body: new URLSearchParams({}) });
    return r.status;
  }, endpoint.id);
  assert.equal(refused, 403, "an action without the CSRF token is refused");
  assert.equal((await api("GET", `/v1/endpoints/${endpoint.id}`)).paused, false, "and changed nothing");
  console.log(`ui: passed (screenshots in ${shots}; receiver got ${received} requests)`);
} finally {
  if (browser) { await browser.close(); }
  server.kill("SIGTERM");
  receiver.close();
  await new Promise((r) => setTimeout(r, 300));
  rmSync(dataDir, { recursive: true, force: true });
}
