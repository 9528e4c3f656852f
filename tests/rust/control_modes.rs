//! Runs the expected-output programs about block control flow (`control_*`, `escape_*` and
//! `block_*` in `tests/programs`), and those about environments installed while activations
//! run (`mop_install_running_*`, whose patching of running bodies must keep every reference
//! rooted), in the VM's other modes, where they must give the output
//! their header expects just as in the default mode (which `programs.rs` checks): under
//! `--gc-stress`, which collects every few allocations, and under `--no-mop`, which compiles no
//! intercession sites (programs that install metaobjects are left out of that mode).

mod common;

use common::{match_lines, parallel_map, parse_header, repo_root, run_vm, som_files, Expectation};
use std::path::PathBuf;
use std::time::Duration;

/// The programs of this group that have a `VM:` header, with their expectations.
fn control_programs() -> Vec<(PathBuf, Expectation)> {
    let prefixes = ["control_", "escape_", "block_", "mop_install_running_"];
    som_files(&repo_root().join("tests/programs"))
        .into_iter()
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            prefixes.iter().any(|p| name.starts_with(p))
        })
        .filter_map(|path| {
            let source = std::fs::read_to_string(&path).ok()?;
            let expectation = parse_header(&source)?
                .unwrap_or_else(|e| panic!("malformed header in {}: {e}", path.display()));
            Some((path, expectation))
        })
        .collect()
}

/// Runs `program` with `option` before it; answers what went wrong, if anything.
fn check(option: &str, program: PathBuf, expectation: Expectation) -> Option<String> {
    let mut args = vec![option.into(), program.clone().into_os_string()];
    args.extend(expectation.args.iter().map(Into::into));
    let outcome = run_vm(&args, &repo_root(), Duration::from_secs(300));
    let mut problems = Vec::new();
    if let Some(crash) = outcome.crash() {
        problems.push(crash);
    }
    let want = expectation.status.code();
    if outcome.code != Some(want) {
        problems.push(format!("exit code {:?}, expected {want}", outcome.code));
    }
    if let Err(e) = match_lines(&expectation.stdout, &outcome.stdout) {
        problems.push(format!("stdout: {e}"));
    }
    if let Err(e) = match_lines(&expectation.stderr, &outcome.stderr) {
        problems.push(format!("stderr: {e}"));
    }
    (!problems.is_empty()).then(|| {
        format!(
            "=== {option} {} ===\n{}\n{}",
            program.display(),
            problems.join("\n"),
            outcome.describe()
        )
    })
}

fn check_all_in_mode(option: &'static str, keep: impl Fn(&PathBuf) -> bool) {
    let programs: Vec<_> = control_programs()
        .into_iter()
        .filter(|(path, _)| keep(path))
        .collect();
    assert!(
        programs.len() >= 7,
        "only {} control programs found",
        programs.len()
    );
    let failures: Vec<String> = parallel_map(programs, |(path, e)| check(option, path, e))
        .into_iter()
        .flatten()
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn control_programs_agree_under_gc_stress() {
    check_all_in_mode("--gc-stress", |_| true);
}

#[test]
fn control_programs_agree_without_the_mop() {
    check_all_in_mode("--no-mop", |path| {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        !name.contains("_mop") && !name.starts_with("mop_")
    });
}
