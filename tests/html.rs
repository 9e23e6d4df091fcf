//! `crosscheck report --format html`: one self-contained page, with document text escaped.
//! What it does in a browser is tested by tests/browser (headless Chromium).

use crate::util::{report_output, seeds};

fn html(args: &[&str]) -> String {
    String::from_utf8(report_output("html", args)).expect("the page is UTF-8")
}

/// The text between `<script type="application/json" id="ID">` and its end.
fn data_block<'a>(page: &'a str, id: &str) -> &'a str {
    let open = format!("<script type=\"application/json\" id=\"{id}\">");
    let start = page.find(&open).unwrap_or_else(|| panic!("no block {id}")) + open.len();
    let end = start + page[start..].find("</script>").unwrap();
    &page[start..end]
}

#[test]
fn seeds_page_is_self_contained_and_links_the_pair() {
    let page = html(&[seeds().to_str().unwrap()]);
    assert!(page.starts_with("<!DOCTYPE html>"));
    for external in ["http://", "https://", "<link", "src=", "@import", "url("] {
        assert!(
            !page.contains(external),
            "the page refers outside itself: {external}"
        );
    }
    // The pair's stable link, and its view's rows as data.
    let link = "#pair=002_638f0b25e9f743d6.txt&004_6f19dae746dbe89b.txt";
    assert!(page.contains(&format!("href=\"{link}\"")));
    let view: serde_json::Value = serde_json::from_str(data_block(&page, "pair-0")).unwrap();
    assert_eq!(view["a"], "002_638f0b25e9f743d6.txt");
    let rows = view["rows"].as_array().unwrap();
    let soldiers = rows
        .iter()
        .find(|r| r["c"].to_string().contains("thousands"))
        .expect("a row with the soldiers' conflict");
    let edits = soldiers["e"].to_string();
    assert!(
        edits.contains("[1,\"hundreds\"]") && edits.contains("[2,\"thousands\"]"),
        "{edits}"
    );
    assert!(
        rows.iter().any(|r| r["op"] == "chrome"),
        "chrome rows are kept, collapsed"
    );
    // Conflicts link to their line on each side.
    assert!(page.contains("&amp;a=9\"") || page.contains("&a=9\""));
    assert!(page.contains("&b=45\""));
}

#[test]
fn document_text_is_escaped_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let story = "Flood waters rose across the northern valley on Tuesday, forcing more than 2,000 \
        residents from their homes as rivers broke their banks in three districts, officials said. \
        The regional emergency service said 14 shelters had opened in schools and sports halls, \
        and that volunteers were handing out blankets, water and hot meals through the night. \
        Rainfall over the weekend reached 180 millimetres in some places, about twice the usual.";
    let payload = "<script>alert(1)</script> <img src=x onerror=\"alert(2)\"> </script><!--";
    std::fs::write(dir.path().join("plain.txt"), story).unwrap();
    std::fs::write(
        dir.path().join("<b onmouseover=alert(3)>.txt"),
        format!("{story}\n\n{payload}"),
    )
    .unwrap();
    let page = html(&[dir.path().to_str().unwrap()]);
    assert!(
        page.contains("&lt;b onmouseover=alert(3)&gt;.txt"),
        "the id is escaped in tables"
    );
    for raw in [
        "<script>alert",
        "<img",
        "<b onmouseover",
        "onerror=\"alert",
        "<!--",
    ] {
        assert!(!page.contains(raw), "unescaped {raw:?} in the page");
    }
    // Only the page's own script blocks: the index, one view, the code.
    assert_eq!(page.matches("<script").count(), 3);
    let view: serde_json::Value = serde_json::from_str(data_block(&page, "pair-0")).unwrap();
    assert!(
        strings(&view).contains("<script>alert(1)</script> <img src=x onerror=\"alert(2)\">"),
        "the text itself is kept, as data"
    );
}

/// Every string in a JSON value, concatenated.
fn strings(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items.iter().map(strings).collect(),
        serde_json::Value::Object(map) => map.values().map(strings).collect(),
        _ => String::new(),
    }
}

#[test]
fn one_sided_text_far_from_any_match_is_left_out() {
    // A shared passage, then a long tail of text found in one document only: the view keeps
    // the match and a note for the tail, not the tail's text.
    let dir = tempfile::tempdir().unwrap();
    let shared: String = (0..12)
        .map(|i| {
            format!(
                "Officials in district {i} said the river rose {} centimetres overnight and that \
                 crews from the northern depot were sandbagging the bridge on route {i}.\n\n",
                40 + i
            )
        })
        .collect();
    let tail: String = (0..60)
        .map(|i| format!("Unmatched remark number {i} about the weather in a town far away, quoth the tail.\n\n"))
        .collect();
    std::fs::write(dir.path().join("a.txt"), &shared).unwrap();
    std::fs::write(dir.path().join("b.txt"), format!("{shared}{tail}")).unwrap();
    let page = html(&[dir.path().to_str().unwrap()]);
    let view: serde_json::Value = serde_json::from_str(data_block(&page, "pair-0")).unwrap();
    let rows = view["rows"].as_array().unwrap();
    let gap = rows
        .iter()
        .find(|r| r["op"] == "gap")
        .expect("the tail is one gap row");
    assert_eq!(gap["side"], "b");
    assert!(gap["count"].as_u64().unwrap() >= 50, "{gap}");
    assert!(
        page.contains("remark number 0"),
        "the first one-sided rows are kept as context"
    );
    assert!(
        !page.contains("remark number 59"),
        "the tail far from the match is left out"
    );
}
