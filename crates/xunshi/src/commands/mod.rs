//! The subcommands. Each opens the database through the same path as the server, so the CLI
//! and the web see one set of rules.

mod archive;
mod audit;
mod backup;
mod crypto;
mod generate;
mod jobs;
mod ledger;
mod node;
mod parse;
mod search;
mod serve;
mod user;

use std::process::ExitCode;
use std::sync::Arc;

use tracing_subscriber::EnvFilter;
use xunshi_core::service::Services;
use xunshi_core::store::Blobs;
use xunshi_store::{Argon2Secrets, Db};

use crate::cli::{
    ArchiveCommand, AuditCommand, Cli, Command, CryptoCommand, ImportCommand, LedgerCommand,
    MailCommand, NodeCommand, ParseCommand, PatternsCommand, SearchCommand,
};
use crate::config::{Config, redact_url};

pub async fn run(cli: Cli) -> Result<ExitCode, String> {
    // Parsing text and making a key need no configuration, database or data folder.
    match &cli.command {
        Command::Parse(ParseCommand::Feedback { file }) => return parse::feedback(file.as_deref()),
        Command::Audit(AuditCommand::Keygen { out }) => return audit::keygen(out),
        _ => {}
    }
    let serve_args = match &cli.command {
        Command::Serve(a) => Some(a),
        _ => None,
    };
    let config = Config::load(&cli.global, serve_args)?;
    init_logging(config.log_json, serve_args.is_some());
    tracing::debug!(?config, "configuration");
    match cli.command {
        Command::Serve(args) => serve::run(config, args.demo, args.node, args.node_key).await,
        Command::Migrate => {
            let db = open(&config).await?;
            println!(
                "database {} is up to date",
                redact_url(&config.database_url)
            );
            db.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::User(cmd) => {
            let db = open(&config).await?;
            let code = user::run(&services(db.clone(), &config), cmd).await;
            db.close().await;
            code
        }
        Command::Generate(args) => {
            let db = open(&config).await?;
            let code = generate::run(&db, &args).await;
            db.close().await;
            code
        }
        Command::Mail(MailCommand::Send) => {
            let Some(smtp) = &config.smtp else {
                return Err("no mail server is configured: set [smtp] host and from in \
                            xunshi.toml, or XUNSHI_SMTP_HOST and XUNSHI_SMTP_FROM"
                    .into());
            };
            let mailer = crate::mail::SmtpMailer::new(smtp)?;
            let db = open(&config).await?;
            let run = services(db.clone(), &config)
                .send_mails(&mailer, xunshi_core::service::MAIL_LEASE)
                .await
                .map_err(|e| e.to_string());
            db.close().await;
            let run = run?;
            println!("e-mails sent: {}, failed: {}", run.sent, run.failed);
            Ok(if run.failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            })
        }
        Command::Ledger(LedgerCommand::Import {
            file,
            plan,
            dry_run,
            json,
        }) => {
            // The file is read before the database is opened: a file that is no ledger is
            // refused without touching anything.
            let ledger = ledger::read(&file)?;
            let db = open(&config).await?;
            let code = ledger::import(
                &services(db.clone(), &config),
                &plan,
                &ledger,
                dry_run,
                json,
            )
            .await;
            db.close().await;
            code
        }
        Command::Import(ImportCommand::Inspection(args)) => {
            let ledger = ledger::read(&args.file)?;
            let db = open(&config).await?;
            let code =
                ledger::import_inspection(&services(db.clone(), &config), &args, &ledger).await;
            db.close().await;
            code
        }
        Command::Ledger(LedgerCommand::Export(args)) => {
            let db = open(&config).await?;
            let code = ledger::export(&services(db.clone(), &config), &args).await;
            db.close().await;
            code
        }
        Command::Parse(ParseCommand::Feedback { file }) => parse::feedback(file.as_deref()),
        Command::Audit(AuditCommand::Keygen { out }) => audit::keygen(&out),
        Command::Audit(AuditCommand::Verify(args)) => {
            // The folder and key named on the command line are checked before the database
            // is opened.
            let named = audit::named_checkpoints(&config, &args)?;
            let db = open(&config).await?;
            let mut s = services(db.clone(), &config);
            if let Some(anchor) = named {
                s = s.with_anchor(Arc::new(anchor));
            }
            let code = audit::verify(&s).await;
            db.close().await;
            code
        }
        Command::Archive(ArchiveCommand::Package { inspection, out }) => {
            let db = open(&config).await?;
            let code = archive::package(
                services(db.clone(), &config),
                db.clone(),
                &config,
                &inspection,
                out,
            )
            .await;
            db.close().await;
            code
        }
        Command::Node(NodeCommand::Pair { inspection, out }) => {
            let db = open(&config).await?;
            let code = node::pair(&services(db.clone(), &config), &config, &inspection, &out).await;
            db.close().await;
            code
        }
        Command::Node(NodeCommand::Export { inspection, out }) => {
            let db = open(&config).await?;
            let code = node::export(
                &services(db.clone(), &config),
                &db,
                &config,
                inspection.as_deref(),
                &out,
            )
            .await;
            db.close().await;
            code
        }
        Command::Node(NodeCommand::Import { file }) => {
            let db = open(&config).await?;
            let code = node::import(&services(db.clone(), &config), &db, &config, &file).await;
            db.close().await;
            code
        }
        Command::Node(NodeCommand::Conflicts { inspection, all }) => {
            let db = open(&config).await?;
            let code =
                node::conflicts(&services(db.clone(), &config), inspection.as_deref(), all).await;
            db.close().await;
            code
        }
        Command::Node(NodeCommand::Resolve { id, keep }) => {
            let db = open(&config).await?;
            let code = node::resolve(&services(db.clone(), &config), &id, &keep).await;
            db.close().await;
            code
        }
        Command::Backup { out } => backup::backup(&config, &out).await,
        Command::Restore { file } => backup::restore(&config, &file).await,
        Command::MigrateTo { url } => backup::migrate_to(&config, &url).await,
        Command::Crypto(CryptoCommand::Switch { force }) => {
            let db = open_any_suite(&config).await?;
            let code = match (
                crypto::servers_stopped(&db, &config, force).await,
                cipher(&db, &config).await,
            ) {
                (Ok(()), Ok(cipher)) => {
                    crypto::switch(&services(db.clone(), &config).with_cipher(cipher)).await
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            };
            db.close().await;
            code
        }
        Command::Search(SearchCommand::Reindex { quiet }) => {
            let db = open(&config).await?;
            let code = search::reindex(&services(db.clone(), &config), &config, quiet).await;
            db.close().await;
            code
        }
        Command::Patterns(PatternsCommand::Build) => {
            let db = open(&config).await?;
            let code = patterns(&services(db.clone(), &config)).await;
            db.close().await;
            code
        }
        Command::Audit(AuditCommand::Checkpoint) => {
            let db = open(&config).await?;
            let code = audit::checkpoint(&services(db.clone(), &config)).await;
            db.close().await;
            code
        }
    }
}

/// Opens the database, applies pending migrations and holds it to the configured suite.
pub async fn open(config: &Config) -> Result<Db, String> {
    let db = open_any_suite(config).await?;
    if let Err(e) = db.adopt_suite(config.suite).await {
        db.close().await;
        return Err(e.to_string());
    }
    Ok(db)
}

/// Opens the database and applies pending migrations, whatever suite it runs: for the one
/// command that moves it to the configured suite.
async fn open_any_suite(config: &Config) -> Result<Db, String> {
    Db::open(&config.database_url, config.max_connections)
        .await
        .map_err(|e| format!("{} ({})", e, redact_url(&config.database_url)))
}

/// The sealed fields' cipher of `db`, under the configured suite.
pub async fn cipher(db: &Db, config: &Config) -> Result<Arc<xunshi_store::FieldCipher>, String> {
    xunshi_store::FieldCipher::load(db, &config.key_file, config.suite)
        .await
        .map(Arc::new)
        .map_err(|e| e.to_string())
}

/// Where this instance keeps its full-text index: each instance its own, in its data folder.
pub fn search_dir(config: &Config) -> std::path::PathBuf {
    config.data_dir.join("search")
}

/// Where evidence files are kept: the data folder's `blobs` (`xunshi_store::LocalBlobs`), or
/// the object store of the `[s3]` settings (`xunshi_store::S3Blobs`).
pub fn blob_store(config: &Config) -> Arc<dyn Blobs> {
    match &config.s3 {
        Some(s3) => Arc::new(s3.clone()),
        None => Arc::new(xunshi_store::LocalBlobs::new(config.data_dir.join("blobs"))),
    }
}

/// The services over `db`, with evidence files where the configuration keeps them, and the
/// audit trail's checkpoints, the directory and the identity provider where configured.
pub fn services(db: Db, config: &Config) -> Services<Db> {
    let s = Services::new(db, Arc::new(Argon2Secrets::new()))
        .with_suite(config.suite)
        .with_blobs(blob_store(config));
    let s = match &config.ldap {
        Some(l) => s.with_directory(Arc::new(crate::ldap::LdapDirectory::new(l.clone()))),
        None => s,
    };
    let s = match &config.oidc {
        Some(o) => s.with_sign_on(Arc::new(crate::oidc::OidcProvider::new(o.clone()))),
        None => s,
    };
    match &config.anchor {
        Some((_, folder)) => s.with_anchor(Arc::new(folder.clone())),
        None => s,
    }
}

/// Logs go to standard error, so that command output on standard output stays clean. The
/// server logs at info by default; the other commands only warnings.
fn init_logging(json: bool, server: bool) {
    let default = if server {
        "info,sqlx=warn,tower_http=info"
    } else {
        "warn"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// `xunshi patterns build`: the `patterns` job run once, now.
async fn patterns(services: &Services<Db>) -> Result<ExitCode, String> {
    let started = std::time::Instant::now();
    let run = services
        .compute_patterns(&xunshi_core::permission::Actor::system())
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "同类问题已重新计算 / patterns worked out in {:.1} s: {} rounds, {} problems, {} clusters; \
         {} terms, {} clusters across a term's rounds; {} units inspected again, {} problems found again after closing ({} pairs with the \
         closed problems they repeat)",
        started.elapsed().as_secs_f64(),
        run.rounds,
        run.problems,
        run.clusters,
        run.terms,
        run.term_clusters,
        run.units,
        run.recurring,
        run.recurrences
    );
    Ok(ExitCode::SUCCESS)
}
