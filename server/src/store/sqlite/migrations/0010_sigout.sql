-- How an outbound endpoint's deliveries are signed: hookbridge (X-Webhook-* headers, the
-- default for every existing endpoint) or standard_webhooks (webhook-* headers).
ALTER TABLE endpoints ADD COLUMN signature_scheme TEXT NOT NULL DEFAULT 'hookbridge';
