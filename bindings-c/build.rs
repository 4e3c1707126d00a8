//! Gives the shared library the soname it is installed under (`libhookbridge.so`), so programs
//! linked with `-lhookbridge` load it by that name rather than the cargo name `libhookbridge_c.so`.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" || os == "freebsd" || os == "android" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libhookbridge.so");
    }
}
