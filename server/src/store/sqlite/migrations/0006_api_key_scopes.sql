-- API key scopes: `project` keys act inside their own project; `admin` keys also manage
-- projects and keys across the tenant. Keys made by bootstrap (the first key, and any key
-- configured with --api-key / HOOKBRIDGE_API_KEY or --dev) carry no label, while keys made
-- through the API always do (possibly ""): those become admin, as does the first key ever
-- stored. Every other existing key keeps acting only inside its project.
ALTER TABLE api_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'project'; -- project | admin
UPDATE api_keys SET scope = 'admin' WHERE label IS NULL OR rowid = (SELECT MIN(rowid) FROM api_keys);

-- Facts about the data dir itself, e.g. `created_mode` (dev | production).
CREATE TABLE server_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
