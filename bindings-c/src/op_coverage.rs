//! The generation check of the C API: every operation of the core client (`pub async fn` in
//! core/src/api/*.rs) has a C function `hb_<name>` or `hb_<name>_json` in this crate, so an
//! operation added to the core fails `cargo test -p hookbridge-c` until it is exported here.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// Core operations reached through a C function of another name, with the reason.
const ALIASES: &[(&str, &str, &str)] = &[(
    "create_inbound_endpoint_with",
    "hb_create_inbound_endpoint_json",
    "the 2.0.0 form of create_inbound_endpoint: the C function takes a NULL url for a cli-mode endpoint",
)];

/// The names after `marker` (up to the first character that cannot be in an identifier) in every
/// `.rs` file of `dir`.
fn names_after(dir: &Path, marker: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        for (i, _) in text.match_indices(marker) {
            let rest = &text[i + marker.len()..];
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                names.insert(name);
            }
        }
    }
    names
}

#[test]
fn every_core_operation_has_a_c_function() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let operations = names_after(&here.join("../core/src/api"), "pub async fn ");
    let exported = names_after(&here.join("src"), "extern \"C\" fn ");
    assert!(operations.len() > 80, "found only {} core operations: is the core layout unchanged?", operations.len());
    let missing: Vec<&String> = operations
        .iter()
        .filter(|op| {
            let alias = ALIASES.iter().find(|(name, _, _)| name == op).map(|(_, c, _)| *c);
            match alias {
                Some(c_name) => !exported.contains(c_name),
                None => !exported.contains(&format!("hb_{op}")) && !exported.contains(&format!("hb_{op}_json")),
            }
        })
        .collect();
    assert!(missing.is_empty(), "core operations without a C function (hb_NAME or hb_NAME_json): {missing:?}");
    for (name, _, _) in ALIASES {
        assert!(operations.contains(*name), "alias for {name}, which is no longer a core operation");
    }
}
