//! The `xunshi` binary: the server and the operator's commands.

mod cli;
mod commands;
mod config;
mod demo;
mod ldap;
mod mail;
mod oidc;

use clap::Parser;

/// jemalloc, not glibc's allocator: glibc gives each thread that allocates under contention an
/// arena of its own (the runtime's workers, every SQLite connection's thread) and keeps what is
/// freed there, so the server's resident memory grew with each burst of writes and never came
/// back. jemalloc returns freed pages over time, and is also the faster of the two here.
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
