//! The suite: every benchmark the runner knows, its group and its sizes, and
//! the layout of the benchmarks directory (class path and harness).

use std::path::{Path, PathBuf};

/// The groups of benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// The Are-We-Fast-Yet benchmarks.
    Awfy,
    /// The classic SOM micro-benchmarks (`benchmarks/Micro/`).
    Micro,
    /// The benchmarks of the metaobject protocol (`benchmarks/Mop/`, MOP.md
    /// section 6), most of them halves of a [`Pair`].
    Mop,
    /// Algorithmic kernels (`benchmarks/Kernels/`, issues 13 and 14), each
    /// written in Smalltalk and done by a `Kernels` primitive: the halves of a
    /// [`Pair`].
    Kernels,
}

impl Group {
    pub const ALL: [Group; 4] = [Group::Awfy, Group::Micro, Group::Mop, Group::Kernels];

    pub fn name(self) -> &'static str {
        match self {
            Group::Awfy => "awfy",
            Group::Micro => "micro",
            Group::Mop => "mop",
            Group::Kernels => "kernels",
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

const fn mop(name: &'static str, inner: u32, smoke_inner: u32) -> Benchmark {
    Benchmark {
        name,
        group: Group::Mop,
        inner,
        smoke_inner,
    }
}

const fn kernel(name: &'static str, inner: u32) -> Benchmark {
    Benchmark {
        name,
        group: Group::Kernels,
        inner,
        smoke_inner: 1,
    }
}

/// Every benchmark: AWFY and micro in alphabetical order, then the MOP
/// group in the order of MOP.md section 6, then the kernels, the halves of
/// each pair next to each other. The micro-benchmarks repeat their work `inner` times (chosen
/// so that an iteration takes tens of milliseconds), except Fannkuch, whose
/// inner iterations are the permutation size (as in SOM): 1 would be empty.
/// The halves of a MOP pair have the same size, chosen so that an iteration
/// of the reflective half takes tens of milliseconds: loop iterations for
/// the operations (5 operations each), rounds over the 20 objects for the
/// site, AWFY's sizes for the traced benchmarks, list traversals for the
/// read-only references. The halves of a kernel pair have the same size too,
/// chosen so that an iteration of the Smalltalk half takes tens of
/// milliseconds in the interpreter; each inner iteration verifies its result.
/// The DoubleArray sums are the exception: an inner iteration of theirs takes
/// 10 ms in the interpreter but only 25 to 60 us compiled, so they run 20.
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
    mop("MopFieldReadPlain", 100_000, 10),
    mop("MopFieldReadReflective", 100_000, 10),
    mop("MopFieldWritePlain", 100_000, 10),
    mop("MopFieldWriteReflective", 100_000, 10),
    mop("MopLookupPlain", 100_000, 10),
    mop("MopLookupReflective", 100_000, 10),
    mop("MopActivationPlain", 100_000, 10),
    mop("MopActivationReflective", 100_000, 10),
    mop("MopLocalReadPlain", 100_000, 10),
    mop("MopLocalReadReflective", 100_000, 10),
    mop("MopLocalWritePlain", 100_000, 10),
    mop("MopLocalWriteReflective", 100_000, 10),
    mop("MopArgumentReadPlain", 100_000, 10),
    mop("MopArgumentReadReflective", 100_000, 10),
    mop("MopReturnPlain", 100_000, 10),
    mop("MopReturnReflective", 100_000, 10),
    mop("MopSitePlain", 2000, 1),
    mop("MopSiteSingle", 2000, 1),
    mop("MopSiteMonomorphic", 2000, 1),
    mop("MopSiteMegamorphic", 2000, 1),
    mop("MopTraceDeltaBluePlain", 200, 1),
    mop("MopTraceDeltaBlueReflective", 200, 1),
    mop("MopTraceNBodyPlain", 1000, 1),
    mop("MopTraceNBodyReflective", 1000, 1),
    mop("MopTraceJsonPlain", 1, 1),
    mop("MopTraceJsonReflective", 1, 1),
    mop("MopReadOnlyPlain", 20, 1),
    mop("MopReadOnlyReflective", 20, 1),
    mop("MopReadOnlyProxy", 20, 1),
    kernel("FillPrimitive", 10),
    kernel("FillSom", 10),
    kernel("BitBltPrimitive", 20),
    kernel("BitBltSom", 20),
    kernel("DoubleAddPrimitive", 20),
    kernel("DoubleAddScalar", 20),
    kernel("DoubleAddSimd", 20),
];

/// What the pairs measure: the parts of MOP.md section 6, and the kernels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// 6.2: one operation, plainly and through a metaobject with the
    /// standard behaviour.
    Operation,
    /// 6.2: one field-read site over 20 objects with environments.
    Site,
    /// 6.3: counting every activation of an AWFY benchmark.
    Tracing,
    /// 6.4: read-only references.
    ReadOnly,
    /// Issues 13 and 14: an algorithmic kernel written in Smalltalk (for the
    /// DoubleArray sums, compiled with the scalar or the SIMD lowering)
    /// against the same kernel done by a primitive (the ratio SOM / primitive).
    Kernel,
}

