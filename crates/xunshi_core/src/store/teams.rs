//! Storage of the personnel pool of inspectors and the teams formed from it.

pub trait TeamTx: Send {}
