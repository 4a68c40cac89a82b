//! A CRM deal's owner matched to a rep. CRM exports name an owner by name
//! (`Ann Lee`), by email (`ann@acme.com`) or by both (`Ann Lee
//! (ann@acme.com)`, `Ann Lee <ann@acme.com>`), and not always the same way
//! from one export to the next; one person is one rep whichever way.

use super::Batch;
use super::crm_values::rep_id;
use super::table::Row;
use crate::domain::model::{Rep, RepId};
use crate::storage::import_support::{ExistingIds, Person};
use std::collections::{HashMap, HashSet};

/// The name and the email an owner cell gives (the email in lower case).
pub fn parts(cell: &str) -> (Option<String>, Option<String>) {
    let cell = cell.trim();
    for (open, close) in [('(', ')'), ('<', '>')] {
        let Some(inner) = cell.strip_suffix(close) else {
            continue;
        };
        let Some(at) = inner.rfind(open) else {
            continue;
        };
        let (name, email) = (inner[..at].trim(), inner[at + 1..].trim());
        if is_email(email) {
            let name = (!name.is_empty()).then(|| name.to_string());
            return (name, Some(email.to_lowercase()));
        }
    }
    if is_email(cell) {
        return (None, Some(cell.to_lowercase()));
    }
    ((!cell.is_empty()).then(|| cell.to_string()), None)
}

/// One `@` between a local part and a dotted domain, no spaces.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.split('.').filter(|p| !p.is_empty()).count() >= 2
        && !s.chars().any(char::is_whitespace)
}

/// A name compared as its slug: without case, and with every run of other
/// characters than letters and digits as one (`Ann Lee` = `ann-lee` = `ANN  LEE`).
fn name_key(name: &str) -> String {
    rep_id(name)
}

/// The owners of one import's deals: the reps of the database and of the
/// batch when the import began, and the reps it adds for owners it does
/// not know.
pub struct Owners {
    /// Lower-case email → rep id (the first rep with it).
    by_email: HashMap<String, String>,
    ids: HashSet<String>,
    /// [`name_key`] → the ids of the reps of that name.
    by_name: HashMap<String, Vec<String>>,
    new: Vec<Rep>,
    /// Each cell met, resolved (a cell's rep never changes within an import).
    seen: HashMap<String, RepId>,
}

impl Owners {
    pub fn new(existing: &ExistingIds, batch: &[Rep]) -> Owners {
        let mut owners = Owners {
            by_email: HashMap::new(),
            ids: HashSet::new(),
            by_name: HashMap::new(),
            new: Vec::new(),
            seen: HashMap::new(),
        };
        let batch = batch.iter().map(|r| Person {
            id: r.id.as_str().to_string(),
            name: r.name.clone(),
            email: r.email.clone(),
        });
        for p in existing.people.iter().cloned().chain(batch) {
            owners.know(&p.id, &p.name, p.email.as_deref());
        }
        owners
    }

    fn know(&mut self, id: &str, name: &str, email: Option<&str>) {
        if let Some(e) = email.filter(|e| !e.trim().is_empty()) {
            self.by_email
                .entry(e.trim().to_lowercase())
                .or_insert_with(|| id.to_string());
        }
        self.ids.insert(id.to_string());
        let named = self.by_name.entry(name_key(name)).or_default();
        if !named.iter().any(|n| n == id) {
            named.push(id.to_string());
        }
    }

    /// The rep an owner cell names, in this order: the rep with its email
    /// (the database's, the batch's, or one this import matched or added);
    /// the one rep of that name ([`name_key`]); the rep whose id is the
    /// name's slug (`Ann Lee` → `ann-lee`). Otherwise a new AE with the
    /// name's slug for its id (the email's when the cell has no name) and
    /// the email. A cell without a letter or digit is the placeholder
    /// `unassigned`.
    pub fn resolve(&mut self, cell: Option<&str>) -> RepId {
        let cell = cell.unwrap_or_default();
        if let Some(id) = self.seen.get(cell) {
            return id.clone();
        }
        let id = RepId(self.find_or_add(cell).into());
        self.seen.insert(cell.to_string(), id.clone());
        id
    }

    /// The owner `row` names in `column` ([`Owners::resolve`]).
    pub fn of_row(&mut self, row: &Row<'_>, column: Option<&str>) -> RepId {
        let cell = column.and_then(|c| row.string(c));
        self.resolve(cell.as_deref())
    }

