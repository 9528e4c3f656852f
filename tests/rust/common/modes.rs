//! The execution modes every test program must agree on: the interpreter
//! alone, the default tiering (native code for hot bodies), and native code
//! for every body from its first activation; the last also with the collector
//! stressed, so that collections happen in the middle of native code.
//!
//! A test written once as `fn check(mode: Mode)` runs in every mode through
//! [`tests_in_modes!`], one `#[test]` per mode, so that cargo runs the modes in
//! parallel and names the failing one (`suite_passes::jit_always`).

use std::time::Duration;

/// One way of running the VM: the options it puts before the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `--no-jit`: no native code at all.
    Interpreter,
    /// No option: bodies are compiled once they are hot.
    Tiered,
    /// `--jit-always`: every method and block is compiled at its first activation.
    JitAlways,
    /// `--jit-always --gc-stress`: native code everywhere, and a collection every
    /// few allocations, so that collections find the references native frames hold.
    JitAlwaysGcStress,
}

impl Mode {
    /// The three modes of the whole test suite.
    pub const EVERY: [Mode; 3] = [Mode::Interpreter, Mode::Tiered, Mode::JitAlways];

    /// The VM options of this mode, to go before the program.
    pub fn options(self) -> &'static [&'static str] {
        match self {
            Mode::Interpreter => &["--no-jit"],
            Mode::Tiered => &[],
            Mode::JitAlways => &["--jit-always"],
            Mode::JitAlwaysGcStress => &["--jit-always", "--gc-stress"],
        }
    }

    /// The options of this mode followed by `extra`, as owned strings.
    pub fn options_with(self, extra: &[&str]) -> Vec<String> {
        self.options()
            .iter()
            .chain(extra)
            .map(|s| s.to_string())
            .collect()
    }

    /// A name for failure messages.
    pub fn describe(self) -> String {
        match self.options() {
            [] => "default tiering".to_string(),
            options => options.join(" "),
        }
    }

    /// `limit` stretched for this mode: collections every few allocations make
    /// a run many times slower.
    pub fn time_limit(self, limit: Duration) -> Duration {
        match self {
            Mode::JitAlwaysGcStress => limit * 6,
            _ => limit,
        }
    }
}

/// Defines, next to the function `check(mode: Mode)`, a module `check` with
/// one `#[test]` per mode calling it.
///
/// `tests_in_modes!(check)` covers [`Mode::EVERY`]; `tests_in_modes!(check +
/// gc_stress)` adds [`Mode::JitAlwaysGcStress`]; `tests_in_modes!(check:
/// name => Variant, ...)` names the modes itself.
#[macro_export]
macro_rules! tests_in_modes {
    ($check:ident) => {
        $crate::tests_in_modes!($check:
            interpreter => Interpreter,
            tiered => Tiered,
            jit_always => JitAlways);
    };
    ($check:ident + gc_stress) => {
        $crate::tests_in_modes!($check:
            interpreter => Interpreter,
            tiered => Tiered,
            jit_always => JitAlways,
            jit_always_gc_stress => JitAlwaysGcStress);
    };
    ($check:ident: $($test:ident => $mode:ident),+ $(,)?) => {
        mod $check {
            $(
                #[test]
                fn $test() {
                    super::$check($crate::common::modes::Mode::$mode)
                }
            )+
        }
    };
}