impl Section {
    pub fn name(self) -> &'static str {
        match self {
            Section::Operation => "operations",
            Section::Site => "site",
            Section::Tracing => "tracing",
            Section::ReadOnly => "read-only",
            Section::Kernel => "kernels",
        }
    }

    /// Whether the geometric mean of the section's ratios means something:
    /// the ratios of the operations, of the traced benchmarks and of the
    /// kernels measure one thing each; the site's and the read-only pairs
    /// compare different things.
    pub fn has_geomean(self) -> bool {
        matches!(
            self,
            Section::Operation | Section::Tracing | Section::Kernel
        )
    }

    /// The sections, in the order of the pairs.
    pub const ALL: [Section; 5] = [
        Section::Operation,
        Section::Site,
        Section::Tracing,
        Section::ReadOnly,
        Section::Kernel,
    ];
}

/// Two benchmarks whose runtimes are compared in one run (`--pairs`): the
/// ratio `variant / baseline` of their medians is what MOP.md section 6 asks
/// for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub label: &'static str,
    pub section: Section,
    pub baseline: &'static str,
    pub variant: &'static str,
}

const fn pair(
    label: &'static str,
    section: Section,
    baseline: &'static str,
    variant: &'static str,
) -> Pair {
    Pair {
        label,
        section,
        baseline,
        variant,
    }
}

