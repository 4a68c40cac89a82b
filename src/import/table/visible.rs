//! Ids and names that are typed to be found hold no character a terminal
//! does not show or one that reorders text ([`crate::text::invisible`]).

use super::Row;

impl Row<'_> {
    /// Fails `column` when the id `id` read there holds a character a
    /// terminal does not show or one that reorders text
    /// ([`crate::text::invisible`]); `false` then.
    pub fn visible_id(&mut self, column: &str, id: &str) -> bool {
        self.visible(column, "id", id)
    }

    /// [`Row::visible_id`] for any value that becomes an id or a name
    /// typed to be found, `what` naming it in the error (`stage`, `owner
    /// id`, `account id`): a CRM's stage names the stage a deal is moved
    /// to, and its owner id becomes a rep's id.
    pub fn visible(&mut self, column: &str, what: &str, value: &str) -> bool {
        let Some(c) = crate::text::invisible(value) else {
            return true;
        };
        self.fail(column, invisible_reason(what, value, c));
        false
    }
}

/// Why `value`, a `what`, is refused for holding `c`.
pub fn invisible_reason(what: &str, value: &str, c: char) -> String {
    format!(
        "{what} {value:?} holds U+{:04X}, a character a terminal does not show or one that \
         reorders text: {} is typed to be found, so it holds none",
        c as u32,
        if what == "stage" { "a stage" } else { "an id" }
    )
}
