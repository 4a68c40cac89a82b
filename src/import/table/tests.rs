use super::*;

#[test]
fn keeps_physical_lines_and_strips_the_bom() {
    // Line 1 header, line 2 a record, line 3 blank, lines 4–5 one quoted
    // record spanning two lines, line 6 a record.
    let text = "\u{feff}id,name\n1,a\n\n2,\"b\nc\"\n3,d\n";
    let t = Table::parse("f.csv", text).unwrap();
    assert_eq!(t.headers, vec!["id", "name"]);
    let lines: Vec<u64> = t.records.iter().map(|r| r.0).collect();
    assert_eq!(lines, vec![2, 4, 6]);
}

#[test]
fn rejects_wrong_cell_counts_and_duplicate_headers() {
    let errs = Table::parse("f.csv", "id,id\n1\n").unwrap_err();
    let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        text,
        vec![
            "f.csv:1:2 (id): column \"id\" appears twice",
            "f.csv:2: 1 cells, the header has 2"
        ]
    );
    let empty = Table::parse("e.csv", "").unwrap_err();
    assert_eq!(
        empty[0].to_string(),
        "e.csv:1: empty file: a header row is required"
    );
}

#[test]
fn parses_instants_in_the_accepted_forms() {
    let cases = [
        ("2026-03-01T10:00:00Z", Some("2026-03-01T10:00:00Z")),
        ("2026-03-01T12:00:00+02:00", Some("2026-03-01T10:00:00Z")),
        ("2026-03-01 10:00", Some("2026-03-01T10:00:00Z")),
        ("2026-03-01 10:00:30", Some("2026-03-01T10:00:30Z")),
        ("2026-03-01", None),
        ("yesterday", None),
    ];
    for (input, want) in cases {
        let got = parse_instant(input)
            .ok()
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        assert_eq!(got.as_deref(), want, "{input}");
    }
}

#[test]
fn cell_errors_name_line_and_column() {
    let t = Table::parse("o.csv", "id,close_date,amount\nx,2026-13-01,12.5\n").unwrap();
    let mut row = t.rows().next().unwrap();
    assert_eq!(row.date("close_date"), None);
    assert_eq!(row.money("amount"), Some(Money(1250)));
    let errs = row.finish().unwrap_err();
    assert_eq!(
        errs[0].to_string(),
        "o.csv:2:2 (close_date): \"2026-13-01\" is not a date (YYYY-MM-DD)"
    );
}
