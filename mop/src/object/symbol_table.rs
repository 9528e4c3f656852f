//! Interned symbols: one object per spelling, so symbols compare by identity.

use crate::heap::Tracer;
use crate::Value;
use rustc_hash::FxHashMap;

#[derive(Default)]
pub struct SymbolTable {
    symbols: FxHashMap<Box<str>, Value>,
}

impl SymbolTable {
    pub fn get(&self, text: &str) -> Option<Value> {
        self.symbols.get(text).copied()
    }

    /// Records a freshly allocated symbol object for `text`.
    pub fn insert(&mut self, text: &str, symbol: Value) {
        self.symbols.insert(text.into(), symbol);
    }

    /// Symbols are never collected: their identity must stay stable for the program's lifetime.
    pub fn trace(&self, tracer: &mut Tracer) {
        for symbol in self.symbols.values() {
            tracer.mark_value(*symbol);
        }
    }
}
