//! The suite: every benchmark the runner knows, its group and its sizes, and
//! the layout of the benchmarks directory (class path and harness).

use std::path::{Path, PathBuf};

/// The two groups of benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// The Are-We-Fast-Yet benchmarks.
    Awfy,
    /// The classic SOM micro-benchmarks (`benchmarks/Micro/`).
    Micro,
}

impl Group {
    pub fn name(self) -> &'static str {
        match self {
            Group::Awfy => "awfy",
            Group::Micro => "micro",
        }
    }
}

/// One benchmark: a `Benchmark` subclass the Harness runs by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Benchmark {
    pub name: &'static str,
    pub group: Group,
    /// Inner iterations of a measured run (AWFY's default problem size).
    pub inner: u32,
    /// The smallest inner iterations for which the benchmark verifies its result.
    pub smoke_inner: u32,
}

const fn awfy(name: &'static str, inner: u32, smoke_inner: u32) -> Benchmark {
    Benchmark {
        name,
        group: Group::Awfy,
        inner,
        smoke_inner,
    }
}

const fn micro(name: &'static str, inner: u32) -> Benchmark {
    Benchmark {
        name,
        group: Group::Micro,
        inner,
        smoke_inner: 1,
    }
}

/// Every benchmark, AWFY first, each group in alphabetical order. The
/// micro-benchmarks repeat their work `inner` times (chosen so that an
/// iteration takes tens of milliseconds), except Fannkuch, whose inner
/// iterations are the permutation size (as in SOM): 1 would be empty.
pub const SUITE: &[Benchmark] = &[
    awfy("Bounce", 50, 1),
    awfy("CD", 10, 2),
    awfy("DeltaBlue", 2000, 1),
    awfy("Havlak", 1, 1),
    awfy("Json", 10, 1),
    awfy("List", 50, 1),
    awfy("Mandelbrot", 500, 1),
    awfy("NBody", 250_000, 1),
    awfy("Permute", 20, 1),
    awfy("Queens", 40, 1),
    awfy("Richards", 2, 1),
    awfy("Sieve", 100, 1),
    awfy("Storage", 50, 1),
    awfy("Towers", 20, 1),
    micro("BubbleSort", 40),
    micro("Dispatch", 80),
    micro("Fannkuch", 7),
    micro("Fibonacci", 40),
    micro("FieldLoop", 3),
    micro("IntegerLoop", 80),
    micro("Loop", 150),
    micro("QuickSort", 35),
    micro("Recurse", 50),
    micro("Sum", 150),
    micro("TreeSort", 25),
    micro("WhileLoop", 80),
];

/// The benchmark called `name`: an exact match, else the only one whose name
/// matches ignoring case.
pub fn find(name: &str) -> Option<&'static Benchmark> {
    SUITE
        .iter()
        .find(|b| b.name == name)
        .or_else(|| SUITE.iter().find(|b| b.name.eq_ignore_ascii_case(name)))
}

/// The benchmarks of one group, in suite order.
pub fn group(group: Group) -> impl Iterator<Item = &'static Benchmark> {
    SUITE.iter().filter(move |b| b.group == group)
}

/// The subdirectories of the benchmarks directory on the class path, after
/// the directory itself (the order of AWFY's SOM command line; `Core` shadows
/// the standard library's `Vector`, `Dictionary`, ...).
pub const CLASS_PATH_SUBDIRS: &[&str] = &[
    "Core",
    "CD",
    "DeltaBlue",
    "Havlak",
    "Json",
    "NBody",
    "Richards",
    "Micro",
];

/// The default benchmarks directory: the one holding this crate.
pub fn default_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace root, for the default VM `target/release/yerba`.
pub fn workspace_root() -> PathBuf {
    default_dir()
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The `-cp` argument for a benchmarks directory.
pub fn class_path(dir: &Path) -> String {
    std::iter::once(dir.to_path_buf())
        .chain(CLASS_PATH_SUBDIRS.iter().map(|sub| dir.join(sub)))
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(":")
}

/// The harness program of a benchmarks directory.
pub fn harness(dir: &Path) -> PathBuf {
    dir.join("Harness.som")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        for (i, a) in SUITE.iter().enumerate() {
            assert!(
                SUITE[i + 1..].iter().all(|b| b.name != a.name),
                "{}",
                a.name
            );
        }
    }

    #[test]
    fn groups_have_fourteen_awfy_and_twelve_micro_benchmarks() {
        assert_eq!(group(Group::Awfy).count(), 14);
        assert_eq!(group(Group::Micro).count(), 12);
    }

    #[test]
    fn find_is_exact_first_then_ignores_case() {
        assert_eq!(find("NBody").map(|b| b.inner), Some(250_000));
        assert_eq!(find("nbody").map(|b| b.name), Some("NBody"));
        assert_eq!(find("cd").map(|b| b.smoke_inner), Some(2));
        assert!(find("NoSuchBenchmark").is_none());
    }

    #[test]
    fn class_path_starts_with_the_directory_and_ends_with_micro() {
        let cp = class_path(Path::new("bench"));
        assert_eq!(
            cp,
            "bench:bench/Core:bench/CD:bench/DeltaBlue:bench/Havlak:bench/Json:bench/NBody:bench/Richards:bench/Micro"
        );
    }
}
