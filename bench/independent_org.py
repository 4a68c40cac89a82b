#!/usr/bin/env python3
"""An independent large org for pipedeck, written as pipedeck's native CSV set.

Issue 10 asks that the size targets hold "on `demo --scale large` and on a
large org generated independently of the demo". This script is that second
org. It is modelled from SPEC §2, §4, §10.1 and docs/import.md only (not from
src/demo), with its own pipeline (stage names the default config does not
know, so `stages.csv` carries them), its own ids, names, teams and rhythms:

* 10 teams under 10 managers (two teams formed during the three years), 130
  AE and 60 SDR rows: reps hired across the years (some ramping now), some
  leaving (their open deals are reassigned, with an `owner_id` history row),
  some replaced;
* 20,000 accounts, 60,000 contacts (a few without an account);
* ~200,000 opportunities created over three years by the AEs, a third sourced
  by the team's SDRs, walking Lead → Qualified → Discovery → Solution Fit →
  Proposal → Contracting → Won, lost at every stage, a few going dark (open,
  untouched for weeks or months, past their close date), close-date pushes
  and pull-ins, amount revisions and discounts, forecast-category moves,
  the odd step back, ~3 % without an amount, ~5 % with an empty `status`;
* ~2.4M history rows; ~5M activities: meetings (first / follow-up, labels,
  held / no-show / no outcome), calls (durations, connected / no answer /
  no outcome, in and outbound), emails (outbound, inbound, no direction,
  replies), on deals and on accounts and contacts without deals (SDR
  prospecting, AE nurture);
* weekly forecast snapshots (Mondays) from the previous quarter on (2026-Q3
  for --today 2026-11-24), plus each quarter's first day, each a frozen copy of the deals open at 18:00 UTC.

Rows are written as they are generated (memory stays small); the same
--seed, --scale and --today give byte-identical files.

    python3 bench/independent_org.py --scale 1.0 --seed 11 --out /tmp/ind-csv
    pipedeck --today 2026-11-24 --db /tmp/ind.db import /tmp/ind-csv
    python3 bench/independent_org.py --check /tmp/ind.db --pipedeck pipedeck

`--check DB` computes per-rep 2026-Q3 figures with plain SQL (SPEC §4 and
docs/metrics.md definitions) and compares them with
`pipedeck report metrics --period 2026-Q3 --format json` on the same file.

Python 3 standard library only.
"""

import argparse
import csv
import datetime as dt
import json
import math
import os
import random
import sqlite3
import subprocess
import sys
import time

# name, position, probability, max_days, kind
STAGES = [
    ("Lead", 0, "0.05", "21", "open"),
    ("Qualified", 1, "0.15", "30", "open"),
    ("Discovery", 2, "0.25", "30", "open"),
    ("Solution Fit", 3, "0.4", "30", "open"),
    ("Proposal", 4, "0.6", "21", "open"),
    ("Contracting", 5, "0.85", "14", "open"),
    ("Won", 6, "1", "", "won"),
    ("Lost", 7, "0", "", "lost"),
]
OPEN_STAGES = [s[0] for s in STAGES if s[4] == "open"]
WON, LOST = "Won", "Lost"
# per open stage: mean days in it, share that moves on, share lost there
# (the rest goes dark), activity touches per day while in it
STAGE_DAYS = [5, 9, 12, 14, 12, 8]
STAGE_ADVANCE = [0.74, 0.72, 0.66, 0.70, 0.72, 0.86]
STAGE_LOST = [0.22, 0.24, 0.29, 0.26, 0.24, 0.12]
STAGE_TOUCH = [0.32, 0.28, 0.32, 0.36, 0.36, 0.42]

FIRST = ["Ada", "Bruno", "Chiara", "Dmitri", "Elif", "Farah", "Gustav", "Hana", "Ivo",
         "Jasmin", "Kofi", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Quentin",
         "Rosa", "Soren", "Tamsin", "Umar", "Vera", "Wen", "Ximena", "Yusuf", "Zora",
         "Anouk", "Basil", "Cosima", "Dario", "Edda", "Femi", "Greta", "Hugo", "Ines",
         "Jonas", "Kaia", "Luca", "Mira", "Nils", "Odile", "Pavel", "Rhea", "Silas"]
LAST = ["Abernathy", "Bakshi", "Castellano", "Dubois", "Eriksen", "Fontaine", "Galloway",
        "Haddad", "Ishikawa", "Jovanovic", "Kowalczyk", "Lindqvist", "Moreau", "Nakamura",
        "Okafor", "Petrov", "Quintero", "Rasmussen", "Santos", "Takahashi", "Ulrich",
        "Varga", "Whitfield", "Xu", "Yilmaz", "Zimmermann", "Aalto", "Brennan", "Cortes",
        "Delacroix", "Esposito", "Falk", "Grimaldi", "Holm", "Iversen", "Janssen"]
TEAMS = ["Atlas", "Borealis", "Cascade", "Delta", "Ember", "Fjord", "Granite", "Harbor",
         "Iris", "Juniper", "Kestrel", "Lumen"]
INDUSTRIES = ["Healthcare", "Fintech", "Retail", "Logistics", "Manufacturing", "Education",
              "Energy", "Media", "Public Sector", "Hospitality", "Insurance", "Telecom"]
ACC_A = ["North", "Blue", "Iron", "Silver", "Red", "Clear", "Bright", "Stone", "Oak", "Wave",
         "Summit", "Prairie", "Coastal", "Polar", "Amber", "Cobalt", "Maple", "Falcon"]
ACC_B = ["field", "point", "gate", "bridge", "works", "line", "stack", "forge", "path",
         "mark", "ridge", "haven", "light", "shore", "wind", "vale"]
