//! What a deal, a rep, a metric, a baseline, an anomaly, a hygiene reason, an
//! agenda and a forecast are. Pure: no storage, no terminal, no clock; every
//! rule takes `today` (or `now`) as an argument.

pub mod accuracy;
pub mod anomaly;
pub mod asof;
pub mod baseline;
pub mod crm;
pub mod drill;
pub mod edit;
pub mod forecast;
pub mod hygiene;
pub mod metrics;
pub mod model;
pub mod money;
pub mod par;
pub mod period;
pub mod pipeline;
pub mod review;
pub mod score;
pub mod settings;
pub mod snapshot;
pub mod waterfall;

pub use model::*;
pub use money::Money;
pub use period::Period;
pub use settings::Settings;
