//! How execution leaves a node other than by answering a value.
//!
//! `Unwind` is a word-sized tag, like `Value`, so that `Exec` is a pair of scalars that is
//! returned in two registers (a one-byte tag would make it an aggregate returned through
//! memory); the payload (the value being returned, the target context, the error) waits in
//! the [`Universe`](crate::universe::Universe).

use yerba_mop::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Unwind {
    /// `^` inside a block inlined into its method: the method answers `Universe::returning`.
    LocalReturn,
    /// `^` inside a real block: unwinds to the activation `Universe::return_target`.
    NonLocalReturn,
    /// A VM-level error, described by `Universe::error`.
    Error,
    /// `^` inside a block whose home activation has returned: the block's activation is
    /// discarded, and the send that evaluated the block answers what `escapedBlock:` answers
    /// (SOM-REFERENCE 2.3). The escaped block waits in `Universe::returning`.
    Escaped,
    /// `restart`: the activation that sent it runs again from its beginning.
    Restart,
}

/// The result of executing a node or activating a method.
pub type Exec = Result<Value, Unwind>;

#[cfg(test)]
mod tests {
    #[test]
    fn exec_is_a_pair_of_words() {
        assert_eq!(std::mem::size_of::<super::Exec>(), 16);
    }
}
