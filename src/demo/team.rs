//! The demo team: reps, accounts (with SDR territories), contacts, and the
//! per-week account sets each SDR works. All names are invented.

use super::rng::Rng;
use super::{BUSY_SDR, SLOW_HIRE};
use crate::domain::{Account, AccountId, Contact, ContactId, Money, Rep, RepId, Role};
use chrono::{Days, NaiveDate};

/// Invented first names, for reps and contacts.
pub(super) const FIRST: &[&str] = &[
    "Avery", "Jordan", "Dana", "Riley", "Casey", "Quinn", "Harper", "Rowan", "Skyler", "Emery",
    "Reese", "Morgan", "Sasha", "Teagan", "Kai", "Lane", "Noor", "Ilse", "Tove", "Bram", "Odile",
    "Pim", "Zora", "Cato",
];
/// Syllables of made-up surnames (no real family names on purpose).
pub(super) const SUR_HEAD: &[&str] = &[
    "Ack", "Bel", "Cor", "Dun", "Fen", "Gar", "Hol", "Kess", "Lum", "Mor", "Nib", "Pell", "Quor",
    "Rav", "Sorn", "Tull", "Vex", "Wim", "Yar", "Zell",
];
pub(super) const SUR_TAIL: &[&str] = &[
    "aby", "ingmote", "wick", "mere", "stover", "dale", "bottle", "worth", "quill", "fiddle",
];
const TITLES: &[&str] = &[
    "VP Operations",
    "Head of Finance",
    "IT Director",
    "Procurement Lead",
    "COO",
    "Operations Manager",
    "Data Lead",
    "CFO",
];
const ACCOUNT_HEAD: &[&str] = &[
    "Amberly",
    "Bluefen",
    "Copperkite",
    "Driftwood",
    "Emberlane",
    "Foxglove",
    "Granite Owl",
    "Hollowpine",
    "Ironfern",
    "Juniper Reach",
    "Kestrelmoor",
    "Lanternfish",
    "Mossbank",
    "Nettlecroft",
    "Oakhollow",
    "Pebblebrook",
    "Quartzvale",
    "Rookery",
    "Saltmarsh",
    "Tidewater",
    "Umberfield",
    "Velvet Moth",
    "Willowisp",
    "Yarrowgate",
    "Zephyrine",
];
/// (name suffix, industry)
const ACCOUNT_TAIL: &[(&str, &str)] = &[
    ("Analytics", "Software"),
    ("Freight", "Logistics"),
    ("Foods", "Food & Beverage"),
    ("Robotics", "Manufacturing"),
    ("Health", "Healthcare"),
    ("Logistics", "Logistics"),
    ("Systems", "Software"),
    ("Textiles", "Manufacturing"),
    ("Labs", "Biotech"),
    ("Energy", "Energy"),
    ("Outfitters", "Retail"),
    ("Media", "Media"),
];

/// The three account segments: cycle length and deal size grow with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    Smb,
    MidMarket,
    Enterprise,
}

impl Segment {
    pub fn name(self) -> &'static str {
        match self {
            Segment::Smb => "SMB",
            Segment::MidMarket => "Mid-Market",
            Segment::Enterprise => "Enterprise",
        }
    }

    /// Days from created to closed, drawn uniformly in this range.
    pub fn cycle_days(self) -> (i64, i64) {
        match self {
            Segment::Smb => (25, 50),
            Segment::MidMarket => (45, 85),
            Segment::Enterprise => (75, 125),
        }
    }

    /// Median first amount in dollars (lognormal, σ = 0.45).
    pub fn median_amount(self) -> f64 {
        match self {
            Segment::Smb => 12_000.0,
            Segment::MidMarket => 42_000.0,
            Segment::Enterprise => 140_000.0,
        }
    }
}

/// Number of accounts; SDR territories split them 50 / 100 / 50.
pub const ACCOUNTS: usize = 200;

/// The people, with what the generator needs beside the stored row.
pub struct Team {
    pub reps: Vec<Rep>,
    /// Indexes into `reps` of the AEs, in id order.
    pub aes: Vec<usize>,
    /// Indexes into `reps` of the SDRs, in id order.
    pub sdrs: Vec<usize>,
    pub accounts: Vec<Account>,
    pub segments: Vec<Segment>,
    /// For each account, the index (into `sdrs`) of the SDR whose territory it is in.
    pub territory: Vec<usize>,
    pub contacts: Vec<Contact>,
    /// For each account, its contacts' indexes.
    pub account_contacts: Vec<Vec<usize>>,
}