/// Every pair, in suite order.
pub const PAIRS: &[Pair] = &[
    pair(
        "field read",
        Section::Operation,
        "MopFieldReadPlain",
        "MopFieldReadReflective",
    ),
    pair(
        "field write",
        Section::Operation,
        "MopFieldWritePlain",
        "MopFieldWriteReflective",
    ),
    pair(
        "message lookup",
        Section::Operation,
        "MopLookupPlain",
        "MopLookupReflective",
    ),
    pair(
        "method activation",
        Section::Operation,
        "MopActivationPlain",
        "MopActivationReflective",
    ),
    pair(
        "local read",
        Section::Operation,
        "MopLocalReadPlain",
        "MopLocalReadReflective",
    ),
    pair(
        "local write",
        Section::Operation,
        "MopLocalWritePlain",
        "MopLocalWriteReflective",
    ),
    pair(
        "argument read",
        Section::Operation,
        "MopArgumentReadPlain",
        "MopArgumentReadReflective",
    ),
    pair(
        "return",
        Section::Operation,
        "MopReturnPlain",
        "MopReturnReflective",
    ),
    pair(
        "single object",
        Section::Site,
        "MopSitePlain",
        "MopSiteSingle",
    ),
    pair(
        "20 objects, 1 environment",
        Section::Site,
        "MopSitePlain",
        "MopSiteMonomorphic",
    ),
    pair(
        "20 objects, 20 environments",
        Section::Site,
        "MopSitePlain",
        "MopSiteMegamorphic",
    ),
    pair(
        "megamorphic / monomorphic",
        Section::Site,
        "MopSiteMonomorphic",
        "MopSiteMegamorphic",
    ),
    pair(
        "DeltaBlue",
        Section::Tracing,
        "MopTraceDeltaBluePlain",
        "MopTraceDeltaBlueReflective",
    ),
    pair(
        "NBody",
        Section::Tracing,
        "MopTraceNBodyPlain",
        "MopTraceNBodyReflective",
    ),
    pair(
        "Json",
        Section::Tracing,
        "MopTraceJsonPlain",
        "MopTraceJsonReflective",
    ),
    pair(
        "readOnly / mutable",
        Section::ReadOnly,
        "MopReadOnlyPlain",
        "MopReadOnlyReflective",
    ),
    pair(
        "proxy / mutable",
        Section::ReadOnly,
        "MopReadOnlyPlain",
        "MopReadOnlyProxy",
    ),
    pair(
        "readOnly / proxy",
        Section::ReadOnly,
        "MopReadOnlyProxy",
        "MopReadOnlyReflective",
    ),
    pair("fill", Section::Kernel, "FillPrimitive", "FillSom"),
    pair("BitBlt", Section::Kernel, "BitBltPrimitive", "BitBltSom"),
    pair(
        "double add scalar",
        Section::Kernel,
        "DoubleAddPrimitive",
        "DoubleAddScalar",
    ),
    pair(
        "double add SIMD",
        Section::Kernel,
        "DoubleAddPrimitive",
        "DoubleAddSimd",
    ),
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
    "Mop",
    "Kernels",
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
    fn groups_have_fourteen_awfy_twelve_micro_twenty_nine_mop_and_seven_kernel_benchmarks() {
        assert_eq!(group(Group::Awfy).count(), 14);
        assert_eq!(group(Group::Micro).count(), 12);
        assert_eq!(group(Group::Mop).count(), 29);
        assert_eq!(group(Group::Kernels).count(), 7);
        assert_eq!(Group::ALL.len(), 4);
    }

    #[test]
    fn the_halves_of_a_pair_are_benchmarks_of_one_group_and_one_size() {
        for pair in PAIRS {
            let (baseline, variant) = (find(pair.baseline).unwrap(), find(pair.variant).unwrap());
            let group = match pair.section {
                Section::Kernel => Group::Kernels,
                _ => Group::Mop,
            };
            assert_eq!(baseline.group, group, "{}", pair.label);
            assert_eq!(variant.group, group, "{}", pair.label);
            assert_eq!(baseline.inner, variant.inner, "{}", pair.label);
            assert_ne!(baseline.name, variant.name, "{}", pair.label);
        }
    }

    #[test]
    fn every_mop_and_kernel_benchmark_is_in_a_pair_and_pairs_follow_suite_order() {
        for b in group(Group::Mop).chain(group(Group::Kernels)) {
            assert!(
                PAIRS
                    .iter()
                    .any(|p| p.baseline == b.name || p.variant == b.name),
                "{}",
                b.name
            );
        }
        let position = |name: &str| SUITE.iter().position(|b| b.name == name).unwrap();
        for pair in PAIRS.windows(2) {
            assert!(position(pair[0].baseline) <= position(pair[1].baseline));
        }
    }

    #[test]
    fn rebench_conf_runs_every_benchmark_at_its_size() {
        let conf = std::fs::read_to_string(default_dir().join("rebench.conf")).unwrap();
        let entries: Vec<String> = conf
            .lines()
            .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        let has = |name: &str, size: u32| {
            let entry = format!("- {name}: {{extra_args: {size}}}");
            entries.iter().any(|e| e.starts_with(&entry))
        };
        for b in SUITE {
            assert!(has(b.name, b.inner), "{} {}", b.name, b.inner);
            if b.group != Group::Micro {
                assert!(has(b.name, b.smoke_inner), "{} {}", b.name, b.smoke_inner);
            }
        }
        assert!(conf.contains(&class_path(Path::new("benchmarks"))));
    }

    #[test]
    fn find_is_exact_first_then_ignores_case() {
        assert_eq!(find("NBody").map(|b| b.inner), Some(250_000));
        assert_eq!(find("nbody").map(|b| b.name), Some("NBody"));
        assert_eq!(find("cd").map(|b| b.smoke_inner), Some(2));
        assert!(find("NoSuchBenchmark").is_none());
    }

    #[test]
    fn class_path_starts_with_the_directory_and_ends_with_micro_mop_and_kernels() {
        let cp = class_path(Path::new("bench"));
        assert_eq!(
            cp,
            "bench:bench/Core:bench/CD:bench/DeltaBlue:bench/Havlak:bench/Json:bench/NBody:bench/Richards:bench/Micro:bench/Mop:bench/Kernels"
        );
    }
}
