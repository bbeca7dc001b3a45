//! Staff accounts from the command line: the operator creates the first administrators
//! (security administrators only ever here) and issues TOTP keys when no security
//! administrator can, e.g. when the only one lost their phone.

use std::io::BufRead;
use std::process::ExitCode;

use clap::Args;
use haoban_cases::{CenterId, Clock, Role, SystemClock};
use haoban_store::User;
use haoban_web::auth::PasswordRule;
use haoban_web::auth::totp::TotpSecret;

use super::server::{Database, failed, parse_staff_role, runtime};

#[derive(Debug, Args)]
pub struct CreateUserArgs {
    #[command(flatten)]
    database: Database,
    #[arg(long)]
    username: String,
    /// desk, clerk, office, supervisor, sysadmin, secadmin or auditor.
    #[arg(long, value_parser = parse_staff_role)]
    role: Role,
    /// The center the account works in, e.g. linfen.
    #[arg(long)]
    center: String,
    /// The rule the password must follow: mlps or asvs (as `haoban serve --password-rule`).
    #[arg(long, env = "HAOBAN_PASSWORD_RULE", default_value = "mlps",
          value_parser = |text: &str| PasswordRule::parse(text).ok_or("mlps or asvs"))]
    password_rule: PasswordRule,
    /// Issue a TOTP key even though the role does not need one. The three administrators
    /// always get one.
    #[arg(long)]
    totp: bool,
}

#[derive(Debug, Args)]
pub struct IssueTotpArgs {
    #[command(flatten)]
    database: Database,
    #[arg(long)]
    username: String,
}

#[derive(Debug, Args)]
pub struct TotpCodeArgs {
    /// The account's TOTP key (base32), as `create-user`, `issue-totp` or `demo` printed it.
    #[arg(long, env = "HAOBAN_TOTP_KEY")]
    key: String,
}

/// Prints the key's current code, as an authenticator app would show it: for scripts and
/// for trying the demo without a phone.
pub fn totp_code(args: &TotpCodeArgs) -> ExitCode {
    match TotpSecret::from_base32(&args.key) {
        Ok(key) => {
            println!("{}", key.code_at(SystemClock.now()));
            ExitCode::SUCCESS
        }
        Err(err) => super::bad_input(err),
    }
}

pub fn create_user(args: &CreateUserArgs) -> ExitCode {
    let center = match CenterId::parse(&args.center) {
        Ok(center) => center,
        Err(err) => return failed(err),
    };
    let username = match haoban_web::auth::check_username(&args.username) {
        Ok(username) => username,
        Err(problem) => return failed(problem),
    };
    let mut password = String::new();
    if let Err(err) = std::io::stdin().lock().read_line(&mut password) {
        return failed(format!("reading the password from standard input: {err}"));
    }
    let password = password.trim_end_matches(['\n', '\r']);
    if let Err(problem) = args.password_rule.check(password, username) {
        return failed(format!("{problem} (the first line of standard input)"));
    }
    let hash = match haoban_web::hash_password(password) {
        Ok(hash) => hash,
        Err(err) => return failed(err),
    };
    let key = (args.totp || args.role.is_admin()).then(TotpSecret::generate);
    runtime().block_on(async {
        let store = match args.database.open().await {
            Ok(store) => store,
            Err(err) => return failed(format!("{}: {err}", args.database.describe())),
        };
        let user = User {
            username: username.to_owned(),
            role: args.role,
            center,
            password_hash: hash,
            disabled: false,
            totp_secret: key.as_ref().map(TotpSecret::to_base32),
            created_at: SystemClock.now(),
        };
        if let Err(err) = store.create_user(&user).await {
            return failed(err);
        }
        println!(
            "created {} `{username}` at center {}",
            args.role, user.center
        );
        if let Some(key) = &key {
            print_key(key, username);
        }
        ExitCode::SUCCESS
    })
}

pub fn issue_totp(args: &IssueTotpArgs) -> ExitCode {
    let key = TotpSecret::generate();
    runtime().block_on(async {
        let store = match args.database.open_existing().await {
            Ok(store) => store,
            Err(err) => return failed(format!("{}: {err}", args.database.describe())),
        };
        let encoded = key.to_base32();
        if let Err(err) = store.set_totp_secret(&args.username, Some(&encoded)).await {
            return failed(err);
        }
        println!(
            "issued `{}` a new TOTP key; the old one no longer works",
            args.username
        );
        print_key(&key, &args.username);
        ExitCode::SUCCESS
    })
}

/// The key for its holder's authenticator app: typed in, or the link shown as a QR code.
fn print_key(key: &TotpSecret, username: &str) {
    println!("  TOTP key:  {}", key.to_base32());
    println!("  TOTP link: {}", key.uri("haoban", username));
    println!("  every sign-in of this account needs the app's current 6-digit code");
}
