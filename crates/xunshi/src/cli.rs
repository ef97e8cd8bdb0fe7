//! The command line. Every option that configures the server can also come from an `XUNSHI_*`
//! environment variable or from `xunshi.toml` in the data folder; a flag wins over the
//! environment, which wins over the file, which wins over the defaults.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "xunshi", version, about = "巡视巡察与整改信息系统 Xunshi")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Folder holding the SQLite database, evidence files and xunshi.toml [default: ./xunshi-data]
    #[arg(long, env = "XUNSHI_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database URL; a postgres:// URL selects PostgreSQL [default: SQLite in the data folder]
    #[arg(
        long,
        env = "XUNSHI_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Log format: text or json
    #[arg(long, env = "XUNSHI_LOG_FORMAT", global = true)]
    pub log_format: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the web server (pages and API)
    Serve(ServeArgs),
    /// Apply pending database migrations and exit
    Migrate,
    /// Manage accounts
    #[command(subcommand)]
    User(UserCommand),
    /// The audit trail
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The algorithms the installation runs (`crypto` in xunshi.toml)
    #[command(subcommand)]
    Crypto(CryptoCommand),
    /// Fill an empty database with generated data of a given size, for benchmarks
    Generate(GenerateArgs),
    /// Messages by e-mail
    #[command(subcommand)]
    Mail(MailCommand),
    /// The full-text search index (the data folder's `search`)
    #[command(subcommand)]
    Search(SearchCommand),
    /// Recurring problems (同类问题, 整改不到位), worked out from the problems and tasks
    #[command(subcommand)]
    Patterns(PatternsCommand),
    /// The rectification ledger (整改台账)
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Read pasted text into a proposed structure, printed as JSON; nothing is written
    #[command(subcommand)]
    Parse(ParseCommand),
    /// Move past work in from office files
    #[command(subcommand)]
    Import(ImportCommand),
    /// 归档: an archived inspection's archive package
    #[command(subcommand)]
    Archive(ArchiveCommand),
    /// 离线节点: an inspection's on-site work carried to its team's standalone machine
    #[command(subcommand)]
    Node(NodeCommand),
    /// Write the whole database, as of one moment, and the evidence files to one file (a zip
    /// with a manifest of hashes); safe while the server runs. The key file is not included:
    /// keep it apart
    Backup {
        /// The backup file to write (never over an existing file)
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into a new, empty database — the one --data-dir or --database-url
    /// names — with its evidence files in the data folder; every hash is checked before
    /// anything is written, every table counted and the audit trail verified after
    Restore {
        /// The backup file
        file: PathBuf,
    },
    /// Copy this installation's database (as --data-dir or --database-url name it) into a new,
    /// empty database at URL, such as a PostgreSQL server's; every table counted and the audit
    /// trail verified after. The source is left as it was; evidence stays in the data folder
    MigrateTo {
        /// The new database, e.g. postgres://xunshi@db.internal/xunshi
        url: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Build the index anew from the database, with a progress bar. The server keeps its
    /// index current by itself; rebuild after restoring a backup or if the index was lost
    /// (stop the server first: one process at a time holds the index)
    Reindex {
        /// No progress bar
        #[arg(long)]
        quiet: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum PatternsCommand {
    /// Work out every round's clusters of alike problems and every unit's problems found again
    /// after their task was closed, and store them in place of the last run's. The server's
    /// `patterns` job does the same every six hours
    Build,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// An inspection fed back before Xunshi was in use, from the unit's ledger (.xlsx, .xls or
    /// .csv): creates the inspection at its rectification stage, its fed-back problems (one per
    /// distinct problem, under the heading of its section row or 问题类别 column), the feedback
    /// and the unit's draft plan with a task per row. Preview with --dry-run first; exits 2
    /// when any row is in error (those rows are not written)
    Inspection(ImportInspectionArgs),
}

#[derive(Debug, Args)]
pub struct ImportInspectionArgs {
    /// The ledger file
    pub file: PathBuf,
    /// The inspected unit (id or exact name)
    #[arg(long)]
    pub unit: String,
    /// The day the feedback was given (YYYY-MM-DD); deadlines such as 3个月内 count from it
    #[arg(long)]
    pub feedback_date: String,
    /// The round (id or exact name) [default: the latest round of the feedback's year or before]
    #[arg(long)]
    pub round: Option<String>,
    /// The team's name, such as 第三巡视组 [default: 巡视组]
    #[arg(long)]
    pub team: Option<String>,
    /// The heading for problems whose heading neither the ledger nor their words give
    /// [default: the first heading of the taxonomy in force on the feedback date]
    #[arg(long)]
    pub category: Option<String>,
    /// Report what would be created, and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ArchiveCommand {
    /// Write the archive package (归档包) of an archived inspection to a file: the zip its page
    /// offers, each document with its PDF where an office suite is configured
    Package {
        /// The inspection's id
        #[arg(long)]
        inspection: String,
        /// The file to write, never over an existing one (default: 归档包-<team>.zip here)
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum NodeCommand {
    /// Make the keys between the office and one team's node for an inspection: the office's
    /// half is kept in the data folder (`nodes/<inspection>.key`), the node's half is written
    /// to --out, to go to the team's machine on approved media with the first bundle
    Pair {
        /// The inspection's id
        #[arg(long)]
        inspection: String,
        /// The node's key file to write (never over an existing one)
        #[arg(long)]
        out: PathBuf,
    },
    /// At the office: write the bundle of an inspection for its team's node (the inspection,
    /// its team, papers, reports, clues, fieldwork and evidence), sealed and signed with the
    /// office's half of the keys; the node runs it with `xunshi serve --node FILE --node-key
    /// KEY`. On the node (its data folder, no --inspection): write the team's work for the
    /// office — what the node made or changed, and its audit trail — for `xunshi node import`
    Export {
        /// The inspection's id (at the office)
        #[arg(long)]
        inspection: Option<String>,
        /// The bundle to write (never over an existing file)
        #[arg(long)]
        out: PathBuf,
    },
    /// At the office: take a node's work in. The signature and the node's trail are checked
    /// first; what only the node changed goes in, what both sides changed is kept as a
    /// conflict for a decision (`xunshi node conflicts`, `xunshi node resolve`), and the
    /// node's records are appended to the office's trail
    Import {
        /// The node's bundle
        file: PathBuf,
    },
    /// The records a node and the office both changed, waiting for a decision
    Conflicts {
        /// Only those of this inspection
        #[arg(long)]
        inspection: Option<String>,
        /// The decided ones too
        #[arg(long)]
        all: bool,
    },
    /// Decide whose row of a conflict stands: `office` (the office's, as it is) or `node`
    /// (the node's, written over the office's)
    Resolve {
        /// The conflict's id
        id: String,
        #[arg(long)]
        keep: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Import a unit's existing ledger (.xlsx, .xls or .csv) into its draft plan: every row is
    /// reported as create, update, unchanged or error; exits 2 when any row is in error
    Import {
        /// The ledger file
        file: PathBuf,
        /// The rectification plan's id
        #[arg(long)]
        plan: String,
        /// Report what would be done, and write nothing
        #[arg(long)]
        dry_run: bool,
        /// Print the report as JSON (the API's answer)
        #[arg(long)]
        json: bool,
    },
    /// Export the ledger of a unit, an inspection, a round or all as an .xlsx workbook, read and
    /// written page by page (any number of rows, in bounded memory), as the operator
    Export(LedgerExportArgs),
}

#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("filter")
        .required(true)
        .args(["unit", "inspection", "round", "all"])
))]
pub struct LedgerExportArgs {
    /// The inspected unit (id or exact name): its ledger across inspections
    #[arg(long)]
    pub unit: Option<String>,
    /// The inspection's id: its ledger across the units it inspected
    #[arg(long)]
    pub inspection: Option<String>,
    /// The round (id, or its exact name when no other round has it): the ledgers of its
    /// inspections, one after another
    #[arg(long)]
    pub round: Option<String>,
    /// The whole ledger, every unit's
    #[arg(long)]
    pub all: bool,
    /// The file to write [default: 整改台账-<unit, team or round>-<date>.xlsx (or .csv) in the current folder]
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// xlsx (the workbook) or csv (UTF-8 with a byte-order mark, one line a measure)
    #[arg(long, value_enum, default_value_t = ExportFormat::Xlsx)]
    pub format: ExportFormat,
    /// No progress bar (it is also left out when standard error is not a terminal)
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Xlsx,
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum ParseCommand {
    /// A feedback document, or a news report of one: its problem groups, recommendations,
    /// requirements, dates, team, unit and clue recipients, with warnings where it doubts
    Feedback {
        /// The text file (UTF-8) [default: standard input]
        file: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Send the e-mails waiting in the outbox once, as `serve` does every minute
    Send,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Rectification tasks; the other counts default to this many in a province's proportions
    /// (1,000,000 tasks: 3,000 units, 5,000 accounts, 20,000 inspections, 200,000 problems,
    /// 2,000,000 progress reports, 300,000 clues)
    #[arg(long, default_value_t = 1_000_000)]
    pub tasks: usize,
    /// Units in the organisation tree
    #[arg(long)]
    pub units: Option<usize>,
    /// Accounts
    #[arg(long)]
    pub users: Option<usize>,
    /// Inspections, over the rounds of 2019–2026
    #[arg(long)]
    pub inspections: Option<usize>,
    /// Working papers (problems)
    #[arg(long)]
    pub problems: Option<usize>,
    /// Progress reports on tasks
    #[arg(long)]
    pub progress: Option<usize>,
    /// Problem clues
    #[arg(long)]
    pub clues: Option<usize>,
    /// Seed: the same seed (and the same --today) gives the same rows, ids included
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The day the data set is "today" (YYYY-MM-DD) [default: today in Asia/Shanghai]
    #[arg(long)]
    pub today: Option<String>,
    /// No progress bar (for scripts and logs)
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "XUNSHI_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// A reverse proxy stands in front: trust its X-Forwarded-For and X-Forwarded-Proto
    #[arg(long, env = "XUNSHI_TRUST_PROXY")]
    pub trust_proxy: Option<bool>,
    /// Largest number of database connections
    #[arg(long, env = "XUNSHI_MAX_CONNECTIONS")]
    pub max_connections: Option<u32>,
    /// Load the example scenario (the seed inspection and an invented round) into an empty
    /// database, with one account per role
    #[arg(long, conflicts_with = "node")]
    pub demo: bool,
    /// Run as a team's standalone node (离线节点) with only the inspection of this bundle from
    /// the office (`xunshi node export`): loaded into the empty data folder on the first start,
    /// checked to be the one loaded on every start after
    #[arg(long, value_name = "BUNDLE")]
    pub node: Option<PathBuf>,
    /// The node's half of the keys (`xunshi node pair --out`) [default: node.key in the data
    /// folder, where the first start keeps a copy]
    #[arg(long, value_name = "FILE", requires = "node")]
    pub node_key: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input
    Add {
        /// Log-in name
        name: String,
        /// Role to grant: admin, office, leadership, unit_principal, unit_liaison, unit_staff,
        /// discipline, organization
        #[arg(long)]
        role: String,
        /// The unit the person belongs to (id or exact name); unit roles apply to it
        #[arg(long)]
        unit: Option<String>,
        /// Name shown in the pages
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input (required: passwords never go on the command line)
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Ask the person to choose their own password at first log-in
        #[arg(long)]
        must_change_password: bool,
    },
    /// Set an account's password, read from standard input
    Passwd {
        name: String,
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Ask the person to choose their own password at next log-in
        #[arg(long)]
        must_change_password: bool,
    },
    /// Disable an account and end its sessions
    Disable { name: String },
    /// Enable an account again
    Enable { name: String },
    /// List accounts
    List,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain of the whole trail and, where checkpoints are kept, that it still
    /// holds every record they pinned; exits 2 naming the first fault
    Verify(VerifyArgs),
    /// Pin the trail's newest record now in a signed checkpoint (the server does it
    /// periodically) and print it for filing on paper
    Checkpoint,
    /// Make a new Ed25519 key to sign checkpoints with, and print its public key; keep the key
    /// file away from the database and its backups
    Keygen {
        /// Where to write the key (never over an existing file)
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum CryptoCommand {
    /// Move everything to the configured suite (`crypto`, or XUNSHI_CRYPTO): the audit trail
    /// hashed again, the sealed fields sealed again and the evidence files named by the new
    /// hash, in one transaction recorded in the trail, after the trail verifies. Stop every
    /// server first (it refuses while one has run a background job lately); start them again
    /// with the same setting after
    Switch {
        /// Switch although a background job began lately (the servers are known to be stopped)
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Hold the chain to the checkpoints in this folder [default: the configured
    /// audit_checkpoint_dir, if any]
    #[arg(long)]
    pub checkpoints: Option<PathBuf>,
    /// The public key (hex) the checkpoints must be signed with [default: that of the
    /// configured audit_key_file]
    #[arg(long, requires = "checkpoints")]
    pub public_key: Option<String>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
