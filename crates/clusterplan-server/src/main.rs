//! The `clusterplan` binary: parses the command line and hands over to the library.

use clap::Parser;
use clusterplan_server::cli::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CLUSTERPLAN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Serve(args) => clusterplan_server::serve(args.resolve()?).await,
        Command::User(command) => clusterplan_server::admin::user(command).await,
        Command::Token(command) => clusterplan_server::admin::token(command).await,
    }
}
