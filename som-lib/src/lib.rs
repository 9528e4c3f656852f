//! The SOM standard library (`som-lib/Smalltalk/*.som`), embedded at build time.

include!(concat!(env!("OUT_DIR"), "/classes.rs"));

/// The embedded source of library class `name`, if there is one.
pub fn source_of(name: &str) -> Option<&'static str> {
    CLASSES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}
