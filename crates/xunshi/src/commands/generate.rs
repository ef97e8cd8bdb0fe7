//! `xunshi generate`: fills an empty database with a province's worth of inspection and
//! rectification data for benchmarks, through the store's bulk path (see
//! `xunshi_store::generate`), with a progress bar.

use std::process::ExitCode;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use xunshi_core::store::Secrets;
use xunshi_store::generate::{BENCH_PASSWORD, Counts, GenerateOptions, Step, generate};
use xunshi_store::{Argon2Secrets, Db};

use crate::cli::GenerateArgs;

pub async fn run(db: &Db, args: &GenerateArgs) -> Result<ExitCode, String> {
    let mut counts = Counts::for_tasks(args.tasks);
    let set = |v: &mut usize, o: Option<usize>| {
        if let Some(o) = o {
            *v = o;
        }
    };
    set(&mut counts.units, args.units);
    set(&mut counts.users, args.users);
    set(&mut counts.inspections, args.inspections);
    set(&mut counts.problems, args.problems);
    set(&mut counts.progress, args.progress);
    set(&mut counts.clues, args.clues);
    let today = match &args.today {
        Some(d) => d
            .parse()
            .map_err(|_| format!("--today “{d}” is not a date like 2026-12-03"))?,
        None => xunshi_core::service::today(jiff::Timestamp::now()),
    };
    // One hash of the shared password serves every account (see GenerateOptions).
    let password_hash = Argon2Secrets::new()
        .hash_password(BENCH_PASSWORD.to_owned())
        .await
        .map_err(|e| e.to_string())?;
    let opts = GenerateOptions {
        seed: args.seed,
        counts: counts.clone(),
        today,
        password_hash,
    };
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(counts.inspections as u64)
    };
    bar.set_style(
        ProgressStyle::with_template("{msg:12} [{elapsed_precise}] {wide_bar} {pos}/{len} ({eta})")
            .expect("a valid template"),
    );
    bar.set_message("setup");
    let started = Instant::now();
    let mut audit_started = None;
    let mut report = |step: Step| match step {
        Step::Setup => bar.set_message("inspections"),
        Step::Inspections(done, total) => {
            bar.set_length(total);
            bar.set_position(done);
        }
        Step::Audit(done, total) => {
            if bar.message() != "audit trail" {
                audit_started = Some(started.elapsed());
                bar.set_message("audit trail");
                bar.set_position(0);
            }
            bar.set_length(total);
            bar.set_position(done);
        }
    };
    let made = generate(db, &opts, &mut report)
        .await
        .map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    let audit_secs = audit_started.map_or(0.0, |a| (started.elapsed() - a).as_secs_f64());
    println!(
        "generated in {:.1} s, of which {audit_secs:.1} s chaining and writing the audit trail \
         (seed {}, today {}): {} units, {} accounts, {} inspections, \
         {} problems, {} clues, {} tasks, {} progress reports, {} verifications, {} follow-ups, \
         {} accountability records, {} mechanisms, {} audit records ({} rows in all)",
        started.elapsed().as_secs_f64(),
        opts.seed,
        opts.today,
        made.units,
        made.users,
        made.inspections,
        made.problems,
        made.clues,
        made.tasks,
        made.progress,
        made.verifications,
        made.followups,
        made.accountability,
        made.mechanisms,
        made.audit,
        made.rows,
    );
    println!(
        "every account's password is {BENCH_PASSWORD}: bench.office (office), bench.leader \
         (leadership), bench.liaison (liaison of the unit with the most tasks), bench.discipline, \
         bench.organization, bench.admin"
    );
    Ok(ExitCode::SUCCESS)
}
