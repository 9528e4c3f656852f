//! Reading the output of AWFY's `Harness.som`:
//!
//! ```text
//! Starting Sieve benchmark ...
//! Sieve: iterations=1 runtime: 2345us
//! Sieve: iterations=1 average: 2345us total: 2345us
//! Total Runtime: 2345us
//! ```
//!
//! (plus GC and compile-time lines, which the runner ignores).

/// The runtime of one `<name>: iterations=1 runtime: Nus` line, in
/// microseconds (`ms` is accepted too, as ReBench's `RebenchLog` adapter does).
pub fn runtime_of_line(line: &str, name: &str) -> Option<u64> {
    let rest = line
        .trim()
        .strip_prefix(name)?
        .strip_prefix(": iterations=")?;
    let (count, rest) = rest.split_once(' ')?;
    count.parse::<u64>().ok()?;
    let value = rest.strip_prefix("runtime: ")?.trim_end();
    if let Some(us) = value.strip_suffix("us") {
        us.parse().ok()
    } else {
        value
            .strip_suffix("ms")?
            .parse::<u64>()
            .ok()
            .map(|ms| ms * 1000)
    }
}

/// All per-iteration runtimes of benchmark `name`, in microseconds, in order.
pub fn runtimes(stdout: &str, name: &str) -> Vec<u64> {
    stdout
        .lines()
        .filter_map(|line| runtime_of_line(line, name))
        .collect()
}

/// Checks that `stdout` is the complete output of a verified Harness run of
/// `name` with `iterations` outer iterations, and answers its runtimes.
///
/// The exit status is the caller's business; this checks the lines: the
/// `Starting` line, one runtime line per iteration, the average line and the
/// total.
pub fn check(stdout: &str, name: &str, iterations: u32) -> Result<Vec<u64>, String> {
    let starting = format!("Starting {name} benchmark ...");
    if !stdout.lines().any(|l| l.trim() == starting) {
        return Err(format!("no line {starting:?}"));
    }
    let samples = runtimes(stdout, name);
    if samples.len() != iterations as usize {
        return Err(format!(
            "{} runtime lines \"{name}: iterations=1 runtime: ...us\" instead of {iterations}",
            samples.len()
        ));
    }
    let average = format!("{name}: iterations={iterations} average: ");
    if !stdout.lines().any(|l| l.trim().starts_with(&average)) {
        return Err(format!("no line starting with {average:?}"));
    }
    if !stdout
        .lines()
        .any(|l| l.trim().starts_with("Total Runtime: "))
    {
        return Err("no line \"Total Runtime: ...\"".to_string());
    }
    Ok(samples)
}

/// The last `lines` lines of `text`, for failure reports.
pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.trim_end().lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIEVE_3: &str = "Starting Sieve benchmark ... \n\
        Sieve: GC count:     0n\n\
        Sieve: GC time:      0ms\n\
        Sieve: Allocated:    0bytes\n\
        Sieve: Compile time: 0ms\n\
        Sieve: iterations=1 runtime: 2345us\n\
        Sieve: GC count:     0n\n\
        Sieve: iterations=1 runtime: 2001us\n\
        Sieve: iterations=1 runtime: 1999us\n\
        Sieve: iterations=3 average: 2115us total: 6345us\n\
        \n\
        \n\
        Total Runtime: 6345us\n";

    #[test]
    fn parses_runtime_lines_in_order() {
        assert_eq!(runtimes(SIEVE_3, "Sieve"), vec![2345, 2001, 1999]);
    }

    #[test]
    fn ignores_other_benchmarks_and_other_lines() {
        assert_eq!(runtimes(SIEVE_3, "Siev"), Vec::<u64>::new());
        assert_eq!(runtime_of_line("Sieve: GC time:      0ms", "Sieve"), None);
        assert_eq!(
            runtime_of_line("Sieve: iterations=3 average: 2115us total: 6345us", "Sieve"),
            None
        );
        assert_eq!(
            runtime_of_line("Sieve: iterations=1 runtime: 12xus", "Sieve"),
            None
        );
    }

    #[test]
    fn accepts_milliseconds_and_surrounding_blanks() {
        assert_eq!(
            runtime_of_line("  NBody: iterations=1 runtime: 7ms  ", "NBody"),
            Some(7000)
        );
    }

    #[test]
    fn check_accepts_a_complete_run() {
        assert_eq!(check(SIEVE_3, "Sieve", 3), Ok(vec![2345, 2001, 1999]));
    }

    #[test]
    fn check_rejects_missing_iterations_and_lines() {
        let err = check(SIEVE_3, "Sieve", 4).unwrap_err();
        assert!(err.contains("3 runtime lines"), "{err}");
        let err = check("Sieve: iterations=1 runtime: 5us\n", "Sieve", 1).unwrap_err();
        assert!(err.contains("Starting Sieve benchmark"), "{err}");
        let truncated = SIEVE_3.replace("Total Runtime: 6345us\n", "");
        assert!(check(&truncated, "Sieve", 3)
            .unwrap_err()
            .contains("Total Runtime"));
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc");
        assert_eq!(tail("a", 5), "a");
        assert_eq!(tail("", 5), "");
    }
}
