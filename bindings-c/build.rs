//! Gives the shared library its versioned soname, `libhookbridge.so.<major>` (from the workspace
//! version), so programs linked with `-lhookbridge` record and later load that name, rather than
//! the cargo name `libhookbridge_c.so`. The Makefile and install.sh lay out the matching files:
//! `libhookbridge.so.<major>.<minor>.<patch>` with the symlinks `.so.<major>` and `.so`.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".to_owned());
    if os == "linux" || os == "freebsd" || os == "android" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libhookbridge.so.{major}");
    }
}
