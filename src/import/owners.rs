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

/// A name compared without case and with runs of spaces as one.
fn name_key(name: &str) -> String {
    name.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
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
            ids: existing.reps.iter().cloned().collect(),
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
    /// (the database's, the batch's, or one this import added); the rep
    /// whose id is the name's slug (`Ann Lee` → `ann-lee`); the one rep of
    /// that name. Otherwise a new AE with the name's slug for its id (the
    /// email's when the cell has no name) and the email. An empty cell, or
    /// one without a letter or digit, is the placeholder `unassigned`.
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
        let label = name
            .clone()
            .or_else(|| email.clone())
            .filter(|l| !rep_id(l).is_empty())
            .unwrap_or_else(|| "Unassigned".to_string());
        let slug = rep_id(&label);
        if let Some(new) = self.new.iter_mut().find(|r| r.id.as_str() == slug) {
            // Met first by name alone: the email a later cell gives is kept.
            if new.email.is_none() {
                new.email = email.clone();
            }
            if let Some(e) = email {
                self.by_email.entry(e).or_insert_with(|| slug.clone());
            }
            return slug;
        }
        if self.ids.contains(&slug) {
            return slug;
        }
        if let Some([one]) = name
            .as_deref()
            .and_then(|n| self.by_name.get(&name_key(n)))
            .map(Vec::as_slice)
        {
            return one.clone();
        }
        self.know(&slug, &label, email.as_deref());
        let mut rep = Rep::ae(RepId(slug.as_str().into()), label);
        rep.email = email;
        self.new.push(rep);
        slug
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
            ]
        );
    }
}
