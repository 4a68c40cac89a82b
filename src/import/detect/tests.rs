use super::*;

fn kind(header: &str, file: &str, format: Format) -> Result<FileKind, String> {
    detect(&Table::parse(file, &format!("{header}\n")).unwrap(), format)
}

#[test]
fn tells_each_kind_from_its_header() {
    use FileKind::*;
    let cases: &[(&str, &str, FileKind)] = &[
        ("id,name,role,start_date", "x.csv", Native(NativeKind::Reps)),
        (
            "name,position,probability,max_days,kind",
            "x.csv",
            Native(NativeKind::Stages),
        ),
        ("name,id,industry", "x.csv", Native(NativeKind::Accounts)),
        ("id,name", "Accounts.CSV", Native(NativeKind::Accounts)),
        ("id,account_id,name", "x.csv", Native(NativeKind::Contacts)),
        (
            "stage,owner_id,name,id",
            "x.csv",
            Native(NativeKind::Opportunities),
        ),
        (
            "opportunity_id,changed_at,field,new_value",
            "x.csv",
            Native(NativeKind::History),
        ),
        (
            "id,rep_id,kind,occurred_at",
            "x.csv",
            Native(NativeKind::Activities),
        ),
        (
            "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value",
            "x.csv",
            Maven(MavenKind::Pipeline),
        ),
        (
            "sales_agent,manager,regional_office",
            "x.csv",
            Maven(MavenKind::Teams),
        ),
        (
            "account,sector,year_established",
            "accounts.csv",
            Maven(MavenKind::Accounts),
        ),
        (
            "product,series,sales_price",
            "x.csv",
            Maven(MavenKind::Products),
        ),
        (
            "Id,Name,StageName,CloseDate",
            "x.csv",
            Salesforce(SfKind::Opportunity),
        ),
        (
            "Id,OpportunityId,CreatedDate,StageName",
            "x.csv",
            Salesforce(SfKind::OpportunityHistory),
        ),
        (
            "Id,OpportunityId,Field,OldValue,NewValue,CreatedDate",
            "x.csv",
            Salesforce(SfKind::OpportunityFieldHistory),
        ),
        (
            "Id,IsDeleted,Name,Industry",
            "x.csv",
            Salesforce(SfKind::Account),
        ),
        (
            "Id,AccountId,FirstName,LastName,Title",
            "x.csv",
            Salesforce(SfKind::Contact),
        ),
        (
            "Id,Username,Name,UserRoleId",
            "x.csv",
            Salesforce(SfKind::User),
        ),
        (
            "Id,Name,ParentRoleId",
            "x.csv",
            Salesforce(SfKind::UserRole),
        ),
        (
            "Id,WhatId,Subject,ActivityDate,Status,TaskSubtype",
            "x.csv",
            Salesforce(SfKind::Task),
        ),
        (
            "Id,WhatId,Subject,StartDateTime,DurationInMinutes",
            "x.csv",
            Salesforce(SfKind::Event),
        ),
    ];
    for (header, file, want) in cases {
        assert_eq!(kind(header, file, Format::Auto), Ok(*want), "{header}");
    }
}

#[test]
fn tells_crm_deal_exports_from_their_headers() {
    let hub = kind(
        "Record ID,Deal Name,Deal Stage,Amount",
        "d.csv",
        Format::Auto,
    );
    assert_eq!(hub, Ok(FileKind::Hubspot));
    let pd = kind(
        "Deal - ID,Deal - Title,Deal - Stage,Deal - Value",
        "d.csv",
        Format::Auto,
    );
    assert_eq!(pd, Ok(FileKind::Pipedrive));
    // Spacing, case and the prefix are ignored.
    let pd2 = kind(
        "deal - id,DEAL - TITLE,Deal -  Stage",
        "d.csv",
        Format::Pipedrive,
    );
    assert_eq!(pd2, Ok(FileKind::Pipedrive));
}

#[test]
fn says_what_it_does_not_support_or_cannot_tell() {
    let act = kind("Activity - Subject,Activity - Type", "a.csv", Format::Auto).unwrap_err();
    assert!(
        act.starts_with("Pipedrive activity exports are not supported yet"),
        "{act}"
    );
    let pd = kind("id,name", "x.csv", Format::Pipedrive).unwrap_err();
    assert!(pd.contains("as a Pipedrive deals export"), "{pd}");
    let unknown = kind("foo,bar", "x.csv", Format::Auto).unwrap_err();
    assert!(
        unknown.starts_with("cannot tell what this file is from its header (foo,bar); see"),
        "{unknown}"
    );
    // --format restricts detection to one family.
    let forced = kind(
        "sales_agent,manager,regional_office",
        "x.csv",
        Format::Native,
    )
    .unwrap_err();
    assert!(forced.contains("as a pipedeck CSV file"), "{forced}");
}
