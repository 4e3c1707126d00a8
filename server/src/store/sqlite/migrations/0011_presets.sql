-- Inbound verification presets: `custom` (the default, every existing endpoint) keeps the
-- generic HMAC and token settings; the others verify a provider's own signature headers with
-- `hmac_secret`.
ALTER TABLE inbound_endpoints ADD COLUMN verification_preset TEXT NOT NULL DEFAULT 'custom'
    CHECK (verification_preset IN ('custom', 'stripe', 'github', 'shopify', 'slack', 'standard_webhooks'));
