//! Which format and which kind of file a CSV is, told from its header row.

use super::table::Table;

/// A file of pipedeck's own CSV set (SPEC §10.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NativeKind {
    /// `stages.csv`: our extension, so an export carries the pipeline it uses.
    Stages,
    Reps,
    Accounts,
    Contacts,
    Opportunities,
    History,
    Activities,
    /// The files below are our extension too: what a database holds beyond
    /// the CRM's records (SPEC §12, export is the backup).
    Goals,
    ReviewSessions,
    Snapshots,
    Snoozes,
    Tags,
    ActionItems,
    /// The round trip's state: each deal's CRM record, the CRM's last
    /// activity dates, the local edits the CRM has (not) seen.
    CrmRecords,
    CrmLastTouch,
    LocalEdits,
}

impl NativeKind {
    pub const ALL: [NativeKind; 16] = [
        NativeKind::Stages,
        NativeKind::Reps,
        NativeKind::Accounts,
        NativeKind::Contacts,
        NativeKind::Opportunities,
        NativeKind::History,
        NativeKind::Activities,
        NativeKind::Goals,
        NativeKind::ReviewSessions,
        NativeKind::Snapshots,
        NativeKind::Snoozes,
        NativeKind::Tags,
        NativeKind::ActionItems,
        NativeKind::CrmRecords,
        NativeKind::CrmLastTouch,
        NativeKind::LocalEdits,
    ];

    /// The file stem of this kind (`opportunity_history` …), also the key of
    /// `[import.mappings.<kind>]` in the config.
    pub fn name(self) -> &'static str {
        match self {
            NativeKind::Stages => "stages",
            NativeKind::Reps => "reps",
            NativeKind::Accounts => "accounts",
            NativeKind::Contacts => "contacts",
            NativeKind::Opportunities => "opportunities",
            NativeKind::History => "opportunity_history",
            NativeKind::Activities => "activities",
            NativeKind::Goals => "goals",
            NativeKind::ReviewSessions => "review_sessions",
            NativeKind::Snapshots => "forecast_snapshots",
            NativeKind::Snoozes => "snoozes",
            NativeKind::Tags => "deal_tags",
            NativeKind::ActionItems => "action_items",
            NativeKind::CrmRecords => "crm_records",
            NativeKind::CrmLastTouch => "crm_last_touch",
            NativeKind::LocalEdits => "local_edits",
        }
    }

    /// Every column, in the SPEC table order (the export order).
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            NativeKind::Stages => &["name", "position", "probability", "max_days", "kind"],
            NativeKind::Reps => &[
                "id",
                "name",
                "email",
                "role",
                "team",
                "manager_id",
                "start_date",
                "end_date",
                "quota",
            ],
            NativeKind::Accounts => &["id", "name", "segment", "icp_tier", "industry", "employees"],
            NativeKind::Contacts => &["id", "account_id", "name", "title"],
            NativeKind::Opportunities => &[
                "id",
                "name",
                "account_id",
                "owner_id",
                "source_rep_id",
                "created_at",
                "stage",
                "amount",
                "list_amount",
                "close_date",
                "forecast_category",
                "status",
                "closed_at",
                "loss_reason",
                "next_step",
                "next_step_date",
                "channel",
            ],
            NativeKind::History => &[
                "opportunity_id",
                "changed_at",
                "field",
                "old_value",
                "new_value",
                "changed_by",
                "review_session_id",
            ],
            NativeKind::Activities => &[
                "id",
                "rep_id",
                "kind",
                "meeting_type",
                "label",
                "opportunity_id",
                "account_id",
                "contact_id",
                "occurred_at",
                "outcome",
                "duration_min",
                "direction",
                "review_session_id",
            ],
            NativeKind::Goals => &["role", "metric", "period", "target", "direction"],
            NativeKind::ReviewSessions => &[
                "id",
                "started_at",
                "ended_at",
                "facilitator",
                "report_markdown",
            ],
            NativeKind::Snapshots => &[
                "taken_on",
                "taken_at",
                "opportunity_id",
                "owner_id",
                "stage",
                "amount",
                "close_date",
                "forecast_category",
            ],
            NativeKind::Snoozes => &[
                "id",
                "opportunity_id",
                "reason",
                "until",
                "created_at",
                "created_by",
                "review_session_id",
            ],
            NativeKind::Tags => &[
                "opportunity_id",
                "tag",
                "note",
                "set_at",
                "review_session_id",
            ],
            NativeKind::ActionItems => &[
                "id",
                "opportunity_id",
                "owner_id",
                "text",
                "due_date",
                "created_at",
                "done_at",
                "review_session_id",
            ],
            NativeKind::CrmRecords => &crate::storage::CRM_RECORD_COLUMNS,
            NativeKind::CrmLastTouch => &["opportunity_id", "touched_at"],
            NativeKind::LocalEdits => &crate::storage::LOCAL_EDIT_COLUMNS,
        }
    }

    /// The columns that must be present (and non-empty).
    pub fn required(self) -> &'static [&'static str] {
        match self {
            NativeKind::Stages => &["name", "position", "probability", "kind"],
            NativeKind::Reps => &["id", "name", "role", "start_date"],
            NativeKind::Accounts => &["id", "name"],
            NativeKind::Contacts => &["id", "name"],
            NativeKind::Opportunities => &["id", "name", "owner_id", "stage"],
            NativeKind::History => &["opportunity_id", "changed_at", "field", "new_value"],
            NativeKind::Activities => &["id", "rep_id", "kind", "occurred_at"],
            NativeKind::Goals => &["role", "metric", "period", "target", "direction"],
            NativeKind::ReviewSessions => &["id", "started_at"],
            NativeKind::Snapshots => &["taken_on", "taken_at"],
            NativeKind::Snoozes => &["id", "opportunity_id", "reason", "until", "created_at"],
            NativeKind::Tags => &["opportunity_id", "tag", "set_at"],
            NativeKind::ActionItems => &["id", "owner_id", "text", "created_at"],
            NativeKind::CrmRecords => &["opportunity_id", "crm", "crm_id", "imported_at"],
            NativeKind::CrmLastTouch => &["opportunity_id", "touched_at"],
            NativeKind::LocalEdits => &["opportunity_id", "field", "edited_at", "state"],
        }
    }
}

