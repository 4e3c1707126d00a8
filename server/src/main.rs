//! The `hookbridge-server` binary.

use clap::Parser;

/// mimalloc instead of the system allocator: the hot paths allocate many small, short-lived
/// objects (request ids, header maps, statement parameters), which glibc's malloc serves at about
/// twice the instructions (`bench/PROFILE.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let args = hookbridge_server::config::Args::parse();
    let config = match hookbridge_server::config::Config::resolve(args) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("hookbridge-server: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("hookbridge").build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("hookbridge-server: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(hookbridge_server::app::run(config)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("hookbridge-server: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
