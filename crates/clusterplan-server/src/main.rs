//! The `clusterplan` binary: parses the command line and hands over to the library.

use clap::Parser;
use clusterplan_server::cli::{Cli, Command, ConfigCommand, LogFormat};
use clusterplan_server::config::Config;

/// mimalloc rather than glibc's malloc: a request allocates and frees many small buffers from
/// both worker threads (rows, JSON, headers), where glibc's arenas spent ~10 % of the server's
/// CPU on a feature by id (BENCHMARKS.md, "Where the server's time went").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => {
            // The configuration file may choose the log format: resolve it first.
            let config = Config::resolve(args, cli.log_format)?;
            init_logging(config.log_format);
            clusterplan_server::serve(config).await
        }
        Command::Config(ConfigCommand::Check { file, mut serve }) => {
            if file.is_some() {
                serve.config = file;
            }
            let config = Config::resolve(*serve, cli.log_format)?;
            print!("{}", config.to_toml());
            Ok(())
        }
        command => {
            init_logging(cli.log_format.unwrap_or_default());
            match command {
                Command::User(command) => clusterplan_server::admin::user(command).await,
                Command::Token(command) => clusterplan_server::admin::token(command).await,
                Command::Import(args) => clusterplan_server::import::command(*args).await,
                Command::Backup { out, db } => clusterplan_server::backup::backup(&db.store()?, &out).await,
                Command::Restore { input, db } => clusterplan_server::backup::restore(&input, &db.store()?).await,
                Command::Serve(_) | Command::Config(_) => unreachable!("handled above"),
            }
        }
    }
}

/// Log lines go to stderr, filtered by `CLUSTERPLAN_LOG` (tracing's `EnvFilter` syntax).
///
/// Colours only on a terminal: the journal of the systemd unit, a file or a pipe gets plain
/// text, which `journalctl`, `grep` and log shippers read as it is. On a terminal the
/// subscriber's own default applies (colours, unless `NO_COLOR` is set).
fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("CLUSTERPLAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let mut builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if !std::io::stderr().is_terminal() {
        builder = builder.with_ansi(false);
    }
    match format {
        LogFormat::Text => builder.init(),
        // Each line one object; the request span (with its `x-request-id`) comes along.
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).init(),
    }
}
