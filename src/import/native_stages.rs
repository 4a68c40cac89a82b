//! The stages of pipedeck's own set (`stages.csv`), checked against the
//! stages the database and the config hold: a stage that holds deals
//! keeps its kind, and a name twin but for case is warned of.

use super::table::Row;
use super::{Batch, Context};
use crate::domain::model::*;

pub(super) fn stage(row: &mut Row<'_>, ctx: &Context<'_>, batch: &mut Batch) {
    let name = row.required("name");
    // Stage names are matched exactly: one that differs from another only
    // in case is a second stage, which the config would refuse (`config
    // check`). A warning, not a refusal: a CRM's export may have brought
    // such a twin in, and the backup must import as it was written.
    let lower = name.to_lowercase();
    let known = ctx.existing.stages.keys().map(String::as_str);
    let listed = batch.stages.iter().map(|s| s.name.as_str());
    let configured = ctx.settings.stages.iter().map(|s| s.name.as_str());
    if let Some(other) = known
        .chain(listed)
        .chain(configured)
        .find(|o| *o != name && o.to_lowercase() == lower)
    {
        row.warn(
            "name",
            format!(
                "stage {name:?} differs from the stage {other:?} only in case (implausible): a second stage"
            ),
        );
    }
    let position = row.int("position");
    let probability = row.parse_with("probability", |v| {
        v.parse::<f64>()
            .ok()
            .filter(|p| (0.0..=1.0).contains(p))
            .ok_or_else(|| format!("{v:?} is not a probability between 0 and 1"))
    });
    let max_days = row.int("max_days");
    let kind = row.enum_value::<StageKind>("kind");
    for c in ["position", "probability", "kind"] {
        if row.text(c).is_none() {
            row.required(c);
        }
    }
    // A stage that holds deals keeps its kind: their statuses follow it
    // (a won deal sits in a won stage), and a backup of deals contradicting
    // their stage would not import.
    let held = ctx.existing.stage_deals.get(&name).copied().unwrap_or(0);
    if let (Some(kind), Some((_, was)), true) = (kind, ctx.existing.stages.get(&name), held > 0)
        && kind != *was
    {
        row.fail(
            "kind",
            format!(
                "stage {name:?} is {was} and holds {held} deal(s): it cannot become {kind} (add a stage of that kind instead)"
            ),
        );
    }
    if let (Some(position), Some(probability), Some(kind)) = (position, probability, kind) {
        batch.stages.push(Stage {
            name,
            position,
            probability,
            max_days,
            kind,
        });
    }
}
