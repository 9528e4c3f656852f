//! Runs the expected-output programs about block control flow (`control_*`, `escape_*`,
//! `block_*` and `native_*` in `tests/programs`), and those about environments installed while
//! activations run (`mop_install_running_*`, whose patching of running bodies must keep every
//! reference rooted), in the VM's other modes, in each of the execution modes (interpreter
//! only, default tiering, `--jit-always`): under `--gc-stress`, which collects every few
//! allocations, and under `--no-mop`, which compiles no intercession sites (programs that
//! install metaobjects are left out of that mode). Every run must give the output its header
//! expects, and all execution modes the same output.

mod common;

use common::modes::Mode;
use common::programs::{assert_no_failures, check_in_modes, programs_starting_with, Program};

/// The programs of this group that have a `VM:` header.
fn control_programs() -> Vec<Program> {
    let programs = programs_starting_with(&[
        "control_",
        "escape_",
        "block_",
        "native_",
        "mop_install_running_",
    ]);
    assert!(
        programs.len() >= 7,
        "only {} control programs found",
        programs.len()
    );
    programs
}

#[test]
fn control_programs_agree_under_gc_stress() {
    let programs = control_programs();
    let failures = check_in_modes(&programs, |_| Mode::EVERY.to_vec(), &["--gc-stress"]);
    assert_no_failures(failures, programs.len());
}

#[test]
fn control_programs_agree_without_the_mop() {
    let programs: Vec<Program> = control_programs()
        .into_iter()
        .filter(|program| !program.name().contains("mop"))
        .collect();
    let failures = check_in_modes(&programs, |_| Mode::EVERY.to_vec(), &["--no-mop"]);
    assert_no_failures(failures, programs.len());
}
