//! Message sends and their dispatch chains (polymorphic inline caches keyed by layout).

mod chain;
mod send;
mod super_send;

pub use chain::DispatchChain;
pub use send::Send;
pub use super_send::SuperSend;
