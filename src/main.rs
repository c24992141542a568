//! The `hoshin` command.

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

/// The allocator of every hoshin process but the library's tests: see Cargo.toml.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use hoshin::build::{self, summary, BuildOptions, Failure, Outcome};
use hoshin::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Build {
            site,
            output,
            timings,
            force,
        } => {
            let opts = BuildOptions {
                root: site.root,
                output,
                drafts: site.drafts,
                force,
            };
            run_build(&opts, true, timings)
        }
        Command::Check { site } => {
            let opts = BuildOptions {
                root: site.root,
                output: None,
                drafts: site.drafts,
                force: false,
            };
            run_build(&opts, false, false)
        }
        Command::Watch {
            site,
            output,
            poll,
            force,
        } => {
            let opts = BuildOptions {
                root: site.root,
                output,
                drafts: site.drafts,
                force,
            };
            hoshin::watch::run(&opts, poll, None)
        }
        Command::Serve {
            site,
            output,
            port,
            bind,
            poll,
            force,
        } => {
            let opts = BuildOptions {
                root: site.root,
                output,
                drafts: site.drafts,
                force,
            };
            hoshin::watch::run(&opts, poll, Some(std::net::SocketAddr::new(bind, port)))
        }
        Command::Diff { old, new, site } => {
            let color = hoshin::compare::terminal::use_color();
            match hoshin::compare::terminal::diff_command(
                &site.root,
                &old,
                &new,
                site.drafts,
                color,
            ) {
                Ok((text, warnings)) => {
                    eprint!("{}", warnings.render());
                    print!("{text}");
                    0
                }
                Err(f) => {
                    eprint!("{}", f.diagnostics.render());
                    f.exit_code
                }
            }
        }
        Command::New {
            department,
            year,
            root,
            force,
        } => match build::load_config(&root) {
            Ok(config) => {
                match hoshin::scaffold::new_document(&root, &config, &department, &year, force) {
                    Ok(path) => {
                        println!("created {}", path.display());
                        0
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        2
                    }
                }
            }
            Err(f) => report_failure(&f, false),
        },
        Command::Import {
            files,
            root,
            to,
            force,
        } => hoshin::import::run(&hoshin::import::ImportOptions {
            files,
            root,
            to,
            force,
        }),
    };
    ExitCode::from(code as u8)
}

fn run_build(opts: &BuildOptions, write: bool, timings: bool) -> i32 {
    let start = Instant::now();
    match build::build(opts, write) {
        Ok(outcome) => {
            eprint!("{}", outcome.diagnostics.render());
            println!("{}", summary(&outcome, write, start));
            if timings {
                print!("{}", outcome.timings.report());
            }
            0
        }
        Err(f) => report_failure(&f, write),
    }
}

/// The one summary line of a build.
fn summary(o: &Outcome, write: bool, start: Instant) -> String {
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let warnings = summary::warnings(o.diagnostics.warning_count());
    let counts = summary::site_counts(o.documents, o.directives, o.references);
    if write {
        format!(
            "built {counts}, {} in {ms:.0} ms{warnings} → {}",
            summary::count(o.pages_written, "page"),
            o.output.display()
        )
    } else {
        format!("checked {counts} in {ms:.0} ms{warnings}; nothing written")
    }
}

fn report_failure(f: &Failure, write: bool) -> i32 {
    eprint!("{}", f.diagnostics.render());
    let errors = f.diagnostics.error_count();
    let noun = if errors == 1 { "error" } else { "errors" };
    if write {
        eprintln!("error: build failed with {errors} {noun}; the previous site was left as it was");
    } else {
        eprintln!("error: check found {errors} {noun}");
    }
    f.exit_code
}
