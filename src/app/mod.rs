//! The application layer: the use cases both front-ends call, so the command
//! line and the cockpit cannot drift apart. `load` decides what a report
//! reads from the database (a window, not all history) and loads it.

pub mod load;
