//! The command line: `yerba [options] [-cp dir1:dir2] <ClassName | path/File.som> [args...]`.

mod common;

use common::{fresh_temp_dir, repo_root, run_vm, RunOutcome, DEFAULT_TIMEOUT};
use std::path::Path;

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
fn no_program_prints_usage_on_stderr() {
    let outcome = run(&[] as &[&str]);
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    assert!(
        outcome.stderr.to_lowercase().contains("usage"),
        "{}",
        outcome.describe()
    );
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