ACC_C = ["Systems", "Health", "Logistics", "Foods", "Labs", "Group", "Partners", "Energy",
         "Media", "Bank", "Retail", "Clinics", "Freight", "Schools", "Hotels", "Insurance"]
TITLES = ["VP Operations", "Head of IT", "CFO", "Procurement Manager", "Director of Sales",
          "CTO", "Operations Analyst", "Head of Finance", "IT Manager", "COO",
          "Revenue Operations Lead", "Data Engineer", "Office Manager", "CEO"]
PRODUCTS = ["Core licence", "Platform renewal", "Analytics seat pack", "Onboarding bundle",
            "Enterprise tier", "Integration add-on", "Pilot", "Multi-site rollout"]
LOSS = ["No decision", "Chose competitor", "Budget cut", "Price", "Timing",
        "Went dark", "Missing feature", "Champion left"]
NEXT_STEPS = ["Send revised quote", "Security questionnaire", "Book technical review",
              "Follow up with champion", "Legal redlines", "Confirm budget owner",
              "Schedule demo for finance", "Reference call"]
LABELS_SOLUTION = ["demo", "demo", "technical review", "", "workshop"]
LABELS_PROPOSAL = ["proposal", "proposal", "pricing review", "", "security review"]
LABELS_OTHER = ["", "", "", "discovery call", "stakeholder intro"]


class Calendar:
    """Day indices from the window start; instants are minutes since it."""

    def __init__(self, today, years=3):
        self.today = today
        self.base = today - dt.timedelta(days=365 * years + 1)
        self.ndays = (today - self.base).days  # day index of today
        self.end = self.ndays * 1440  # instants stay before today 00:00 UTC
        self.day = [(self.base + dt.timedelta(days=i)).isoformat()
                    for i in range(self.ndays + 500)]
        self.wd = [(self.base + dt.timedelta(days=i)).weekday()
                   for i in range(self.ndays + 500)]

    def idx(self, date):
        return (date - self.base).days

    def ts(self, m):
        d, r = divmod(m, 1440)
        return "%sT%02d:%02d:00Z" % (self.day[d], r // 60, r % 60)

    def date_of(self, m):
        return self.day[m // 1440]


def poisson(rng, lam):
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, int(rng.gauss(lam, math.sqrt(lam)) + 0.5))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


class Rep:
    __slots__ = ("id", "name", "role", "team", "mgr", "start", "end", "a", "b",
                 "volume", "skill", "speed", "touch", "quota")


class Writer:
    def __init__(self, out, name, header):
        self.f = open(os.path.join(out, name), "w", newline="", encoding="utf-8")
        self.w = csv.writer(self.f, lineterminator="\n")
        self.w.writerow(header)
        self.n = 0
        self.row = self.w.writerow

    def close(self):
        self.f.close()


def make_reps(rng, cal, scale):
    n_mgr = max(1, round(10 * scale))
    n_ae = max(3, round(130 * scale))
    n_sdr = max(1, round(60 * scale))
    names = set()

    def name():
        while True:
            n = "%s %s" % (rng.choice(FIRST), rng.choice(LAST))
            if n not in names:
                names.add(n)
                return n

    def pre_window():
        return cal.base - dt.timedelta(days=rng.randint(30, 1500))

    teams = []
    for t in range(n_mgr):
        formed_late = n_mgr >= 5 and t >= n_mgr - 2
        founded = (cal.base + dt.timedelta(days=rng.randint(220, 520))) if formed_late \
            else pre_window()
        teams.append((TEAMS[t % len(TEAMS)] + ("" if t < len(TEAMS) else " %d" % t), founded))
    reps = []
    for t, (team, founded) in enumerate(teams):
        r = Rep()
        r.id, r.name, r.role, r.team, r.mgr = "M%03d" % (t + 1), name(), "Manager", team, ""
        r.start, r.end = founded - dt.timedelta(days=rng.randint(0, 20)), None
        r.quota = ""
        reps.append(r)

    def seat_reps(role, n, prefix, turnover, first_num):
        replaced = round(n * turnover)
        seats = n - replaced
        seated = []
        for s in range(seats):
            team_i = s % n_mgr
            team, founded = teams[team_i]
            if founded > cal.base:
                start = founded + dt.timedelta(days=rng.randint(0, 150))
            elif rng.random() < 0.72:
                start = pre_window()
                if start < founded:
                    start = founded + dt.timedelta(days=rng.randint(0, 240))
            else:
                start = cal.base + dt.timedelta(days=rng.randint(10, cal.ndays - 120))
            seated.append([team_i, start, None])
        # a few growth hires are ramping now (started within the last 90 days)
        for s in rng.sample(range(seats), max(1, round(seats * 0.04))):
            seated[s][1] = cal.today - dt.timedelta(days=rng.randint(5, 85))
        rows = []
        leavers = [s for s in range(seats)
                   if (cal.today - seated[s][1]).days > 260]
        rng.shuffle(leavers)
        bare = max(0, round(n * 0.03)) if n >= 20 else 0
        for k, s in enumerate(leavers[:replaced + bare]):
            team_i, start, _ = seated[s]
            lo = max(cal.idx(start) + 120, 30)
            hi = cal.ndays - 60
            if lo >= hi:
                continue
            leave = cal.base + dt.timedelta(days=rng.randint(lo, hi))
            seated[s][2] = leave
            if k < replaced:
                hire = leave + dt.timedelta(days=rng.randint(14, 55))
                if hire >= cal.today:
                    hire = cal.today - dt.timedelta(days=3)
                seated.append([team_i, hire, None])
        # whatever turnover could not be placed becomes late hires
        while len(seated) < n:
            seated.append([rng.randrange(n_mgr),
                           cal.today - dt.timedelta(days=rng.randint(5, 400)), None])
        seated.sort(key=lambda x: (x[1], x[0]))
        for i, (team_i, start, end) in enumerate(seated):
            r = Rep()
            r.id = "%s%04d" % (prefix, first_num + i)
            r.name, r.role = name(), role
            r.team = teams[team_i][0]
            r.mgr = "M%03d" % (team_i + 1)
            r.start, r.end = start, end
            rows.append(r)
        return rows

    aes = seat_reps("AE", n_ae, "AE", 0.15, 101)
    sdrs = seat_reps("SDR", n_sdr, "SD", 0.17, 501)
    for r in aes:
        r.volume = rng.uniform(0.7, 1.3)
        r.skill = rng.uniform(0.8, 1.2)
        r.speed = rng.uniform(0.75, 1.35)
        r.touch = rng.uniform(0.7, 1.35)
        r.quota = "%d" % (rng.choice([300, 325, 350, 375, 400]) * 1000)
    for r in sdrs:
        r.volume = rng.uniform(0.7, 1.35)
        r.skill = r.speed = 1.0
        r.touch = rng.uniform(0.75, 1.3)
        r.quota = "%d" % rng.choice([36, 40, 45, 50])
    # an odd AE with far fewer deals and an odd SDR who barely calls
    if len(aes) > 20:
        aes[7].volume = 0.35
        sdrs[3].touch = 0.3
    for r in reps + aes + sdrs:
        r.a = max(0, cal.idx(r.start))
        r.b = cal.ndays - 1 if r.end is None else min(cal.ndays - 1, cal.idx(r.end))
    return reps, aes, sdrs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="1.0 = the issue's reference org; 0.1 for a quick run")
    ap.add_argument("--out", default="/tmp/ind-csv")
    ap.add_argument("--today", default="2026-11-24")
    ap.add_argument("--check", metavar="DB",
                    help="compare per-rep 2026-Q3 figures by plain SQL with pipedeck's")
    ap.add_argument("--pipedeck", default="pipedeck", help="binary used by --check")
    ap.add_argument("--period", default="2026-Q3", help="quarter used by --check")
    args = ap.parse_args()
    today = dt.date.fromisoformat(args.today)
    if args.check:
        sys.exit(check(args.check, args.pipedeck, args.period, args.today))
    generate(args.out, args.seed, args.scale, today)