/// A file of the "CRM Sales Opportunities" set (SPEC §10.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MavenKind {
    Teams,
    Accounts,
    Pipeline,
    /// products.csv: list prices (`sales_price`) for the deals' `list_amount`.
    Products,
    /// data_dictionary.csv: read, nothing to import.
    Ignored,
}

/// A Salesforce export file (API field names as headers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SfKind {
    Opportunity,
    OpportunityHistory,
    OpportunityFieldHistory,
    Account,
    Contact,
    User,
    UserRole,
    Task,
    Event,
}

/// What a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Native(NativeKind),
    Maven(MavenKind),
    Salesforce(SfKind),
    /// A HubSpot deals export (property labels as headers).
    Hubspot,
    /// A Pipedrive deals export (`Deal - …` headers).
    Pipedrive,
}

/// The formats `--format` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Auto,
    Native,
    Maven,
    Salesforce,
    Hubspot,
    Pipedrive,
}

/// Tells the kind of `t` from its header, within `format` (`Auto`: any).
pub fn detect(t: &Table, format: Format) -> Result<FileKind, String> {
    if let (Format::Auto | Format::Hubspot | Format::Pipedrive, Some(name)) = (format, foreign(t)) {
        return Err(unsupported(name));
    }
    let hubspot = || super::hubspot::detect(t).then_some(FileKind::Hubspot);
    let pipedrive =
        || super::pipedrive::detect(t, format == Format::Pipedrive).then_some(FileKind::Pipedrive);
    let found = match format {
        Format::Native => native(t).map(FileKind::Native),
        Format::Maven => maven(t).map(FileKind::Maven),
        Format::Salesforce => salesforce(t).map(FileKind::Salesforce),
        Format::Hubspot => hubspot(),
        Format::Pipedrive => pipedrive(),
        Format::Auto => native(t)
            .map(FileKind::Native)
            .or_else(|| maven(t).map(FileKind::Maven))
            .or_else(hubspot)
            .or_else(pipedrive)
            .or_else(|| salesforce(t).map(FileKind::Salesforce)),
    };
    found.ok_or_else(|| {
        let within = match format {
            Format::Native => " as a pipedeck CSV file",
            Format::Maven => " as a CRM Sales Opportunities file",
            Format::Salesforce => " as a Salesforce export",
            Format::Hubspot => " as a HubSpot deals export (Record ID, Deal Name, Deal Stage)",
            Format::Pipedrive => " as a Pipedrive deals export (Deal - ID, Deal - Title, Deal - Stage)",
            Format::Auto => "",
        };
        // A header of one cell holding `;` or a tab never gets here: the
        // read refuses it (`table::read_header`).
        format!(
            "cannot tell what this file is{within} from its header ({}); see docs/import.md for the headers each format needs, or map it with --mapping FILE.toml",
            t.headers.join(",")
        )
    })
}

