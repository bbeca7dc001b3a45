//! Command-line interface: argument parsing and one module per command group.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use haoban_catalog::{Catalog, Locale};

use haoban_cases::Clock;

mod accounts;
mod backup;
mod calendar;
mod catalog;
mod demo;
mod guide;
mod notice;
mod prereview;
mod report;
mod reseal;
mod scan;
mod server;
mod sim;

#[derive(Debug, Parser)]
#[command(
    name = "haoban",
    version,
    about = "好办 haoban: a one-window community service center"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a catalog or show an item's service guide (办事指南).
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Pre-review (准确预审): which items an applicant qualifies for and everything to bring, once.
    Prereview(prereview::PrereviewArgs),
    /// Working-day calendar.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Run the service center: the HTTP API on SQLite (default ./haoban.db) or PostgreSQL.
    Serve(server::ServeArgs),
    /// A demo center: a simulated year on its own SQLite file (./haoban-demo.db), with
    /// staff accounts, served like `serve`.
    Demo(demo::DemoArgs),
    /// Simulate days of a center into a store, or `sim what-if` the waits with N windows.
    Sim(sim::SimArgs),
    /// Bring a PostgreSQL database's schema up to date (SQLite does this at start).
    Migrate(server::MigrateArgs),
    /// Staff accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// The process record.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Reports from the process record.
    #[command(subcommand)]
    Report(ReportCommand),
    /// A consistent copy of the whole store, taken while the server runs, checked after.
    Backup(backup::BackupArgs),
    /// Put a backup back: into a new SQLite file or an empty PostgreSQL database, only
    /// once its process record is proved intact.
    Restore(backup::RestoreArgs),
    /// Proactive benefits (免申即享): the catalog's proactive items judged for a whole
    /// population registry (CSV), and with --offer the offers residents confirm (一键即享).
    Scan(scan::ScanArgs),
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// The monthly 5-dimension list (5个维度) of a center's staff: stored, or computed from
    /// the process record.
    Monthly(report::MonthlyArgs),
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create a staff account; the password is read from standard input. Administrators
    /// (sysadmin, secadmin, auditor) get a TOTP key, printed once.
    CreateUser(accounts::CreateUserArgs),
    /// Issue an account a new TOTP key (printed once); the old one stops working.
    IssueTotp(accounts::IssueTotpArgs),
    /// Print the current code of a TOTP key, as an authenticator app shows it.
    TotpCode(accounts::TotpCodeArgs),
    /// Seal personal data again under the key file's current key (after adding one).
    Reseal(reseal::ResealArgs),
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Prove the hash chain intact (exit 0) or name the first bad event (exit 1).
    Verify(server::VerifyArgs),
}

#[derive(Debug, Subcommand)]
enum CatalogCommand {
    /// Validate a catalog directory; prints one `file:line:col: message` per problem.
    Check {
        /// The catalog directory.
        dir: PathBuf,
    },
    /// Print an item's service guide: conditions, materials, promised days, channels.
    Show(catalog::ShowArgs),
}

#[derive(Debug, Subcommand)]
enum CalendarCommand {
    /// Print the date of the N-th working day after --from.
    Deadline(calendar::DeadlineArgs),
}

/// Language of printed texts.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Lang {
    Zh,
    En,
}

#[derive(Debug, Args)]
pub struct LangArg {
    /// Language of the printed text (default: the catalog's default locale).
    #[arg(long, value_enum)]
    lang: Option<Lang>,
}

impl LangArg {
    fn locale(&self, catalog: &Catalog) -> Locale {
        match self.lang {
            Some(Lang::Zh) => Locale::Zh,
            Some(Lang::En) => Locale::En,
            None => catalog.default_locale,
        }
    }
}

/// Exit status for input the command cannot use (spec: bad pre-review input exits 2).
const BAD_INPUT: u8 = 2;

pub fn run(cli: Cli, clock: &dyn Clock) -> ExitCode {
    match cli.command {
        Command::Catalog(CatalogCommand::Check { dir }) => catalog::check(&dir),
        Command::Catalog(CatalogCommand::Show(args)) => catalog::show(&args),
        Command::Prereview(args) => prereview::run(&args, clock),
        Command::Calendar(CalendarCommand::Deadline(args)) => calendar::deadline(&args),
        Command::Serve(args) => server::serve(&args),
        Command::Demo(args) => demo::run(&args, clock),
        Command::Sim(args) => sim::run(&args, clock),
        Command::Migrate(args) => server::migrate(&args),
        Command::Admin(AdminCommand::CreateUser(args)) => accounts::create_user(&args),
        Command::Admin(AdminCommand::IssueTotp(args)) => accounts::issue_totp(&args),
        Command::Admin(AdminCommand::TotpCode(args)) => accounts::totp_code(&args),
        Command::Admin(AdminCommand::Reseal(args)) => reseal::reseal(&args),
        Command::Audit(AuditCommand::Verify(args)) => server::audit_verify(&args),
        Command::Report(ReportCommand::Monthly(args)) => report::monthly(&args, clock),
        Command::Scan(args) => scan::run(&args, clock),
        Command::Backup(args) => backup::backup(&args),
        Command::Restore(args) => backup::restore(&args),
    }
}

/// Loads a catalog for a command that uses it; problems go to stderr.
fn load_catalog(dir: &std::path::Path) -> Result<Catalog, ExitCode> {
    Catalog::load(dir).map_err(|problems| {
        for problem in &problems.0 {
            eprintln!("{problem}");
        }
        eprintln!("error: the catalog at {} is not valid", dir.display());
        ExitCode::from(BAD_INPUT)
    })
}

fn bad_input(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(BAD_INPUT)
}

fn parse_date_arg(flag: &str, text: &str) -> Result<chrono::NaiveDate, ExitCode> {
    haoban_catalog::value::parse_date(text)
        .ok_or_else(|| bad_input(format!("{flag} `{text}` is not a date written YYYY-MM-DD")))
}
