//! The command line: `yerba [options] [-cp dir1:dir2] <ClassName | path/File.som> [args...]`.

mod common;

use common::{fresh_temp_dir, repo_root, run_vm, yerba, RunOutcome, DEFAULT_TIMEOUT};
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn run_in<S: AsRef<std::ffi::OsStr>>(cwd: &Path, args: &[S]) -> RunOutcome {
    let outcome = run_vm(args, cwd, DEFAULT_TIMEOUT);
    assert!(outcome.crash().is_none(), "{}", outcome.describe());
    assert!(!outcome.timed_out, "{}", outcome.describe());
    outcome
}

fn run(args: &[&str]) -> RunOutcome {
    run_in(&repo_root(), args)
}

fn assert_hello(outcome: &RunOutcome) {
    assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
    assert!(
        outcome.stdout.lines().any(|l| l.trim() == "Hello, World!"),
        "{}",
        outcome.describe()
    );
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("cannot write {name}: {e}"));
}

#[test]
fn help_exits_0_and_mentions_the_classpath() {
    let outcome = run(&["--help"]);
    assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
    let text = format!("{}{}", outcome.stdout, outcome.stderr);
    assert!(text.contains("-cp"), "{}", outcome.describe());
}

#[test]
fn version_prints_the_package_version() {
    let outcome = run(&["--version"]);
    assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
    let text = format!("{}{}", outcome.stdout, outcome.stderr);
    assert!(
        text.contains(env!("CARGO_PKG_VERSION")),
        "{}",
        outcome.describe()
    );
}

#[test]
fn an_unknown_option_is_an_error() {
    let outcome = run(&["--no-such-option", "tests/programs/hello_world.som"]);
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    assert!(
        outcome.stderr.contains("--no-such-option"),
        "{}",
        outcome.describe()
    );
    assert!(!outcome.stdout.contains("Hello"), "{}", outcome.describe());
}

#[test]
fn no_program_starts_a_session_that_ends_with_its_input() {
    // The session itself is tested in repl.rs; here stdin is empty.
    for args in [
        &[] as &[&str],
        &["--repl"],
        &["-cp", "tests/programs", "--repl"],
    ] {
        let outcome = run(args);
        assert_eq!(outcome.code, Some(0), "{args:?}: {}", outcome.describe());
        assert_eq!(outcome.stdout, "", "{args:?}: {}", outcome.describe());
        assert_eq!(outcome.stderr, "", "{args:?}: {}", outcome.describe());
    }
}