/// Builds the 12 reps: days since start per AE are fixed so the ramp story holds.
pub fn reps(today: NaiveDate) -> (Vec<Rep>, Vec<usize>, Vec<usize>) {
    let ago = |days: u64| Some(today - Days::new(days));
    let mgr = RepId::from("mgr-01");
    let rep = |id: &str, name: &str, role: Role, start: Option<NaiveDate>| Rep {
        id: RepId::from(id),
        name: name.to_string(),
        email: Some(format!("{id}@example.com")),
        role,
        team: Some("Demo Pod".to_string()),
        manager_id: if role == Role::Manager {
            None
        } else {
            Some(mgr.clone())
        },
        start_date: start,
        end_date: None,
        quota_amount: (role == Role::Ae).then(|| Money::from_major(450_000)),
        quota_meetings: (role == Role::Sdr).then_some(78),
    };
    let reps = vec![
        rep("mgr-01", "Morgan Quillfeather", Role::Manager, ago(1_600)),
        rep("ae-01", "Avery Brightwhistle", Role::Ae, ago(1_180)),
        rep("ae-02", "Jordan Pemberlyne", Role::Ae, ago(900)),
        rep("ae-03", "Dana Thistlecombe", Role::Ae, ago(760)),
        // ae-04 and ae-06 started inside the five quarters of history, so
        // their first weeks are there to compare new hires with.
        rep("ae-04", "Riley Vantermoor", Role::Ae, ago(430)),
        rep("ae-05", "Casey Ollivane", Role::Ae, ago(1_020)),
        rep("ae-06", "Quinn Marrowby", Role::Ae, ago(400)),
        rep("ae-07", "Harper Lindqvane", Role::Ae, ago(72)),
        rep(SLOW_HIRE, "Rowan Tesselbrook", Role::Ae, ago(45)),
        rep("sdr-01", "Skyler Bramblecott", Role::Sdr, ago(700)),
        rep(BUSY_SDR, "Emery Wobblestone", Role::Sdr, ago(820)),
        rep("sdr-03", "Reese Glimmerford", Role::Sdr, ago(610)),
    ];
    let aes = (0..reps.len())
        .filter(|&i| reps[i].role == Role::Ae)
        .collect();
    let sdrs = (0..reps.len())
        .filter(|&i| reps[i].role == Role::Sdr)
        .collect();
    (reps, aes, sdrs)
}

/// Builds the team, accounts and contacts.
pub fn build(rng: &mut Rng, today: NaiveDate) -> Team {
    let (reps, aes, sdrs) = reps(today);
    let mut combos: Vec<(usize, usize)> = (0..ACCOUNT_HEAD.len())
        .flat_map(|h| (0..ACCOUNT_TAIL.len()).map(move |t| (h, t)))
        .collect();
    rng.shuffle(&mut combos);
    let mut accounts = Vec::with_capacity(ACCOUNTS);
    let mut segments = Vec::with_capacity(ACCOUNTS);
    let mut territory = Vec::with_capacity(ACCOUNTS);
    let mut contacts = Vec::new();
    let mut account_contacts = Vec::with_capacity(ACCOUNTS);
    for (i, &(h, t)) in combos.iter().take(ACCOUNTS).enumerate() {
        let segment = [Segment::Smb, Segment::MidMarket, Segment::Enterprise]
            [rng.weighted(&[0.5, 0.35, 0.15])];
        let tier = ["A", "B", "C"][rng.weighted(&[0.25, 0.45, 0.30])];
        let employees = match segment {
            Segment::Smb => rng.range(12, 190),
            Segment::MidMarket => rng.range(200, 1_900),
            Segment::Enterprise => rng.range(2_000, 18_000),
        };
        let (tail, industry) = ACCOUNT_TAIL[t];
        let id = AccountId(format!("acc-{:03}", i + 1).into());
        accounts.push(Account {
            id: id.clone(),
            name: format!("{} {}", ACCOUNT_HEAD[h], tail),
            segment: Some(segment.name().to_string()),
            icp_tier: Some(tier.to_string()),
            industry: Some(industry.to_string()),
            employees: Some(employees),
        });
        segments.push(segment);
        // Territories: sdr-01 the first quarter, sdr-02 the middle half, sdr-03 the rest.
        territory.push(match i * 4 / ACCOUNTS {
            0 => 0,
            1 | 2 => 1,
            _ => 2,
        });
        let n = rng.range(2, 5) as usize;
        let mut mine = Vec::with_capacity(n);
        for _ in 0..n {
            let first = rng.pick(FIRST).copied().unwrap_or("Alex");
            let head = rng.pick(SUR_HEAD).copied().unwrap_or("Ack");
            let tail = rng.pick(SUR_TAIL).copied().unwrap_or("aby");
            mine.push(contacts.len());
            contacts.push(Contact {
                id: ContactId(format!("con-{:04}", contacts.len() + 1).into()),
                account_id: Some(id.clone()),
                name: format!("{first} {head}{tail}"),
                title: rng.pick(TITLES).map(|s| s.to_string()),
            });
        }
        account_contacts.push(mine);
    }
    Team {
        reps,
        aes,
        sdrs,
        accounts,
        segments,
        territory,
        contacts,
        account_contacts,
    }
}
