//! Storage of clues, their transfers and their disposal.

pub trait ClueTx: Send {}