fn unsupported(name: &str) -> String {
    format!(
        "{name} exports are not supported yet (supported: native, maven, salesforce, HubSpot and Pipedrive deals)"
    )
}

/// HubSpot and Pipedrive files other than deals, recognised so the error
/// says what they are.
fn foreign(t: &Table) -> Option<&'static str> {
    let any = |cols: &[&str]| cols.iter().any(|c| t.has(c));
    if any(&["Activity - Subject", "Activity - Type"]) {
        return Some("Pipedrive activity");
    }
    if any(&["Engagement ID", "Activity type", "Call outcome"]) && !any(&["Deal Name"]) {
        return Some("HubSpot engagement");
    }
    None
}

fn native(t: &Table) -> Option<NativeKind> {
    let all = |cols: &[&str]| cols.iter().all(|c| t.has(c));
    let any = |cols: &[&str]| cols.iter().any(|c| t.has(c));
    let stem = std::path::Path::new(&t.file)
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase());
    // A file named after a kind whose columns are all that kind's is that
    // kind, even with a required column missing: the error then names the
    // missing column instead of mistaking the file for another kind.
    if let Some(k) = NativeKind::ALL
        .into_iter()
        .find(|k| stem.as_deref() == Some(k.name()))
        && t.headers.iter().all(|h| k.columns().contains(&h.as_str()))
    {
        return Some(k);
    }
    if all(&["opportunity_id", "changed_at", "field"]) {
        return Some(NativeKind::History);
    }
    if all(&["opportunity_id", "field", "edited_at", "state"]) {
        return Some(NativeKind::LocalEdits);
    }
    if all(&["opportunity_id", "crm", "crm_id"]) {
        return Some(NativeKind::CrmRecords);
    }
    if all(&["opportunity_id", "touched_at"]) {
        return Some(NativeKind::CrmLastTouch);
    }
    if all(&["id", "rep_id", "kind", "occurred_at"]) {
        return Some(NativeKind::Activities);
    }
    if all(&["id", "name", "owner_id", "stage"]) {
        return Some(NativeKind::Opportunities);
    }
    if all(&["name", "probability", "kind"]) && !t.has("id") {
        return Some(NativeKind::Stages);
    }
    if all(&["id", "name", "role"]) {
        return Some(NativeKind::Reps);
    }
    if !all(&["id", "name"]) || t.has("Id") {
        return None;
    }
    if any(&["account_id", "title"]) {
        return Some(NativeKind::Contacts);
    }
    if any(&["segment", "icp_tier", "industry", "employees"]) {
        return Some(NativeKind::Accounts);
    }
    // Only id and name: the file name decides.
    match stem?.as_str() {
        "accounts" => Some(NativeKind::Accounts),
        "contacts" => Some(NativeKind::Contacts),
        _ => None,
    }
}

