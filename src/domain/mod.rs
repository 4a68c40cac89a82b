//! What a deal, a rep, a metric, a baseline, an anomaly, a hygiene reason, an
//! agenda and a forecast are. Pure: no storage, no terminal, no clock; every
//! rule takes `today` (or `now`) as an argument.

pub mod asof;
pub mod edit;
pub mod hygiene;
pub mod model;
pub mod money;
pub mod period;
pub mod pipeline;
pub mod review;
pub mod settings;

pub use model::*;
pub use money::Money;
pub use period::Period;
pub use settings::Settings;
