//! How execution leaves a node other than by answering a value.
//!
//! `Unwind` is one byte so that `Exec` is returned in registers; the payload (the value being
//! returned, the target context, the error) waits in the [`Universe`](crate::universe::Universe).

use yerba_mop::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unwind {
    /// `^` inside a block inlined into its method: the method answers `Universe::returning`.
    LocalReturn,
    /// `^` inside a real block: unwinds to the activation `Universe::return_target`.
    NonLocalReturn,
    /// A VM-level error, described by `Universe::error`.
    Error,
}

/// The result of executing a node or activating a method.
pub type Exec = Result<Value, Unwind>;
