//! The `xunshi` binary: the server and the operator's commands.

mod cli;
mod commands;
mod config;
mod demo;
mod ldap;
mod mail;
mod oidc;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("xunshi: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xunshi: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