def generate(out, seed, scale, today):
    t0 = time.time()
    rng = random.Random(seed)
    R = rng.random
    randint = rng.randint
    choice = rng.choice
    cal = Calendar(today)
    ts = cal.ts
    END = cal.end
    os.makedirs(out, exist_ok=True)
    counts = {}

    # ---- stages --------------------------------------------------------
    w = Writer(out, "stages.csv", ["name", "position", "probability", "max_days", "kind"])
    for s in STAGES:
        w.row(s)
    w.close()
    counts["stages"] = len(STAGES)

    # ---- reps ----------------------------------------------------------
    mgrs, aes, sdrs = make_reps(rng, cal, scale)
    w = Writer(out, "reps.csv", ["id", "name", "email", "role", "team", "manager_id",
                                 "start_date", "end_date", "quota"])
    for r in mgrs + aes + sdrs:
        email = "" if R() < 0.03 else r.name.lower().replace(" ", ".") + "@corvid-sales.test"
        w.row((r.id, r.name, email, r.role, r.team, r.mgr, r.start.isoformat(),
               r.end.isoformat() if r.end else "", r.quota))
    w.close()
    counts["reps"] = len(mgrs) + len(aes) + len(sdrs)
    n_team = len(mgrs)
    team_index = {m.team: i for i, m in enumerate(mgrs)}
    team_aes = [[r for r in aes if team_index[r.team] == t] for t in range(n_team)]
    team_sdrs = [[r for r in sdrs if team_index[r.team] == t] for t in range(n_team)]

    # ---- accounts and contacts -----------------------------------------
    n_acc = max(50, round(20000 * scale))
    n_con = max(150, round(60000 * scale))
    w = Writer(out, "accounts.csv", ["id", "name", "segment", "icp_tier", "industry", "employees"])
    acc_id, acc_seg, acc_name = [], [], []
    seen = set()
    for i in range(n_acc):
        aid = "CO-%05d" % (i + 1)
        for _ in range(4):
            nm = "%s%s %s" % (choice(ACC_A), choice(ACC_B), choice(ACC_C))
            if nm not in seen:
                break
        if nm in seen:
            nm = "%s %d" % (nm, i + 1)
        seen.add(nm)
        x = R()
        seg = 0 if x < 0.55 else (1 if x < 0.88 else 2)
        emp = [randint(8, 180), randint(200, 1800), randint(2000, 60000)][seg]
        tier = "" if R() < 0.05 else choice("AABBBBCCC")
        w.row((aid, nm, "" if R() < 0.02 else ["SMB", "Mid-Market", "Enterprise"][seg], tier,
               "" if R() < 0.04 else choice(INDUSTRIES), "" if R() < 0.06 else emp))
        acc_id.append(aid)
        acc_seg.append(seg)
        acc_name.append(nm)
    w.close()
    counts["accounts"] = n_acc
    w = Writer(out, "contacts.csv", ["id", "account_id", "name", "title"])
    acc_cons = [[] for _ in range(n_acc)]
    loose = []
    for i in range(n_con):
        cid = "PN-%06d" % (i + 1)
        if i < n_acc:
            a = i
        elif R() < 0.006:
            a = -1
        else:
            a = randint(0, n_acc - 1)
        nm = "%s %s" % (choice(FIRST), choice(LAST))
        w.row((cid, acc_id[a] if a >= 0 else "", nm, "" if R() < 0.08 else choice(TITLES)))
        if a >= 0:
            acc_cons[a].append(cid)
        else:
            loose.append(cid)
    w.close()
    counts["contacts"] = n_con
    team_accs = [list(range(t, n_acc, n_team)) for t in range(n_team)]

    # ---- streamed files ------------------------------------------------
    W_opp = Writer(out, "opportunities.csv", [
        "id", "name", "account_id", "owner_id", "source_rep_id", "created_at", "stage",
        "amount", "list_amount", "close_date", "forecast_category", "status", "closed_at",
        "loss_reason", "next_step", "next_step_date", "channel"])
    W_his = Writer(out, "opportunity_history.csv", [
        "opportunity_id", "changed_at", "field", "old_value", "new_value", "changed_by"])
    W_act = Writer(out, "activities.csv", [
        "id", "rep_id", "kind", "meeting_type", "label", "opportunity_id", "account_id",
        "contact_id", "occurred_at", "outcome", "duration_min", "direction"])
    W_snap = Writer(out, "forecast_snapshots.csv", [
        "taken_on", "taken_at", "opportunity_id", "owner_id", "stage", "amount",
        "close_date", "forecast_category"])
    hrow, arow, srow = W_his.row, W_act.row, W_snap.row
    nh = na = ns = 0
    act_n = [0]

    # snapshot instants: Mondays from the start of the previous quarter, plus
    # each quarter's first day, 18:00 UTC
    q = (today.month - 1) // 3 * 3 + 1
    prev_q = dt.date(today.year, q - 3, 1) if q > 1 else dt.date(today.year - 1, 10, 1)
    snap_from = max(cal.idx(prev_q), 0)
    snaps = sorted({d for d in range(snap_from, cal.ndays) if cal.wd[d] == 0}
                   | {d for d in range(snap_from, cal.ndays)
                      if cal.day[d][5:] in ("01-01", "04-01", "07-01", "10-01")})
    snap_m = [d * 1440 + 18 * 60 for d in snaps]
    first_snap = snap_m[0] if snap_m else END

    def biz(day):
        """An instant in business hours on `day` (a weekend mostly moves to Monday)."""
        wd = cal.wd[day]
        if wd >= 5 and R() < 0.95:
            day += 7 - wd
        return day * 1440 + randint(7 * 60, 18 * 60 - 1)

    def act(rep, kind, m, opp="", acc="", con="", mtype="", label="", outcome="",
            dur="", direction=""):
        nonlocal na
        # into working hours: evenings back to the afternoon, nights to the
        # morning, most weekends back to Friday
        d, r = divmod(m, 1440)
        if r < 420:
            r = 420 + randint(0, 150)
        elif r >= 1080:
            r = 960 + randint(0, 119)
        wd = cal.wd[d]
        if wd >= 5 and R() < 0.95:
            d -= wd - 4
        m = d * 1440 + r
        act_n[0] += 1
        arow(("EV%08d" % act_n[0], rep, kind, mtype, label, opp, acc, con, ts(m), outcome,
              dur, direction))
        na += 1

    def call(rep, m, opp, acc, con, connect_p):
        x = R()
        if x < 0.02:
            outcome, dur = "", ""
        elif x < 0.02 + connect_p:
            outcome, dur = "connected", randint(2, 38)
        else:
            outcome, dur = "no_answer", ("" if R() < 0.8 else randint(0, 1))
        d = "outbound" if R() < 0.9 else ("inbound" if R() < 0.8 else "")
        act(rep, "call", m, opp, acc, con, outcome=outcome, dur=dur, direction=d)

    def email(rep, m, opp, acc, con, reply_p):
        x = R()
        if x < 0.72:
            act(rep, "email", m, opp, acc, con, outcome="replied" if R() < reply_p else "",
                direction="outbound")
        elif x < 0.95:
            act(rep, "email", m, opp, acc, con, direction="inbound")
        else:
            act(rep, "email", m, opp, acc, con)

    def meeting(rep, m, opp, acc, con, mtype, label, no_show=0.07):
        x = R()
        if x < no_show:
            act(rep, "meeting", m, opp, acc, con, mtype, label, outcome="no_show")
            return False
        if x < no_show + 0.04:
            act(rep, "meeting", m, opp, acc, con, mtype, label, dur=choice((30, 45, 60, "")))
        else:
            act(rep, "meeting", m, opp, acc, con, mtype, label, outcome="held",
                dur=choice((25, 30, 30, 45, 45, 60, 90)))
        return True

    def active_ae(team, day, exclude):
        pool = [r for r in team_aes[team] if r.a <= day <= r.b and r is not exclude]
        if not pool:
            pool = [r for r in aes if r.a <= day <= r.b and r is not exclude]
        return choice(pool) if pool else None

    # deals per AE business day, weighted by ramp and volume
    ramp_days = 75
    weight = 0.0
    for r in aes:
        for d in range(r.a, r.b + 1):
            if cal.wd[d] < 5:
                weight += r.volume * min(1.0, 0.25 + (d - cal.idx(r.start)) / ramp_days)
    n_deal_target = round(200000 * scale)
    lam = n_deal_target / weight if weight else 0
    opp_n = 0

    def fmt_amt(c):
        """cents → decimal text (whole units unless there are cents)."""
        if c is None:
            return ""
        if c % 100:
            return "%d.%02d" % divmod(c, 100)
        return "%d" % (c // 100)

    for ae in aes:
        team = team_index[ae.team]
        accs = team_accs[team]
        sdr_pool = team_sdrs[team]
        for day in range(ae.a, ae.b + 1):
            if cal.wd[day] >= 5:
                continue
            k = poisson(rng, lam * ae.volume * min(1.0, 0.25 + (day - cal.idx(ae.start)) / ramp_days))
            for _ in range(k):
                opp_n += 1
                oid = "D-%07d" % opp_n
                # ---- who, what ----------------------------------------
                if R() < 0.004:
                    a = -1
                    acc, cons, seg = "", loose or [""], 0
                else:
                    a = choice(accs)
                    acc, cons, seg = acc_id[a], acc_cons[a] or [""], acc_seg[a]
                src = None
                if R() < 0.36:
                    act_sdrs = [s for s in sdr_pool if s.a <= day <= s.b]
                    if act_sdrs:
                        src = choice(act_sdrs)
                if src is not None:
                    channel = "outbound"
                else:
                    x = R()
                    channel = ("inbound" if x < 0.4 else "partner" if x < 0.55 else
                               "referral" if x < 0.65 else "event" if x < 0.74 else
                               "" if x < 0.77 else "outbound")
                base = [randint(40, 220), randint(180, 900), randint(700, 4500)][seg] * 10000
                amount = None if R() < 0.03 else base
                late_amount = amount is None and R() < 0.5
                created = biz(day)
                if created >= END:
                    created = END - randint(60, 600)
                owner = ae
                by = ae.id
                seg_mult = (0.8, 1.2, 1.9)[seg] * ae.speed
                close_date_day = created // 1440 + int(sum(STAGE_DAYS) * seg_mult * rng.uniform(0.7, 1.3)) + 7
                fc = "pipeline"
                stage_i = 0 if (src is None and R() < 0.75) or R() < 0.5 else 1
                name = "%s - %s" % (acc_name[a] if a >= 0 else "No account", choice(PRODUCTS))
                states = []  # (instant, stage, amount, close_day, fc, owner) for snapshots
                amt_s = fmt_amt(amount)
                if R() < 0.02:
                    created_by = owner.mgr or owner.id
                else:
                    created_by = by
                ct = ts(created)
                hrow((oid, ct, "stage", "", OPEN_STAGES[stage_i], created_by))
                nh += 1
                if amount is not None:
                    hrow((oid, ct, "amount", "", amt_s, created_by))
                    nh += 1
                hrow((oid, ct, "close_date", "", cal.day[close_date_day], created_by))
                hrow((oid, ct, "forecast_category", "", fc, created_by))
                hrow((oid, ct, "status", "", "open", created_by))
                nh += 3
                states.append((created, OPEN_STAGES[stage_i], amount, close_date_day, fc, owner.id))
                con = choice(cons)
                # SDR touches before the deal, then the first meeting
                if src is not None:
                    for _ in range(randint(1, 4)):
                        m = created - randint(1, 20) * 1440 + randint(-200, 200)
                        if m > 0:
                            if R() < 0.55:
                                call(src.id, m, "", acc, con, 0.3)
                            else:
                                email(src.id, m, "", acc, con, 0.35)
                m = created + randint(30, 5 * 1440)
                first_done = False
                tries = 0
                while not first_done and tries < 3 and m < END:
                    logger = src.id if (src is not None and R() < 0.3) else owner.id
                    first_done = meeting(logger, m, oid, acc if R() < 0.8 else "", con, "first", "",
                                         no_show=0.09)
                    m += randint(2, 6) * 1440
                    tries += 1
                # ---- walk the stages ----------------------------------
                t = created
                status = "open"
                closed_at = None
                loss = ""
                dark = False
                list_amount = None
                pushes = 0
                while True:
                    stay = max(1.0, rng.expovariate(1.0 / (STAGE_DAYS[stage_i] * seg_mult)))
                    t_next = t + int(stay * 1440) + randint(0, 600)
                    x = R()
                    adv_p = min(0.95, STAGE_ADVANCE[stage_i] * ae.skill)
                    lost_p = STAGE_LOST[stage_i] / ae.skill
                    outcome = "adv" if x < adv_p else ("lost" if x < adv_p + lost_p else "dark")
                    if outcome == "dark":
                        dark = True
                        t_next = t + randint(20, 420) * 1440
                    span_end = min(t_next, END)
                    # the owner leaves during the span: a teammate takes the deal
                    gone, ra = END, END
                    if (owner.b + 1) * 1440 < span_end:
                        gone = max(t, (owner.b + 1) * 1440)
                        ra = max(gone, (owner.b + randint(1, 5)) * 1440 + randint(480, 1000))
                        new = active_ae(team, min(ra // 1440, cal.ndays - 1), owner)
                        if new is not None and ra < END:
                            hrow((oid, ts(ra), "owner_id", owner.id, new.id, owner.mgr or new.id))
                            nh += 1
                            old_owner, owner = owner, new
                            states.append((ra, OPEN_STAGES[stage_i], amount, close_date_day, fc,
                                           owner.id))
                            if t_next <= ra:
                                t_next = ra + randint(60, 3000)
                                span_end = min(t_next, END)
                        else:
                            old_owner, gone, ra = owner, END, END
                    else:
                        old_owner = owner
                    # touches while in the stage (none once dark)
                    if not dark:
                        days = (span_end - t) / 1440.0
                        n_t = poisson(rng, STAGE_TOUCH[stage_i] * days * owner.touch)
                        for _ in range(n_t):
                            m = t + randint(60, max(61, span_end - t - 1))
                            if m >= END or gone <= m < ra:
                                continue
                            rep = old_owner if m < gone else owner
                            who = rep.id
                            if src is not None and stage_i <= 1 and R() < 0.35 \
                                    and src.a <= m // 1440 <= src.b:
                                who = src.id
                            elif R() < 0.01:
                                who = rep.mgr or rep.id
                            c = choice(cons) if R() < 0.9 else ""
                            ac = acc if R() < 0.75 else ""
                            y = R()
                            if stage_i >= 2 and y < 0.3:
                                labels = (LABELS_SOLUTION if stage_i == 3 else
                                          LABELS_PROPOSAL if stage_i == 4 else LABELS_OTHER)
                                meeting(who, m, oid, ac, c, "follow_up", choice(labels))
                            elif y < 0.62:
                                email(who, m, oid, ac, c, 0.45)
                            else:
                                call(who, m, oid, ac, c, 0.42)
                    # close-date pushes while the deal runs past it (pulled in now and then)
                    while not dark and close_date_day * 1440 < span_end and pushes < 6:
                        pm = max(t + 60, close_date_day * 1440 - randint(0, 4) * 1440
                                 + randint(420, 1000))
                        if pm >= span_end:
                            break
                        new_day = close_date_day + randint(10, 45)
                        pusher = (old_owner if pm < gone else owner)
                        hrow((oid, ts(pm), "close_date", cal.day[close_date_day], cal.day[new_day],
                              pusher.id))
                        nh += 1
                        pushes += 1
                        close_date_day = new_day
                        states.append((pm, OPEN_STAGES[stage_i], amount, close_date_day, fc,
                                       owner.id if pm >= ra else old_owner.id))
                    t = t_next
                    if t >= END:
                        break
                    by = owner.id if R() > 0.03 else (owner.mgr or owner.id)
                    if outcome == "dark":
                        if R() < 0.7 and t < END:
                            outcome = "lost"
                            loss = "Went dark" if R() < 0.6 else "No decision"
                            by = owner.mgr or owner.id
                        else:
                            t = END
                            break
                    tt = ts(t)
                    if outcome == "lost":
                        hrow((oid, tt, "stage", OPEN_STAGES[stage_i], LOST, by))
                        hrow((oid, tt, "status", "open", "lost", by))
                        hrow((oid, tt, "forecast_category", fc, "closed", by))
                        nh += 3
                        fc = "closed"
                        if R() < 0.8 and close_date_day != t // 1440:
                            hrow((oid, tt, "close_date", cal.day[close_date_day], cal.day[t // 1440], by))
                            nh += 1
                            close_date_day = t // 1440
                        status, closed_at = "lost", t
                        loss = loss or ("" if R() < 0.1 else choice(LOSS))
                        break
                    # advance (now and then step back first)
                    if stage_i == len(OPEN_STAGES) - 1:
                        hrow((oid, tt, "stage", OPEN_STAGES[stage_i], WON, by))
                        hrow((oid, tt, "status", "open", "won", by))
                        hrow((oid, tt, "forecast_category", fc, "closed", by))
                        nh += 3
                        fc = "closed"
                        if close_date_day != t // 1440:
                            hrow((oid, tt, "close_date", cal.day[close_date_day], cal.day[t // 1440], by))
                            nh += 1
                            close_date_day = t // 1440
                        if amount is not None and R() < 0.7:
                            list_amount = amount + (amount * randint(0, 18) // 100) // 100 * 100
                        status, closed_at = "won", t
                        break
                    new_i = stage_i + 1
                    if stage_i >= 3 and R() < 0.04:
                        new_i = stage_i - 1
                    hrow((oid, tt, "stage", OPEN_STAGES[stage_i], OPEN_STAGES[new_i], by))
                    nh += 1
                    stage_i = new_i
                    new_fc = fc
                    if stage_i == 3 and fc == "pipeline" and R() < 0.6:
                        new_fc = "best_case"
                    elif stage_i == 4 and R() < 0.55:
                        new_fc = "commit"
                    elif stage_i == 5 and R() < 0.85:
                        new_fc = "commit"
                    if new_fc != fc:
                        hrow((oid, tt, "forecast_category", fc, new_fc, by))
                        nh += 1
                        fc = new_fc
                    if stage_i == 2 and late_amount:
                        amount = base
                        hrow((oid, tt, "amount", "", fmt_amt(amount), by))
                        nh += 1
                        late_amount = False
                    elif amount is not None and stage_i == 4 and R() < 0.35:
                        new_amt = amount * randint(80, 130) // 100 // 10000 * 10000 or amount
                        if new_amt != amount:
                            hrow((oid, tt, "amount", fmt_amt(amount), fmt_amt(new_amt), by))
                            nh += 1
                            amount = new_amt
                    elif amount is not None and stage_i == 5 and R() < 0.3:
                        new_amt = amount - amount * randint(3, 15) // 100 // 100 * 100 - randint(0, 1) * 50
                        if new_amt != amount and new_amt > 0:
                            hrow((oid, tt, "amount", fmt_amt(amount), fmt_amt(new_amt), by))
                            nh += 1
                            amount = new_amt
                    if stage_i == 5 and close_date_day > t // 1440 + 21 and R() < 0.3:
                        new_day = t // 1440 + randint(7, 20)
                        hrow((oid, tt, "close_date", cal.day[close_date_day], cal.day[new_day], by))
                        nh += 1
                        close_date_day = new_day
                    states.append((t, OPEN_STAGES[stage_i], amount, close_date_day, fc, owner.id))
                # won deals: a kickoff after the signature
                if status == "won" and R() < 0.25:
                    m = closed_at + randint(2, 14) * 1440
                    if m < END:
                        meeting(owner.id, m, oid, acc, con, "follow_up", "kickoff", no_show=0.02)
                stage_now = (WON if status == "won" else LOST if status == "lost"
                             else OPEN_STAGES[stage_i])
                nxt, nxt_d = "", ""
                if status == "open" and R() < 0.7:
                    nxt = choice(NEXT_STEPS)
                    nxt_d = cal.day[max(created // 1440, cal.ndays + randint(-20, 25))]
                W_opp.row((oid, name, acc, owner.id, src.id if src is not None else "", ct,
                           stage_now, fmt_amt(amount), fmt_amt(list_amount),
                           cal.day[close_date_day], fc,
                           "" if R() < 0.05 else status,
                           ts(closed_at) if closed_at is not None else "", loss, nxt, nxt_d,
                           channel))
                # snapshots: the deal as it stood at each snapshot instant it was open
                sorted_states = False
                end_open = closed_at if closed_at is not None else END + 1
                if end_open > first_snap and created < END:
                    for sm, sd in zip(snap_m, snaps):
                        if sm < created or sm >= end_open:
                            continue
                        cur = None
                        if not sorted_states:
                            states.sort(key=lambda st: st[0])
                            sorted_states = True
                        for st in states:
                            if st[0] <= sm:
                                cur = st
                            else:
                                break
                        if cur is None or not cur[1]:
                            continue
                        srow((cal.day[sd], ts(sm), oid, cur[5], cur[1], fmt_amt(cur[2]),
                              cal.day[cur[3]], cur[4]))
                        ns += 1

    deal_acts = na
    # ---- activities without a deal -------------------------------------
    # SDR prospecting and AE nurture fill the activity total up to ~5M x scale
    sdr_days = sum(r.touch for r in sdrs for d in range(r.a, r.b + 1) if cal.wd[d] < 5)
    ae_days = sum(r.touch for r in aes for d in range(r.a, r.b + 1) if cal.wd[d] < 5)
    rest = max(0, round(5_000_000 * scale) - deal_acts)
    sdr_rate = 0.72 * rest / sdr_days if sdr_days else 0
    ae_rate = (rest - sdr_rate * sdr_days) / ae_days if ae_days else 0

    def touches(reps, rate):
        """Each touch of each rep on each weekday of their tenure (the
        draws in the order the loops made them): rep, team's accounts, day."""
        for r in reps:
            accs = team_accs[team_index[r.team]]
            for day in range(r.a, r.b + 1):
                if cal.wd[day] >= 5:
                    continue
                for _ in range(poisson(rng, rate(r))):
                    yield r, accs, day

    for r, accs, day in touches(sdrs, lambda r: sdr_rate * r.touch):
        start_m = day * 1440 + 7 * 60
        a = choice(accs)
        cs = acc_cons[a]
        c = choice(cs) if cs and R() < 0.92 else ""
        ac = acc_id[a] if (not c or R() < 0.93) else ""
        m = start_m + randint(0, 11 * 60 - 1)
        if m >= END:
            continue
        y = R()
        if y < 0.52:
            call(r.id, m, "", ac, c, 0.12)
        elif y < 0.995:
            email(r.id, m, "", ac, c, 0.08)
        else:
            meeting(r.id, m, "", ac, c, "first", "", no_show=0.15)
    for r, accs, day in touches(aes, lambda r: ae_rate * r.touch):
        start_m = day * 1440 + 7 * 60
        a = choice(accs)
        cs = acc_cons[a]
        c = choice(cs) if cs and R() < 0.85 else (choice(loose) if loose and R() < 0.02 else "")
        ac = acc_id[a] if R() < 0.9 else ""
        if not c and not ac:
            ac = acc_id[a]
        m = start_m + randint(0, 11 * 60 - 1)
        if m >= END:
            continue
        y = R()
        if y < 0.5:
            email(r.id, m, "", ac, c, 0.3)
        elif y < 0.88:
            call(r.id, m, "", ac, c, 0.3)
        elif y < 0.95:
            meeting(r.id, m, "", ac, c, "first", "")
        else:
            meeting(r.id, m, "", ac, c, "follow_up", choice(("", "", "QBR", "check-in")))
    for r, accs, day in touches(mgrs, lambda r: 0.6):
        a = choice(accs)
        m = day * 1440 + randint(8 * 60, 17 * 60)
        if m < END:
            if R() < 0.5:
                meeting(r.id, m, "", acc_id[a], "", "follow_up", "exec sponsor")
            else:
                call(r.id, m, "", acc_id[a], "", 0.5)
    for wtr in (W_opp, W_his, W_act, W_snap):
        wtr.close()
    counts["opportunities"] = opp_n
    counts["opportunity_history"] = nh
    counts["activities"] = na
    counts["  of which on deals"] = deal_acts
    counts["forecast_snapshots"] = ns
    total = sum(v for k, v in counts.items() if not k.startswith(" "))
    size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out)
               if f.endswith(".csv"))
    for k, v in counts.items():
        print("%-22s %10d" % (k, v))
    print("%-22s %10d rows, %.1f MB, %.0f s" % ("total", total, size / 1e6, time.time() - t0))


def quarter_bounds(period):
    year, q = period.split("-Q")
    year, q = int(year), int(q)
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1)
    return start.isoformat(), end.isoformat()


# per-rep figures straight from the tables (SPEC §4, docs/metrics.md): a
# meeting with no outcome is held, an email with no direction is outbound,
# deals count for their current owner, "in period" is the UTC instant's date
# (the default time zone) in [from, to), reps active on any day of it.
CHECK_SQL = """
WITH reps_in AS (
  SELECT id, role FROM reps
  WHERE role IN ('AE', 'SDR')
    AND (start_date IS NULL OR start_date < :to)
    AND (end_date IS NULL OR end_date >= :from)
), acts AS (
  SELECT rep_id,
    SUM(kind = 'meeting' AND COALESCE(outcome, 'held') = 'held') AS meetings,
    SUM(kind = 'meeting' AND COALESCE(outcome, 'held') = 'held'
        AND meeting_type = 'first') AS first_meetings,
    SUM(kind = 'meeting' AND COALESCE(outcome, 'held') = 'held'
        AND meeting_type = 'follow_up') AS follow_up_meetings,
    SUM(kind = 'call') AS calls,
    SUM(kind = 'call' AND outcome = 'connected') AS connected_calls,
    SUM(CASE WHEN kind = 'call' THEN COALESCE(duration_min, 0) ELSE 0 END) AS talk_minutes,
    SUM(kind = 'email' AND COALESCE(direction, 'outbound') = 'outbound') AS emails,
    SUM(kind = 'email' AND COALESCE(direction, 'outbound') = 'outbound'
        AND outcome = 'replied') AS replied
  FROM activities
  WHERE occurred_at >= :from AND occurred_at < :to
  GROUP BY rep_id
), closed AS (
  SELECT owner_id AS rep_id,
    SUM(status = 'won') AS won,
    SUM(status = 'lost') AS lost,
    SUM(CASE WHEN status = 'won' THEN COALESCE(amount, 0) ELSE 0 END) AS bookings_cents
  FROM opportunities
  WHERE closed_at >= :from AND closed_at < :to
  GROUP BY owner_id
), meetings_set AS (
  SELECT sdr AS rep_id, COUNT(*) AS meetings_set FROM (
    SELECT a.id, a.rep_id AS sdr
    FROM activities a JOIN reps r ON r.id = a.rep_id AND r.role = 'SDR'
    WHERE a.kind = 'meeting' AND a.meeting_type = 'first'
      AND a.occurred_at >= :from AND a.occurred_at < :to
    UNION
    SELECT a.id, o.source_rep_id
    FROM activities a JOIN opportunities o ON o.id = a.opportunity_id
    WHERE a.kind = 'meeting' AND a.meeting_type = 'first'
      AND a.occurred_at >= :from AND a.occurred_at < :to
      AND o.source_rep_id IS NOT NULL
  ) GROUP BY sdr
), created AS (
  SELECT owner_id AS rep_id, COUNT(*) AS opps_created
  FROM opportunities
  WHERE created_at >= :from AND created_at < :to
  GROUP BY owner_id
)
SELECT r.id, r.role,
  COALESCE(a.meetings, 0), COALESCE(a.first_meetings, 0), COALESCE(a.follow_up_meetings, 0),
  COALESCE(a.calls, 0), COALESCE(a.connected_calls, 0), COALESCE(a.talk_minutes, 0),
  COALESCE(a.emails, 0),
  COALESCE(c.won, 0), COALESCE(c.lost, 0), COALESCE(c.bookings_cents, 0),
  COALESCE(o.opps_created, 0), COALESCE(a.replied, 0), COALESCE(m.meetings_set, 0)
FROM reps_in r
LEFT JOIN acts a ON a.rep_id = r.id
LEFT JOIN closed c ON c.rep_id = r.id
LEFT JOIN created o ON o.rep_id = r.id
LEFT JOIN meetings_set m ON m.rep_id = r.id
ORDER BY r.id
"""

AE_FIELDS = ["meetings", "first_meetings", "follow_up_meetings", "calls", "emails", "won",
             "lost", "bookings", "win_rate", "opps_created"]
SDR_FIELDS = ["calls", "connected_calls", "talk_minutes", "emails", "connect_rate",
              "reply_rate", "meetings_set"]


def check(db, pipedeck, period, today):
    frm, to = quarter_bounds(period)
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    t0 = time.time()
    rows = con.execute(CHECK_SQL, {"from": frm, "to": to}).fetchall()
    sql_s = time.time() - t0
    mine = {}
    for (rid, role, meet, first, follow, calls, conn, talk, emails, won, lost, book,
         created, replied, mset) in rows:
        wr = won / (won + lost) if won + lost else None
        mine[rid] = (role, {"meetings": meet, "first_meetings": first,
                            "follow_up_meetings": follow, "calls": calls,
                            "connected_calls": conn, "talk_minutes": talk, "emails": emails,
                            "won": won, "lost": lost, "bookings": book / 100.0,
                            "win_rate": wr, "opps_created": created,
                            "connect_rate": conn / calls if calls else None,
                            "reply_rate": replied / emails if emails else None,
                            "meetings_set": mset})
    t0 = time.time()
    out = subprocess.run([pipedeck, "--today", today, "--db", db, "report", "metrics",
                          "--period", period, "--format", "json"],
                         check=True, capture_output=True, text=True).stdout
    pd_s = time.time() - t0
    theirs = {r["rep_id"]: r for r in json.loads(out)["reps"]}
    compared = equal = 0
    problems = []
    for rid in sorted(set(mine) | set(theirs)):
        if rid not in theirs:
            problems.append("%s: in the SQL (active %s), not in pipedeck's report" % (rid, mine[rid][0]))
            continue
        if rid not in mine:
            problems.append("%s: in pipedeck's report, not active by the SQL" % rid)
            continue
        role, vals = mine[rid]
        for f in AE_FIELDS if role == "AE" else SDR_FIELDS:
            compared += 1
            got = theirs[rid]["metrics"].get(f, {}).get("value")
            want = vals[f]
            same = (got is None and want is None) or (
                got is not None and want is not None and abs(got - want) <= 1e-9 * max(1, abs(want)))
            if same:
                equal += 1
            else:
                problems.append("%s %s: SQL %r, pipedeck %r" % (rid, f, want, got))
    print("period %s [%s, %s): %d reps by SQL, %d in pipedeck's report" % (
        period, frm, to, len(mine), len(theirs)))
    print("plain SQL %.2f s; pipedeck report metrics %.2f s" % (sql_s, pd_s))
    for p in problems[:50]:
        print("  MISMATCH " + p)
    print("%d of %d per-rep values equal" % (equal, compared))
    return 0 if equal == compared and not problems else 1


if __name__ == "__main__":
    main()
