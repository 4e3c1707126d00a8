//! One module per command group; each runs against the core client and prints its result.

mod dlq;
mod endpoints;
mod export;
mod inbound;
mod listen;
mod logs;
mod messages;
mod send;

use hookbridge::{TimeArg, Timestamp};

use crate::args::{Cli, Command};
use crate::failure::Failure;
use crate::settings;

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    let format = cli.global.output;
    if let Command::Login(login) = &cli.command {
        return login_command(&cli.global, login);
    }
    if let Command::Completions(c) = &cli.command {
        let mut command = <Cli as clap::CommandFactory>::command();
        clap_complete::generate(c.shell, &mut command, "hb", &mut std::io::stdout());
        return Ok(());
    }
    let client = settings::client(&settings::resolve(&cli.global)?)?;
    match cli.command {
        Command::Send(args) => send::run(&client, format, args).await,
        Command::Endpoints(args) => endpoints::run(&client, format, args).await,
        Command::Messages(args) => messages::run(&client, format, args).await,
        Command::Logs(args) => logs::run(&client, format, args).await,
        Command::Dlq(args) => dlq::run(&client, format, args).await,
        Command::Inbound(args) => inbound::run(&client, format, args).await,
        Command::Export(args) => export::run(&client, args).await,
        Command::Listen(args) => listen::run(&client, format, args).await,
        Command::Login(_) | Command::Completions(_) => Ok(()),
    }
}

/// `hb login`: saves the key (and any URLs given) to the profile, mode 0600.
fn login_command(global: &crate::args::Global, login: &crate::args::Login) -> Result<(), Failure> {
    let path = settings::profile_path(global)
        .ok_or_else(|| Failure::usage("no profile location: set HOME, XDG_CONFIG_HOME or --profile".to_owned()))?;
    let resolved = settings::Profile { api_key: login.key.clone(), ..settings::resolve(global)? };
    let api_key = match resolved.api_key.clone().or_else(|| global.api_key.clone()) {
        Some(key) => key,
        None => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).map_err(|e| Failure::usage(format!("cannot read the key from stdin: {e}")))?;
            line.trim().to_owned()
        }
    };
    if api_key.is_empty() {
        return Err(Failure::usage("no API key given: pass --key, or type it on stdin".to_owned()));
    }
    let profile = settings::Profile { api_key: Some(api_key), ..resolved };
    settings::write_profile(&path, &profile)?;
    eprintln!("saved to {} (readable by you only)", path.display());
    Ok(())
}

/// Reads a time argument (RFC 3339).
pub fn time_arg(name: &str, text: &str) -> Result<TimeArg, Failure> {
    Timestamp::parse(text)
        .map(TimeArg::At)
        .map_err(|e| Failure::usage(format!("--{name} must be an RFC 3339 time such as 2026-01-31T00:00:00Z: {e}")))
}
