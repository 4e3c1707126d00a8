//! Where the API key and URLs come from: a flag, else the environment (`HOOKBRIDGE_API_KEY`,
//! `HOOKBRIDGE_BASE_URL`, `HOOKBRIDGE_SEND_URL`), else the profile file `hb login` writes.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::args::Global;
use crate::failure::Failure;

/// Environment variable naming the profile file.
pub const PROFILE_ENV: &str = "HOOKBRIDGE_PROFILE";

/// The profile file's content.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The API key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// The API base URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// The send URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_url: Option<String>,
}

/// The profile file's path: `--profile`, `$HOOKBRIDGE_PROFILE`, else
/// `$XDG_CONFIG_HOME/hookbridge/profile.toml` (or `~/.config/…`).
pub fn profile_path(global: &Global) -> Option<PathBuf> {
    if let Some(path) = &global.profile {
        return Some(path.clone());
    }
    if let Some(path) = std::env::var_os(PROFILE_ENV).filter(|p| !p.is_empty()) {
        return Some(path.into());
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".config")))?;
    Some(config.join("hookbridge").join("profile.toml"))
}

/// Reads the profile (an absent file is an empty profile).
pub fn read_profile(path: &Path) -> Result<Profile, Failure> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            toml::from_str(&text).map_err(|e| Failure::usage(format!("the profile {} is not valid: {e}", path.display())))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Profile::default()),
        Err(e) => Err(Failure::usage(format!("cannot read the profile {}: {e}", path.display()))),
    }
}

/// Writes the profile readable by its owner only (mode 0600, also when it existed).
pub fn write_profile(path: &Path, profile: &Profile) -> Result<(), Failure> {
    let fail = |e: std::io::Error| Failure::usage(format!("cannot write the profile {}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let text = toml::to_string(profile).map_err(|e| Failure::usage(format!("cannot encode the profile: {e}")))?;
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path).map_err(fail)?;
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).map_err(fail)?;
    file.write_all(text.as_bytes()).map_err(fail)
}

/// A flag, else a non-empty environment variable.
fn flag_or_env(flag: &Option<String>, env: &str) -> Option<String> {
    flag.clone().or_else(|| std::env::var(env).ok().filter(|v| !v.is_empty()))
}

/// The settings in force: flags, then environment, then profile.
pub fn resolve(global: &Global) -> Result<Profile, Failure> {
    let stored = match profile_path(global) {
        Some(path) => read_profile(&path)?,
        None => Profile::default(),
    };
    Ok(Profile {
        api_key: flag_or_env(&global.api_key, "HOOKBRIDGE_API_KEY").or(stored.api_key),
        base_url: flag_or_env(&global.base_url, "HOOKBRIDGE_BASE_URL").or(stored.base_url),
        send_url: flag_or_env(&global.send_url, "HOOKBRIDGE_SEND_URL").or(stored.send_url),
    })
}

/// The core client for these settings; the send URL defaults to the base URL (one server
/// serves both on a self-hosted install).
pub fn client(settings: &Profile) -> Result<hookbridge::Client, Failure> {
    let key = settings
        .api_key
        .clone()
        .ok_or_else(|| Failure::usage("no API key: pass --api-key, set HOOKBRIDGE_API_KEY, or run `hb login`".to_owned()))?;
    let mut config = hookbridge::ClientConfig::new(key).with_user_agent(concat!("hookbridge-cli/", env!("CARGO_PKG_VERSION")));
    if let Some(base) = &settings.base_url {
        config = config.with_base_url(base);
    }
    if let Some(send) = settings.send_url.as_ref().or(settings.base_url.as_ref()) {
        config = config.with_send_url(send);
    }
    hookbridge::Client::new(config).map_err(Failure::from)
}
