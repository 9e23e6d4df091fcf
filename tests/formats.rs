//! Input formats (JSONL, HTML, Markdown) and the JSON report's shape.

use crate::util::{pair_ids, report_json, seeds};

const SPUN: &str = "002_638f0b25e9f743d6.txt";
const WRAPPED: &str = "004_6f19dae746dbe89b.txt";

fn seed_text(name: &str) -> String {
    std::fs::read_to_string(seeds().join(name)).unwrap()
}

#[test]
fn jsonl_records_are_documents_with_their_ids_and_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.jsonl");
    let mut lines = Vec::new();
    for (id, name) in [
        ("spun", SPUN),
        ("wrapped", WRAPPED),
        ("other", "000_7990d4005203a233.txt"),
    ] {
        let record = serde_json::json!({"id": id, "text": seed_text(name), "title": format!("title of {id}")});
        lines.push(record.to_string());
    }
    std::fs::write(&corpus, lines.join("\n") + "\n").unwrap();
    let report = report_json(&[corpus.to_str().unwrap()]);
    assert_eq!(
        pair_ids(&report),
        vec![("spun".to_string(), "wrapped".to_string())]
    );
    let spun = &report["documents"].as_array().unwrap()[1];
    assert_eq!(spun["id"], "spun");
    assert_eq!(spun["record"], 1);
    assert_eq!(spun["meta"]["title"], "title of spun");
    // Passages cite lines of the record's text.
    let passage = &report["pairs"][0]["passages"][0];
    assert!(passage["a_lines"][0].as_u64().unwrap() >= 1);
}

#[test]
fn html_copies_are_extracted_and_cite_source_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut html = String::from(
        "<!DOCTYPE html>\n<html><head><title>Site</title><script>var x = 1;</script></head>\n<body>\n\
         <nav><ul><li>Home</li><li>World</li><li>Business</li></ul></nav>\n<article>\n",
    );
    for paragraph in seed_text(WRAPPED).lines().skip(38).take(80) {
        if !paragraph.trim().is_empty() {
            html.push_str(&format!(
                "<p>{}</p>\n",
                paragraph.replace('&', "&amp;").replace('<', "&lt;")
            ));
        }
    }
    html.push_str(
        "</article>\n<footer>Copyright 2026 Site. All rights reserved.</footer>\n</body></html>\n",
    );
    std::fs::write(dir.path().join("copy.html"), &html).unwrap();
    std::fs::copy(seeds().join(SPUN), dir.path().join("spun.txt")).unwrap();

    let report = report_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(
        pair_ids(&report),
        vec![("copy.html".to_string(), "spun.txt".to_string())]
    );
    let html_doc = &report["documents"][0];
    assert_eq!(
        html_doc["boilerplate_lines"], 4,
        "three menu items and the footer"
    );
    let passages = report["pairs"][0]["passages"].as_array().unwrap();
    let first_line = passages[0]["a_lines"][0].as_u64().unwrap();
    assert!(first_line >= 6, "cites HTML source lines, got {first_line}");
}

#[test]
fn markdown_is_read_as_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.md"),
        format!("# Heading\n\n{}", seed_text(SPUN)),
    )
    .unwrap();
    std::fs::copy(seeds().join(WRAPPED), dir.path().join("b.txt")).unwrap();
    let report = report_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(
        pair_ids(&report),
        vec![("a.md".to_string(), "b.txt".to_string())]
    );
}

#[test]
fn the_json_report_has_the_documented_fields() {
    let report = report_json(&[seeds().to_str().unwrap()]);
    assert_eq!(report["version"], 1);
    assert!(report["tool"].as_str().unwrap().starts_with("crosscheck "));
    for document in report["documents"].as_array().unwrap() {
        for field in ["id", "path", "words", "lines", "boilerplate_lines"] {
            assert!(!document[field].is_null(), "documents[].{field}");
        }
    }
    let pair = &report["pairs"][0];
    for field in [
        "a",
        "b",
        "similarity",
        "coverage_a",
        "coverage_b",
        "agreement",
        "kind",
        "passages",
    ] {
        assert!(!pair[field].is_null(), "pairs[].{field}");
    }
    let passage = &pair["passages"][0];
    for field in ["a_lines", "b_lines", "similarity", "sentences", "moved"] {
        assert!(!passage[field].is_null(), "passages[].{field}");
    }
    assert_eq!(passage["a_lines"].as_array().unwrap().len(), 2);
    let cluster = &report["clusters"][0];
    assert!(cluster["members"].is_array() && cluster["original"].is_string());
    assert!(report["warnings"].as_array().unwrap().is_empty());
    for field in ["documents", "words", "candidates", "pairs"] {
        assert!(report["stats"][field].is_u64(), "stats.{field}");
    }
}