#[test]
fn repl_takes_no_program_but_a_program_takes_it_as_an_argument() {
    let outcome = run(&["--repl", "tests/programs/hello_world.som"]);
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    assert!(
        outcome.stderr.contains("--repl takes no program"),
        "{}",
        outcome.describe()
    );
    let dir = fresh_temp_dir("cli-repl-argument");
    write(
        &dir,
        "EchoArgs.som",
        "EchoArgs = ( run: args = ( args do: [:a | a println ] ) )\n",
    );
    let outcome = run_in(&dir, &["EchoArgs.som", "--repl", "--stats"]);
    assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
    assert_eq!(
        outcome.stdout,
        "EchoArgs\n--repl\n--stats\n",
        "{}",
        outcome.describe()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn help_is_the_usage_text() {
    for flag in ["--help", "-h"] {
        let outcome = run(&[flag]);
        assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
        assert!(
            outcome.stdout.starts_with("Usage: yerba [options]"),
            "{}",
            outcome.describe()
        );
        for option in [
            "--classpath",
            "--repl",
            "--gc-stress",
            "--max-heap",
            "--stats",
            "--no-mop",
            "--version",
        ] {
            assert!(
                outcome.stdout.contains(option),
                "{option}: {}",
                outcome.describe()
            );
        }
    }
}

#[test]
fn an_option_missing_its_value_is_an_error() {
    assert_eq!(run(&["-cp"]).code, Some(1));
    assert_eq!(run(&["--max-heap"]).code, Some(1));
}

#[test]
fn a_relative_program_path_works() {
    assert_hello(&run(&["tests/programs/hello_world.som"]));
}

#[test]
fn an_absolute_program_path_works_from_another_directory() {
    let program = repo_root().join("tests/programs/hello_world.som");
    let elsewhere = fresh_temp_dir("cli-abs");
    assert_hello(&run_in(&elsewhere, &[program.as_os_str()]));
    let _ = std::fs::remove_dir_all(elsewhere);
}

#[test]
fn a_program_path_finds_its_sibling_classes() {
    let program = repo_root().join("tests/programs/class_loading.som");
    let elsewhere = fresh_temp_dir("cli-siblings");
    let outcome = run_in(&elsewhere, &[program.as_os_str()]);
    assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
    assert!(
        outcome.stdout.contains("helper says hello"),
        "{}",
        outcome.describe()
    );
    let _ = std::fs::remove_dir_all(elsewhere);
}

#[test]
fn a_class_name_is_found_on_the_classpath() {
    let dir = repo_root().join("tests/programs");
    let dir = dir.to_str().expect("utf-8 path");
    assert_hello(&run(&["-cp", dir, "hello_world"]));
    assert_hello(&run(&["--classpath", dir, "hello_world"]));
}

#[test]
fn classpath_entries_are_searched_in_order() {
    let root = fresh_temp_dir("cli-cp");
    let (first, second) = (root.join("first"), root.join("second"));
    std::fs::create_dir_all(&first).expect("mkdir");
    std::fs::create_dir_all(&second).expect("mkdir");
    write(
        &first,
        "Shadowed.som",
        "Shadowed = ( where = ( ^'first' ) )\n",
    );
    write(
        &second,
        "Shadowed.som",
        "Shadowed = ( where = ( ^'second' ) )\n",
    );
    write(
        &second,
        "OnlySecond.som",
        "OnlySecond = ( run = ( Shadowed new where println ) )\n",
    );
    let cp = format!("{}:{}", first.display(), second.display());
    let outcome = run_in(&root, &["-cp", &cp, "OnlySecond"]);
    assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
    assert!(
        outcome.stdout.lines().any(|l| l.trim() == "first"),
        "{}",
        outcome.describe()
    );
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn the_embedded_library_works_from_any_directory() {
    let dir = fresh_temp_dir("cli-lib");
    write(
        &dir,
        "UsesLibrary.som",
        "UsesLibrary = (\n    run = (\n        | v d s |\n        v := Vector new.\n        v append: 3.\n        d := Dictionary new.\n        d at: #k put: 4.\n        s := Set new.\n        s add: 5.\n        (v first + (d at: #k) + s first) println\n    )\n)\n",
    );
    let outcome = run_in(&dir, &["UsesLibrary.som"]);
    assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
    assert!(
        outcome.stdout.lines().any(|l| l.trim() == "12"),
        "{}",
        outcome.describe()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn arguments_after_the_program_belong_to_the_program() {
    let dir = fresh_temp_dir("cli-args");
    write(
        &dir,
        "EchoArgs.som",
        "EchoArgs = ( run: args = ( args do: [:a | a println ] ) )\n",
    );
    let outcome = run_in(&dir, &["EchoArgs.som", "--help", "-cp", "x", "--version"]);
    assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
    let lines: Vec<&str> = outcome.stdout.lines().map(str::trim).collect();
    assert_eq!(
        lines,
        ["EchoArgs", "--help", "-cp", "x", "--version"],
        "{}",
        outcome.describe()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn vm_options_are_accepted_before_the_program() {
    assert_hello(&run(&["--gc-stress", "tests/programs/hello_world.som"]));
    assert_hello(&run(&[
        "--max-heap",
        "256",
        "tests/programs/hello_world.som",
    ]));
    assert_hello(&run(&["--stats", "tests/programs/hello_world.som"]));
    assert_hello(&run(&[
        "--gc-stress",
        "--max-heap",
        "512",
        "-cp",
        "tests/programs",
        "tests/programs/hello_world.som",
    ]));
}

#[test]
fn a_missing_program_file_is_an_error() {
    let outcome = run(&["tests/programs/NoSuchProgram.som"]);
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    let text = format!("{}{}", outcome.stdout, outcome.stderr);
    assert!(text.contains("NoSuchProgram"), "{}", outcome.describe());
}

#[test]
fn a_missing_class_is_an_error() {
    let outcome = run(&["-cp", "tests/programs", "NoSuchClassAnywhere"]);
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    let text = format!("{}{}", outcome.stdout, outcome.stderr);
    assert!(
        text.contains("NoSuchClassAnywhere"),
        "{}",
        outcome.describe()
    );
}

#[test]
fn exhausting_the_heap_limit_is_a_clear_error() {
    let dir = fresh_temp_dir("heap-limit");
    write(
        &dir,
        "Hog.som",
        "Hog = ( run = ( | v | 'started' println. v := Vector new. [ true ] whileTrue: [ v append: (Array new: 1000) ] ) )\n",
    );
    let outcome = run_in(&dir, &["--max-heap", "64", "Hog.som"]);
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    assert!(outcome.stdout.contains("started"), "{}", outcome.describe());
    assert!(
        outcome.stderr.contains("out of memory"),
        "{}",
        outcome.describe()
    );
}

#[test]
fn gc_statistics_are_printed_on_request() {
    let outcome = run(&["--stats", "--gc-stress", "tests/programs/hello_world.som"]);
    assert_hello(&outcome);
    assert!(
        outcome.stderr.contains("collections"),
        "{}",
        outcome.describe()
    );
}

#[test]
fn layouts_for_environments_no_longer_used_are_reclaimed() {
    let dir = fresh_temp_dir("environment-layouts");
    write(
        &dir,
        "Envs.som",
        "Envs = ( run = ( 1 to: 300000 do: [ :i | Object new installEnvironment: EnvironmentMO new ]. 'done' println ) )\n",
    );
    let outcome = run_in(&dir, &["--max-heap", "32", "Envs.som"]);
    assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
    assert!(outcome.stdout.contains("done"), "{}", outcome.describe());
}

#[test]
fn no_mop_refuses_the_metaobject_protocol() {
    let dir = fresh_temp_dir("no-mop");
    write(
        &dir,
        "NoMop.som",
        "NoMop = ( run = ( 'before' println. Object new installEnvironment: EnvironmentMO new ) )\n",
    );
    let outcome = run_in(&dir, &["--no-mop", "NoMop.som"]);
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    assert!(outcome.stdout.contains("before"), "{}", outcome.describe());
    assert!(
        outcome.stderr.contains("disabled (--no-mop)"),
        "{}",
        outcome.describe()
    );
    let with_mop = run_in(&dir, &["NoMop.som"]);
    assert_eq!(with_mop.code, Some(0), "{}", with_mop.describe());
}

// ---- the edges: output that cannot be written, odd arguments, huge tracebacks and integers --

/// Runs `yerba` in `dir` with the given streams, killing it after the default time limit;
/// answers its exit code (`None` after a signal or the time limit).
fn run_with_streams<S: AsRef<OsStr>>(
    dir: &Path,
    args: &[S],
    stdin: Stdio,
    stdout: Stdio,
    stderr: Stdio,
) -> Option<i32> {
    let mut child = Command::new(yerba())
        .args(args)
        .current_dir(dir)
        .stdin(stdin)
        .stdout(stdout)
        .stderr(stderr)
        .env("RUST_BACKTRACE", "0")
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", yerba()));
    let start = Instant::now();
    loop {
        match child.try_wait().expect("wait for the VM") {
            Some(status) => return status.code(),
            None if start.elapsed() > DEFAULT_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// Runs `yerba` in `dir` with stdout going to `/dev/full`; answers the exit code and stderr.
fn run_into_full_device(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full");
    let stderr_path = dir.join("stderr.txt");
    let stderr = std::fs::File::create(&stderr_path).expect("create the stderr file");
    let code = run_with_streams(dir, args, Stdio::null(), full.into(), stderr.into());
    let text = std::fs::read(&stderr_path).expect("read the stderr file");
    (code, String::from_utf8_lossy(&text).into_owned())
}

#[test]
fn output_that_cannot_be_written_is_an_error() {
    let dir = fresh_temp_dir("full-stdout");
    write(&dir, "Hello.som", "Hello = ( run = ( 'Hello' println ) )\n");
    write(
        &dir,
        "ExitZero.som",
        "ExitZero = ( run = ( 'bye' println. system exit: 0 ) )\n",
    );
    write(
        &dir,
        "Chatty.som",
        "Chatty = ( run = ( 1 to: 100000 do: [ :i | i println ]. system errorPrintln: 'fin' + 'ished' ) )\n",
    );
    // Written only by the flush at the end, by `exit:`, or while the program runs.
    for program in ["Hello.som", "ExitZero.som", "Chatty.som"] {
        let (code, stderr) = run_into_full_device(&dir, &[program]);
        assert_eq!(code, Some(1), "{program}: {stderr}");
        assert!(
            stderr.contains("Cannot write to stdout"),
            "{program}: {stderr}"
        );
        assert!(!stderr.contains("finished"), "{program}: {stderr}");
    }
    let (code, stderr) = run_into_full_device(&dir, &["--help"]);
    assert_eq!(code, Some(1), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_stderr_that_cannot_be_written_is_not_a_crash() {
    let dir = fresh_temp_dir("full-stderr");
    write(&dir, "Hello.som", "Hello = ( run = ( 'Hello' println ) )\n");
    write(&dir, "Fails.som", "Fails = ( run = ( 1 / 0 ) )\n");
    let cases: [(&[&str], i32); 4] = [
        (&["--stats", "Hello.som"], 0),
        (&["Fails.som"], 1),
        (&["--no-such-option"], 1),
        (&[], 0),
    ];
    for (args, expected) in cases {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("open /dev/full");
        let code = run_with_streams(&dir, args, Stdio::null(), Stdio::null(), full.into());
        assert_eq!(code, Some(expected), "{args:?}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn arguments_need_not_be_utf8() {
    let dir = fresh_temp_dir("non-utf8");
    write(
        &dir,
        "EchoArgs.som",
        "EchoArgs = ( run: args = ( args do: [:a | a println ] ) )\n",
    );
    let bad = |bytes: &[u8]| OsString::from_vec(bytes.to_vec());
    // Program arguments: undecodable bytes become U+FFFD.
    let outcome = run_in(&dir, &[OsString::from("EchoArgs.som"), bad(b"caf\xe9!")]);
    assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
    assert!(
        outcome.stdout.contains("caf\u{FFFD}!"),
        "{}",
        outcome.describe()
    );

    // Directories are paths, whatever their bytes.
    let odd_dir = dir.join(OsStr::from_bytes(b"classes-\xff"));
    std::fs::create_dir_all(&odd_dir).expect("mkdir");
    write(
        &odd_dir,
        "Hello.som",
        "Hello = ( run = ( 'Hello, World!' println ) )\n",
    );
    assert_hello(&run_in(
        &dir,
        &[OsStr::new("-cp"), odd_dir.as_os_str(), OsStr::new("Hello")],
    ));
    assert_hello(&run_in(&dir, &[odd_dir.join("Hello.som").into_os_string()]));

    // A class name must be text.
    for program in [bad(b"Hel\xfflo"), bad(b"Hel\xfflo.som")] {
        let outcome = run_in(&dir, &[program]);
        assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
        assert!(
            outcome.stderr.contains("not valid UTF-8"),
            "{}",
            outcome.describe()
        );
    }
    let outcome = run_in(
        &dir,
        &[OsStr::new("--max-heap"), &bad(b"6\xff"), OsStr::new("x")],
    );
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn command_line_mistakes_are_clear_messages() {
    for size in ["", "abc", "0", "-5", "1.5", "99999999999999999999999"] {
        let outcome = run(&["--max-heap", size, "tests/programs/hello_world.som"]);
        assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
        assert!(
            outcome.stderr.contains("--max-heap: '"),
            "{}",
            outcome.describe()
        );
        assert!(!outcome.stdout.contains("Hello"), "{}", outcome.describe());
    }
    for program in ["/", "..", "tests/.."] {
        let outcome = run(&[program]);
        assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
        let text = format!("{}{}", outcome.stdout, outcome.stderr);
        assert!(text.contains(program), "{}", outcome.describe());
    }
}

#[test]
fn stack_exhaustion_prints_a_bounded_traceback() {
    let dir = fresh_temp_dir("deep-traceback");
    write(
        &dir,
        "Deep.som",
        "Deep = ( f = ( ^ self f ) run = ( self f ) )\n",
    );
    let outcome = run_in(&dir, &["Deep.som"]);
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    let lines: Vec<&str> = outcome.stderr.lines().collect();
    // 20 frames at each end, two lines each, the header, the gap and the message.
    assert!(
        lines.len() <= 83,
        "{} lines:\n{}",
        lines.len(),
        outcome.describe()
    );
    assert!(
        lines.iter().any(|l| l.contains("frames omitted")),
        "{}",
        outcome.describe()
    );
    assert!(
        lines.last().is_some_and(|l| l.contains("Stack overflow")),
        "{}",
        outcome.describe()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn growing_big_integers_reach_the_heap_limit() {
    let dir = fresh_temp_dir("bigint-limit");
    // Squaring 23 times makes a 1.6 MB integer; 300 live copies would be 500 MB of digits.
    write(
        &dir,
        "Hoard.som",
        "Hoard = ( run = ( | x all | x := 3. 1 to: 23 do: [ :i | x := x * x ]. 'big' println. all := Array new: 300. 1 to: 300 do: [ :i | all at: i put: x + i ]. 'survived' println ) )\n",
    );
    let outcome = run_in(&dir, &["--max-heap", "64", "Hoard.som"]);
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    assert!(outcome.stdout.contains("big"), "{}", outcome.describe());
    assert!(
        !outcome.stdout.contains("survived"),
        "{}",
        outcome.describe()
    );
    assert!(
        outcome.stderr.contains("out of memory"),
        "{}",
        outcome.describe()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn load_file_is_bounded_and_never_waits() {
    let dir = fresh_temp_dir("load-file");
    write(
        &dir,
        "Load.som",
        "Load = ( run: args = ( ((args at: 2) + ' ' + (system loadFile: (args at: 2)) asString) println ) )\n",
    );
    // A file beyond the limit (here the heap's) is an error; sparse, it costs no disk.
    let huge = std::fs::File::create(dir.join("huge.txt")).expect("create");
    huge.set_len(20 << 20).expect("grow the sparse file");
    let outcome = run_in(&dir, &["--max-heap", "16", "Load.som", "huge.txt"]);
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    assert!(
        outcome
            .stderr
            .contains("'huge.txt' is larger than the limit of 16 MiB"),
        "{}",
        outcome.describe()
    );

    // A pipe without a writer, and stdin kept open without data, answer nil at once.
    let made = Command::new("mkfifo").arg(dir.join("fifo")).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let outcome = run_in(&dir, &["Load.som", "fifo"]);
    assert_eq!(outcome.stdout.trim(), "fifo nil", "{}", outcome.describe());

    let (stdin, writer) = std::io::pipe().expect("pipe");
    let stdout_path = dir.join("stdout.txt");
    let stdout = std::fs::File::create(&stdout_path).expect("create the stdout file");
    let args = ["Load.som", "/dev/stdin"];
    let code = run_with_streams(&dir, &args, stdin.into(), stdout.into(), Stdio::null());
    drop(writer);
    assert_eq!(code, Some(0));
    let text = std::fs::read_to_string(&stdout_path).expect("read the stdout file");
    assert_eq!(text.trim(), "/dev/stdin nil");
    let _ = std::fs::remove_dir_all(dir);
}

/// The `jit: compiled Holder>>#selector (...)` lines of `--jit-log`.
fn compilations(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| line.starts_with("jit: compiled "))
        .collect()
}

/// The number of units the `jit: N units compiled, ...` summary line reports.
fn compiled_total(outcome: &RunOutcome) -> u64 {
    let summaries: Vec<&str> = outcome
        .stderr
        .lines()
        .filter(|line| line.starts_with("jit: ") && line.contains(" units compiled"))
        .collect();
    assert_eq!(
        summaries.len(),
        1,
        "one summary line\n{}",
        outcome.describe()
    );
    summaries[0]
        .trim_start_matches("jit: ")
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {:?}", summaries[0]))
}

#[test]
fn jit_log_reports_invalidations_and_recompilations() {
    let outcome = run(&[
        "--jit-threshold",
        "10",
        "--jit-log",
        "tests/programs/native_invalidation.som",
    ]);
    // callStep: is compiled with step:'s chain; each of the two redefinitions retires it,
    // and it is compiled again.
    assert!(summary_count(&outcome, " invalidations") >= 2);
    assert!(summary_count(&outcome, " recompilations") >= 2);
    assert_eq!(
        summary_count(&outcome, " released"),
        0,
        "retired code is released in batches"
    );
}

#[test]
fn retired_code_is_released_once_no_activation_runs_it() {
    let outcome = run(&[
        "--jit-threshold",
        "10",
        "--jit-log",
        "tests/programs/native_code_release.som",
    ]);
    assert!(summary_count(&outcome, " invalidations") >= 250);
    // Retired code beyond the batch size was looked for on the stack: what no activation
    // returns into went.
    assert!(summary_count(&outcome, " released") >= 100);
}

/// The number before `label` in the `--jit-log` summary of a successful run.
fn summary_count(outcome: &RunOutcome, label: &str) -> u64 {
    assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
    let summary = outcome
        .stderr
        .lines()
        .find(|line| line.contains(" units compiled"))
        .unwrap_or_else(|| panic!("no summary\n{}", outcome.describe()));
    let part = summary
        .split(", ")
        .find(|part| part.ends_with(label))
        .unwrap_or_else(|| panic!("no '{label}' in {summary}"));
    part.trim_end_matches(label).trim().parse().unwrap()
}

#[test]
fn jit_log_reports_each_compilation_and_the_totals() {
    let program = "tests/programs/native_redefine_while_running.som";
    let outcome = run(&["--jit-log", program]);
    assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
    let compiled = compilations(&outcome.stderr);
    assert!(
        compiled
            .iter()
            .any(|line| line.contains("native_redefine_while_running>>#inc: (")),
        "inc: runs 1000 times and is compiled\n{}",
        outcome.describe()
    );
    assert_eq!(compiled_total(&outcome), compiled.len() as u64);
    assert_eq!(
        outcome.stdout,
        run(&["--no-jit", program]).stdout,
        "the log goes to stderr only"
    );

    let always = run(&["--jit-always", "--jit-log", program]);
    assert_eq!(always.code, Some(0), "{}", always.describe());
    let always_compiled = compilations(&always.stderr);
    assert!(
        always_compiled
            .iter()
            .any(|line| line.contains("native_redefine_while_running>>#run (")),
        "with --jit-always even run, activated once, is compiled\n{}",
        always.describe()
    );
    assert!(
        always_compiled.len() > compiled.len(),
        "{}",
        always.describe()
    );
    assert_eq!(compiled_total(&always), always_compiled.len() as u64);

    let quiet = run(&["--jit-always", program]);
    assert!(
        !quiet.stderr.contains("jit:"),
        "no log without --jit-log\n{}",
        quiet.describe()
    );
}

#[test]
fn jit_threshold_sets_when_bodies_are_compiled() {
    let program = "tests/programs/native_redefine_while_running.som";
    let high = run(&["--jit-log", "--jit-threshold", "100000", program]);
    assert_eq!(compiled_total(&high), 0, "{}", high.describe());
    let low = run(&["--jit-log", "--jit-threshold", "2", program]);
    assert!(compiled_total(&low) > 0, "{}", low.describe());
    assert_eq!(high.stdout, low.stdout);
}

#[test]
fn no_jit_compiles_nothing() {
    for options in [
        &["--no-jit", "--jit-log"][..],
        &["--no-jit", "--jit-always", "--jit-log"][..],
    ] {
        let mut args = options.to_vec();
        args.push("tests/programs/native_redefine_while_running.som");
        let outcome = run(&args);
        assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
        assert!(
            compilations(&outcome.stderr).is_empty(),
            "{}",
            outcome.describe()
        );
        assert_eq!(compiled_total(&outcome), 0, "{}", outcome.describe());
    }
}

#[test]
fn a_bad_jit_threshold_is_a_clear_error() {
    for threshold in ["0", "abc", "-1", "1.5", ""] {
        let outcome = run(&[
            "--jit-threshold",
            threshold,
            "tests/programs/hello_world.som",
        ]);
        assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
        assert!(
            outcome
                .stderr
                .contains(&format!("--jit-threshold: '{threshold}'")),
            "the message names the option and the value\n{}",
            outcome.describe()
        );
        assert!(!outcome.stdout.contains("Hello"), "{}", outcome.describe());
    }
    let outcome = run(&["--jit-threshold"]);
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    assert!(
        outcome.stderr.contains("--jit-threshold"),
        "{}",
        outcome.describe()
    );
}

#[test]
fn help_mentions_the_native_tier_options() {
    let outcome = run(&["--help"]);
    assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
    for option in [
        "--no-jit",
        "--jit-threshold <n>",
        "--jit-always",
        "--jit-log",
    ] {
        assert!(
            outcome.stdout.contains(option),
            "--help names {option}\n{}",
            outcome.describe()
        );
    }
}
