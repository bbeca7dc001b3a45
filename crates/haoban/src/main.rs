//! The `haoban` command.

use std::process::ExitCode;

use clap::Parser;

mod cli;
mod clock;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::run(args, &clock::SystemClock)
}
