//! `haoban admin reseal`: step 3 of rotating the sealing key (docs/personal-data.md).
//! Seals again under the key file's last key what its older keys sealed, a batch per
//! transaction, so the server keeps running meanwhile; then the old keys can be dropped.

use std::process::ExitCode;

use clap::Args;

use super::server::{Database, failed, runtime};

#[derive(Debug, Args)]
pub struct ResealArgs {
    #[command(flatten)]
    database: Database,
    /// Rows per transaction.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    batch: u32,
}

pub fn reseal(args: &ResealArgs) -> ExitCode {
    runtime().block_on(async {
        let store = match args.database.open_existing().await {
            Ok(store) => store,
            Err(err) => return failed(format!("{}: {err}", args.database.describe())),
        };
        let mut total: u64 = 0;
        loop {
            match store.reseal(args.batch).await {
                Ok(0) => break,
                Ok(n) => total += n,
                Err(err) => {
                    return failed(format!("after {total} rows re-sealed: {err}"));
                }
            }
        }
        println!(
            "re-sealed {total} rows of {} under the current key; the older keys may now be \
             removed from the key file",
            args.database.describe()
        );
        ExitCode::SUCCESS
    })
}