fn maven(t: &Table) -> Option<MavenKind> {
    let all = |cols: &[&str]| cols.iter().all(|c| t.has(c));
    if all(&["opportunity_id", "sales_agent", "deal_stage"]) {
        Some(MavenKind::Pipeline)
    } else if all(&["sales_agent", "manager", "regional_office"]) {
        Some(MavenKind::Teams)
    } else if all(&["account", "sector"]) {
        Some(MavenKind::Accounts)
    } else if all(&["product", "series", "sales_price"]) {
        Some(MavenKind::Products)
    } else if all(&["Table", "Field", "Description"]) {
        Some(MavenKind::Ignored)
    } else {
        None
    }
}

/// The Salesforce API names the readers ask for.
const SF_COLUMNS: &[&str] = &[
    "AccountId",
    "ActivityDate",
    "ActivityDateTime",
    "Amount",
    "CallDurationInSeconds",
    "CallType",
    "CloseDate",
    "CompletedDateTime",
    "CreatedById",
    "CreatedDate",
    "CurrencyIsoCode",
    "Description",
    "DurationInMinutes",
    "Email",
    "Field",
    "FirstName",
    "ForecastCategory",
    "ForecastCategoryName",
    "Id",
    "Industry",
    "IsAllDayEvent",
    "IsClosed",
    "IsDeleted",
    "IsWon",
    "LastName",
    "LeadSource",
    "ManagerId",
    "Name",
    "NewValue",
    "NextStep",
    "NumberOfEmployees",
    "OldValue",
    "OpportunityId",
    "OwnerId",
    "ParentRoleId",
    "Probability",
    "StageName",
    "StageSortOrder",
    "StartDateTime",
    "Status",
    "Subject",
    "TaskSubtype",
    "Title",
    "Type",
    "UserRoleId",
    "Username",
    "WhatId",
    "WhoId",
];

/// Data Loader writes its headers in capitals (`ID`, `STAGENAME`): a file
/// whose headers hold no lower-case letter and name `ID` gets the API
/// names' own case, and reads as a Data Export file.
pub fn salesforce_case(t: &mut Table) {
    // Only a file with a column no other format has: an all-caps file of
    // pipedeck's own (`ID,NAME,ROLE`) is not taken for Salesforce.
    let salesforce_only = [
        "STAGENAME",
        "OPPORTUNITYID",
        "ACCOUNTID",
        "OWNERID",
        "WHATID",
        "WHOID",
        "USERROLEID",
        "PARENTROLEID",
        "ISDELETED",
        "CREATEDDATE",
    ];
    if !t.has("ID")
        || t.headers.iter().any(|h| h.chars().any(char::is_lowercase))
        || !salesforce_only.iter().any(|c| t.has(c))
    {
        return;
    }
    for name in SF_COLUMNS {
        let upper = name.to_uppercase();
        if t.has(&upper) {
            t.rename(&upper, name);
        }
    }
}

fn salesforce(t: &Table) -> Option<SfKind> {
    let all = |cols: &[&str]| cols.iter().all(|c| t.has(c));
    let any = |cols: &[&str]| cols.iter().any(|c| t.has(c));
    if !t.has("Id") {
        return None;
    }
    if all(&["OpportunityId", "Field", "OldValue", "NewValue"]) {
        Some(SfKind::OpportunityFieldHistory)
    } else if all(&["OpportunityId", "StageName", "CreatedDate"]) {
        Some(SfKind::OpportunityHistory)
    } else if all(&["StageName", "Name"]) {
        Some(SfKind::Opportunity)
    } else if any(&["TaskSubtype", "CallDurationInSeconds", "CallType"])
        || (all(&["Subject", "Status", "ActivityDate"]) && !t.has("StartDateTime"))
    {
        Some(SfKind::Task)
    } else if any(&["StartDateTime", "DurationInMinutes", "IsAllDayEvent"]) {
        Some(SfKind::Event)
    } else if all(&["Name", "ParentRoleId"]) {
        Some(SfKind::UserRole)
    } else if any(&["Username", "UserRoleId"]) {
        Some(SfKind::User)
    } else if t.has("LastName") || (t.has("AccountId") && any(&["Title", "Email"])) {
        Some(SfKind::Contact)
    } else if t.has("Name") {
        Some(SfKind::Account)
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
