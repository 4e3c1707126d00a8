//! Which provider's signature scheme an inbound endpoint verifies: a named preset
//! (`stripe`, `github`, `shopify`, `slack`, `standard_webhooks`) or `custom`, the generic HMAC
//! and token settings. The verifiers themselves live in `crate::ingest::presets`.

/// An inbound endpoint's verification preset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum VerificationPreset {
    /// The endpoint's own HMAC and token settings (the default; every endpoint created before
    /// presets existed).
    #[default]
    Custom,
    /// Stripe's `Stripe-Signature` (`t=…,v1=…`).
    Stripe,
    /// GitHub's `X-Hub-Signature-256`.
    Github,
    /// Shopify's `X-Shopify-Hmac-Sha256`.
    Shopify,
    /// Slack's `X-Slack-Signature` with `X-Slack-Request-Timestamp`.
    Slack,
    /// Standard Webhooks (`webhook-*` headers, or Svix's `svix-*`).
    StandardWebhooks,
}

impl VerificationPreset {
    /// Every preset, in documentation order.
    pub const ALL: [VerificationPreset; 6] = [
        VerificationPreset::Stripe,
        VerificationPreset::Github,
        VerificationPreset::Shopify,
        VerificationPreset::Slack,
        VerificationPreset::StandardWebhooks,
        VerificationPreset::Custom,
    ];

    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationPreset::Custom => "custom",
            VerificationPreset::Stripe => "stripe",
            VerificationPreset::Github => "github",
            VerificationPreset::Shopify => "shopify",
            VerificationPreset::Slack => "slack",
            VerificationPreset::StandardWebhooks => "standard_webhooks",
        }
    }

    /// The preset spelled `text`, if any (exact, lowercase).
    pub fn parse(text: &str) -> Option<VerificationPreset> {
        VerificationPreset::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// The preset of a stored row. The column only ever holds the spellings above (a CHECK
    /// constraint guards it), so anything else reads as the default.
    pub fn from_stored(text: &str) -> VerificationPreset {
        VerificationPreset::parse(text).unwrap_or_default()
    }

    /// Every spelling, for error messages: `"stripe", "github", …`.
    pub fn spellings() -> String {
        VerificationPreset::ALL.iter().map(|p| format!("{:?}", p.as_str())).collect::<Vec<_>>().join(", ")
    }
}

impl std::fmt::Display for VerificationPreset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_read_back_and_unknown_ones_are_not_guessed() {
        for preset in VerificationPreset::ALL {
            assert_eq!(VerificationPreset::parse(preset.as_str()), Some(preset));
        }
        assert_eq!(VerificationPreset::parse("Stripe"), None);
        assert_eq!(VerificationPreset::parse("svix"), None);
        assert_eq!(VerificationPreset::from_stored("bogus"), VerificationPreset::Custom);
        assert!(VerificationPreset::spellings().contains("\"standard_webhooks\""));
    }
}
