//! Runs the VM on each malformed class file of `tests/parse_errors`: it must
//! exit with 1 and report, on stderr, every substring listed in the file's
//! `<name>.expected` sidecar (the file name, `line L`, `column C`, words of
//! the message; compared ignoring case), and must never crash.

mod common;

use common::{parallel_map, repo_root, run_vm, som_files, DEFAULT_TIMEOUT};
use std::path::PathBuf;

fn check(path: PathBuf) -> Option<String> {
    let sidecar = path.with_extension("expected");
    let expected = match std::fs::read_to_string(&sidecar) {
        Ok(text) => text,
        Err(e) => {
            return Some(format!(
                "{}: no sidecar {}: {e}",
                path.display(),
                sidecar.display()
            ))
        }
    };
    let outcome = run_vm(&[&path], &repo_root(), DEFAULT_TIMEOUT);
    let mut problems = Vec::new();
    if let Some(crash) = outcome.crash() {
        problems.push(crash);
    }
    if outcome.code != Some(1) {
        problems.push(format!("exit code {:?}, expected 1", outcome.code));
    }
    let stderr = outcome.stderr.to_lowercase();
    for want in expected.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !stderr.contains(&want.to_lowercase()) {
            problems.push(format!("stderr lacks {want:?}"));
        }
    }
    if problems.is_empty() {
        return None;
    }
    Some(format!(
        "=== {} ===\n{}\n{}",
        path.display(),
        problems.join("\n"),
        outcome.describe()
    ))
}

#[test]
fn malformed_classes_are_reported_with_their_position() {
    let files = som_files(&repo_root().join("tests/parse_errors"));
    assert!(
        files.len() >= 15,
        "only {} parse error cases found",
        files.len()
    );
    let total = files.len();
    let failures: Vec<String> = parallel_map(files, check).into_iter().flatten().collect();
    assert!(
        failures.is_empty(),
        "{} of {total} parse error cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
