//! The uniffi bindings generator, built with `--features bindgen-cli`:
//! `cargo run -p hookbridge-uniffi --features bindgen-cli --bin uniffi-bindgen -- generate <cdylib> --language kotlin --out-dir <dir> --no-format`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
