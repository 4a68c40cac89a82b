//! SDR metrics (SPEC §4.3).

use super::ae_quality::{avg_deal_size, contacts_per_account};
use super::ae_quantity::{engagement, money_sum};
use super::index::{
    Index, Window, closed_in, created_in, is_booked_first_meeting, is_call, is_connected_call,
    is_replied_email, is_sent_email,
};
use super::{MetricId, MetricSet, MetricValue};
use crate::domain::model::{Activity, RepId, Status};
use foldhash::HashSet;

/// An SDR's `meetings_set`: first meetings (booked: any outcome) in the
/// window on deals the SDR sourced, whoever logged them, plus first meetings
/// the SDR logged; each once, in that order.
pub(super) fn meetings_set<'a>(ix: &Index<'a>, rep: &RepId, w: &Window) -> Vec<&'a Activity> {
    if !w.activities {
        return Vec::new();
    }
    let acts = ix.rep_activities(rep, w);
    let mut seen: HashSet<&str> = HashSet::default();
    let on_sourced = ix
        .sourced(rep)
        .iter()
        .flat_map(|o| ix.opp_activities(&o.id).iter())
        .filter(|a| w.contains(a.occurred_at));
    on_sourced
        .chain(acts.iter())
        .copied()
        .filter(|a| is_booked_first_meeting(a) && seen.insert(a.id.as_str()))
        .collect()
}

/// Adds the SDR metrics of `rep` over `w` to `out`.
pub(super) fn compute(ix: &Index<'_>, rep: &RepId, w: &Window, out: &mut MetricSet) {
    let acts = ix.rep_activities(rep, w);
    let mut put = |id: MetricId, v: MetricValue| {
        out.insert(id, v);
    };
    let sourced = ix.sourced(rep);
    // meetings_set: first meetings (booked: any outcome) in period on deals
    // the SDR sourced, whoever logged them, plus first meetings the SDR logged.
    let set = meetings_set(ix, rep, w);
    let set_accounts: HashSet<_> = set.iter().filter_map(|a| ix.account_of(a)).collect();
    put(MetricId::MeetingsSet, MetricValue::count(set.len() as u32));
    // pipeline_created: sum of amount of sourced deals created in period.
    put(
        MetricId::PipelineCreated,
        money_sum(
            sourced
                .iter()
                .filter(|o| created_in(o, w))
                .map(|o| o.amount),
        ),
    );
    let calls: Vec<_> = acts.iter().filter(|a| is_call(a)).collect();
    let connected = calls.iter().filter(|a| is_connected_call(a)).count();
    put(MetricId::Calls, MetricValue::count(calls.len() as u32));
    put(
        MetricId::ConnectedCalls,
        MetricValue::count(connected as u32),
    );
    // talk_minutes: duration of calls in period.
    put(
        MetricId::TalkMinutes,
        MetricValue::count(
            calls
                .iter()
                .filter_map(|a| a.duration_min)
                .fold(0i64, i64::saturating_add) as f64,
        ),
    );
    let emails: Vec<_> = acts.iter().filter(|a| is_sent_email(a)).collect();
    let replied = emails.iter().filter(|a| is_replied_email(a)).count();
    put(MetricId::Emails, MetricValue::count(emails.len() as u32));
    engagement(ix, rep, acts, w, &mut put);
    // connect_rate: connected ÷ calls; reply_rate: replied ÷ sent emails.
    put(
        MetricId::ConnectRate,
        MetricValue::ratio(connected as f64, calls.len() as f64),
    );
    put(
        MetricId::ReplyRate,
        MetricValue::ratio(replied as f64, emails.len() as f64),
    );
    put(MetricId::ContactsPerAccount, contacts_per_account(ix, acts));
    // activities_per_account: activities that touched an account ÷ accounts engaged.
    let engaged: HashSet<_> = acts.iter().filter_map(|a| ix.account_of(a)).collect();
    let with_account = acts.iter().filter(|a| ix.account_of(a).is_some()).count();
    put(
        MetricId::ActivitiesPerAccount,
        MetricValue::ratio(with_account as f64, engaged.len() as f64),
    );
    // account_to_meeting: engaged accounts with a meeting set ÷ accounts engaged.
    let hit = engaged.iter().filter(|a| set_accounts.contains(*a)).count();
    put(
        MetricId::AccountToMeeting,
        MetricValue::ratio(hit as f64, engaged.len() as f64),
    );
    // sourced_win_rate / sourced_avg_deal_size: sourced deals closed in period.
    let sourced_closed = |s: Status| sourced.iter().filter(move |o| closed_in(o, s, w));
    let won = sourced_closed(Status::Won).count() as f64;
    let lost = sourced_closed(Status::Lost).count() as f64;
    put(
        MetricId::SourcedWinRate,
        MetricValue::ratio(won, won + lost),
    );
    let won_deals: Vec<_> = sourced_closed(Status::Won).copied().collect();
    put(MetricId::SourcedAvgDealSize, avg_deal_size(&won_deals));
}