    fn find_or_add(&mut self, cell: &str) -> String {
        let (name, email) = parts(cell);
        if let Some(id) = email.as_ref().and_then(|e| self.by_email.get(e)) {
            return id.clone();
        }
        // A name without a letter or digit names nobody.
        let name = name.filter(|n| !rep_id(n).is_empty());
        let Some(label) = name.clone().or_else(|| email.clone()) else {
            return self.placeholder();
        };
        let slug = rep_id(&label);
        let by_name =
            name.as_deref().and_then(
                |n| match self.by_name.get(&name_key(n)).map(Vec::as_slice) {
                    Some([one]) => Some(one.clone()),
                    _ => None,
                },
            );
        let id = match by_name.or_else(|| self.ids.contains(&slug).then(|| slug.clone())) {
            Some(id) => id,
            None => {
                self.know(&slug, &label, None);
                self.new.push(Rep::ae(RepId(slug.as_str().into()), label));
                slug
            }
        };
        if let Some(e) = email {
            // The person's email from here on in this import (a rep matched
            // by name keeps the database's row as it is; one this import
            // made keeps the email).
            if let Some(new) = self.new.iter_mut().find(|r| r.id.as_str() == id)
                && new.email.is_none()
            {
                new.email = Some(e.clone());
            }
            self.by_email.entry(e).or_insert_with(|| id.clone());
        }
        id
    }

    /// The placeholder rep of a deal without an owner (never given an email).
    fn placeholder(&mut self) -> String {
        const ID: &str = "unassigned";
        if !self.ids.contains(ID) {
            self.know(ID, "Unassigned", None);
            self.new
                .push(Rep::ae(RepId(ID.into()), "Unassigned".into()));
        }
        ID.to_string()
    }

    /// Adds the reps this import made to the batch (those another file of
    /// the batch made since are left to it).
    pub fn add_to(self, batch: &mut Batch) {
        for rep in self.new {
            if !batch.reps.iter().any(|r| r.id == rep.id) {
                batch.reps.push(rep);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owner_cell_gives_a_name_an_email_or_both() {
        let both = (
            Some("Ann Lee".to_string()),
            Some("ann@acme.com".to_string()),
        );
        assert_eq!(parts("Ann Lee (Ann@Acme.com)"), both);
        assert_eq!(parts(" Ann Lee <ann@acme.com> "), both);
        assert_eq!(parts("ann@acme.com"), (None, Some("ann@acme.com".into())));
        assert_eq!(parts("Ann Lee"), (Some("Ann Lee".into()), None));
        // Brackets that hold no email are part of the name.
        assert_eq!(
            parts("Ann Lee (EMEA)"),
            (Some("Ann Lee (EMEA)".into()), None)
        );
        assert_eq!(parts("ann@acme"), (Some("ann@acme".into()), None));
        assert_eq!(parts("  "), (None, None));
    }

    fn person(id: &str, name: &str, email: Option<&str>) -> Person {
        Person {
            id: id.into(),
            name: name.into(),
            email: email.map(str::to_string),
        }
    }

    #[test]
    fn one_person_is_one_rep_however_the_export_names_them() {
        let existing = ExistingIds {
            people: vec![
                person("ae-01", "Ann Lee", Some("ann@acme.com")),
                person("ae-02", "Bo Chen", None),
                person("ae-03", "Cy Park", None),
                person("ae-04", "Cy Park", None),
            ],
            ..ExistingIds::default()
        };
        let mut owners = Owners::new(&existing, &[]);
        let mut at = |cell: &str| owners.resolve(Some(cell)).as_str().to_string();
        // By email, with or without the name, whatever the case.
        assert_eq!(at("ANN@acme.com"), "ae-01");
        assert_eq!(at("Ann L. (ann@acme.com)"), "ae-01");
        // By name: one rep of that name; two are not guessed between.
        assert_eq!(at("bo  chen"), "ae-02");
        assert_eq!(at("Cy Park"), "cy-park");
        // New: met by name, then by name and email, then by email alone.
        assert_eq!(at("Dee Roy"), "dee-roy");
        assert_eq!(at("Dee Roy <dee@acme.com>"), "dee-roy");
        assert_eq!(at("dee@acme.com"), "dee-roy");
        assert_eq!(at("eve@acme.com"), "eve-acme-com");
        assert_eq!(at(""), "unassigned");
        // An email met beside a rep matched by name names that rep from then
        // on (Bo's row has none); a name spelled with other punctuation is
        // the same name.
        assert_eq!(at("Bo Chen <bo@acme.com>"), "ae-02");
        assert_eq!(at("bo@acme.com"), "ae-02");
        assert_eq!(at("Ann-Lee"), "ae-01");
        // A name of no letter or digit beside an email: the email's person,
        // never the placeholder.
        assert_eq!(at("- <fay@acme.com>"), "fay-acme-com");
        let mut batch = Batch::default();
        owners.add_to(&mut batch);
        let made: Vec<_> = batch
            .reps
            .iter()
            .map(|r| (r.id.as_str(), r.name.as_str(), r.email.as_deref()))
            .collect();
        assert_eq!(
            made,
            vec![
                ("cy-park", "Cy Park", None),
                ("dee-roy", "Dee Roy", Some("dee@acme.com")),
                ("eve-acme-com", "eve@acme.com", Some("eve@acme.com")),
                ("unassigned", "Unassigned", None),
                ("fay-acme-com", "fay@acme.com", Some("fay@acme.com")),
            ]
        );
    }
}
