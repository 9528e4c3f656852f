//! The benchmark runner of Yerba, as a library so that the workspace's smoke
//! test can share the suite definition and the output checks.
//!
//! A run goes: [`cli`] parses the command line into a [`measure::Plan`],
//! [`measure::execute`] starts one VM process per run ([`vm`]), checks and
//! parses its Harness output ([`harness`]), and summarises the samples
//! ([`stats`]); [`report`] prints the table, [`pairs`] the ratios of paired
//! benchmarks (`--pairs`, the MOP's measurements), and [`csv`], [`json`] and
//! [`svg`] write the files.

pub mod cli;
pub mod csv;
pub mod harness;
pub mod json;
pub mod measure;
pub mod pairs;
pub mod progress;
pub mod report;
pub mod stats;
pub mod suite;
pub mod svg;
pub mod vm;
