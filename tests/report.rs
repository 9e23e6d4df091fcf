//! `crosscheck report` on the seed articles: what it finds and what it leaves alone.

use crate::util::{pair_ids, report_json, report_output, run, seed_copy, seeds};

const SPUN: &str = "002_638f0b25e9f743d6.txt";
const WRAPPED: &str = "004_6f19dae746dbe89b.txt";

fn seeds_report() -> serde_json::Value {
    report_json(&[seeds().to_str().unwrap()])
}

fn passages(report: &serde_json::Value) -> Vec<([u64; 2], [u64; 2])> {
    report["pairs"][0]["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let range = |v: &serde_json::Value| [v[0].as_u64().unwrap(), v[1].as_u64().unwrap()];
            (range(&p["a_lines"]), range(&p["b_lines"]))
        })
        .collect()
}

#[test]
fn seeds_hold_exactly_one_duplicate_pair_002_and_004() {
    let report = seeds_report();
    assert_eq!(
        pair_ids(&report),
        vec![(SPUN.to_string(), WRAPPED.to_string())]
    );
    let pair = &report["pairs"][0];
    assert_eq!(pair["kind"], "full");
    let similarity = pair["similarity"].as_f64().unwrap();
    assert!((0.5..=1.0).contains(&similarity), "similarity {similarity}");
    for side in ["coverage_a", "coverage_b"] {
        let coverage = pair[side].as_f64().unwrap();
        assert!(coverage > 0.8, "{side} {coverage}");
    }
}

#[test]
fn seeds_pair_forms_one_cluster_with_the_attributed_copy_as_original() {
    let report = seeds_report();
    let clusters = report["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 1);
    assert_eq!(clusters[0]["members"], serde_json::json!([SPUN, WRAPPED]));
    // 004 carries "Associated Press writers ... contributed" and the AP copyright line.
    assert_eq!(clusters[0]["original"], WRAPPED);
    assert!(
        clusters[0]["evidence"]
            .as_str()
            .unwrap()
            .contains("Associated Press")
    );
}

#[test]
fn chrome_is_counted_as_boilerplate_and_never_matched() {
    let report = seeds_report();
    let documents = report["documents"].as_array().unwrap();
    let boilerplate = |id: &str| {
        documents.iter().find(|d| d["id"] == id).unwrap()["boilerplate_lines"]
            .as_u64()
            .unwrap()
    };
    // 004: two menus of 11 lines, the "You May Also Like" list and the footer menu.
    assert!(boilerplate(WRAPPED) >= 22 + 90, "{}", boilerplate(WRAPPED));
    // 002: seven "Story continues below commercial" lines and the newsletter prompts.
    assert!(boilerplate(SPUN) >= 10, "{}", boilerplate(SPUN));

    let story_continues = [13, 27, 50, 60, 72, 87, 99];
    let newsletter = [31, 33, 35];
    let menus_and_related = (1..=23).chain(123..=226);
    let spans = passages(&report);
    for line in story_continues.into_iter().chain(newsletter) {
        assert!(
            spans.iter().all(|(a, _)| line < a[0] || line > a[1]),
            "002 line {line} is chrome but lies in a matched passage"
        );
    }
    for line in menus_and_related {
        assert!(
            spans.iter().all(|(_, b)| line < b[0] || line > b[1]),
            "004 line {line} is chrome but lies in a matched passage"
        );
    }
}

#[test]
fn passages_cite_original_line_numbers() {
    let report = seeds_report();
    let spans = passages(&report);
    // "Russian numbers in Ukraine" ... "How Russia gets latest soldiers": 002 lines 15-25
    // stand at 004 lines 49-59 (the wrapped copy has 34 more lines of menus and headers).
    assert!(
        spans
            .iter()
            .any(|(a, b)| a[0] <= 17 && a[1] >= 21 && b[0] <= 51 && b[1] >= 55),
        "{spans:?}"
    );
    // Every passage lies inside its document.
    for (a, b) in &spans {
        assert!(1 <= a[0] && a[0] <= a[1] && a[1] <= 110, "{a:?}");
        assert!(1 <= b[0] && b[0] <= b[1] && b[1] <= 226, "{b:?}");
    }
}

#[test]
fn unrelated_reports_on_the_same_topic_are_not_paired() {
    // 000, 001 and 003 all report Russian recruitment with their own figures.
    let dir = seed_copy();
    std::fs::remove_file(dir.path().join(WRAPPED)).unwrap();
    let report = report_json(&[dir.path().to_str().unwrap()]);
    assert!(pair_ids(&report).is_empty(), "{:?}", pair_ids(&report));
    assert_eq!(report["documents"].as_array().unwrap().len(), 4);
}

#[test]
fn output_is_deterministic_across_runs_and_thread_counts() {
    let seeds = seeds();
    let path = seeds.to_str().unwrap();
    let one = run(&["report", "--format", "json", "--threads", "1", path]);
    let two = run(&["report", "--format", "json", "--threads", "2", path]);
    let again = run(&["report", "--format", "json", path]);
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(one.stdout, again.stdout);
}

#[test]
fn human_report_names_the_pair_and_cluster() {
    let out = run(&["report", seeds().to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("crosscheck: 5 documents read, 1 duplicate pair"),
        "{text}"
    );
    assert!(text.contains(&format!("{SPUN} ≈ {WRAPPED}")), "{text}");
    assert!(
        text.contains("likely original: 004_6f19dae746dbe89b.txt"),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "no colour when not a terminal");
}

#[test]
fn colour_follows_the_flag() {
    let always = run(&["report", "--color", "always", seeds().to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&always.stdout).contains("\x1b[1m"));
    let never = run(&["report", "--color", "never", seeds().to_str().unwrap()]);
    assert!(!String::from_utf8_lossy(&never.stdout).contains('\x1b'));
}

#[test]
fn output_flag_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.json");
    let out = run(&[
        "report",
        "--format",
        "json",
        "-o",
        file.to_str().unwrap(),
        seeds().to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(report["pairs"].as_array().unwrap().len(), 1);
}

#[test]
fn a_single_file_and_a_folder_can_be_mixed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(seeds().join(WRAPPED), dir.path().join("copy.txt")).unwrap();
    let spun = seeds().join(SPUN);
    let report = report_json(&[spun.to_str().unwrap(), dir.path().to_str().unwrap()]);
    let pairs = pair_ids(&report);
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    // A file named on the command line keeps its path as its id; one found in a folder is
    // named relative to that folder. Pairs are ordered by id.
    assert!(
        pairs[0].0.ends_with(&format!("fixtures/seeds/{SPUN}")),
        "{pairs:?}"
    );
    assert_eq!(pairs[0].1, "copy.txt");
}

#[test]
fn figures_that_disagree_in_paired_passages_are_conflicts() {
    let report = seeds_report();
    let conflicts: Vec<(u64, &str, u64, &str)> = report["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["kind"], "aligned");
            assert_eq!(
                (c["a"]["doc"].as_str(), c["b"]["doc"].as_str()),
                (Some(SPUN), Some(WRAPPED))
            );
            (
                c["a"]["line"].as_u64().unwrap(),
                c["a"]["text"].as_str().unwrap(),
                c["b"]["line"].as_u64().unwrap(),
                c["b"]["text"].as_str().unwrap(),
            )
        })
        .collect();
    // North Korea's soldiers, and those who fled abroad; the spinner also turned "tens of
    // thousands of dollars" into "tens of hundreds".
    assert_eq!(
        conflicts,
        vec![
            (9, "hundreds", 45, "thousands"),
            (29, "tens of hundreds", 61, "tens of thousands"),
            (52, "tens of hundreds", 71, "tens of thousands"),
        ]
    );
    assert_eq!(report["stats"]["conflicts"], 3);
    // Unrelated figures (700,000 troops and 400,000 enlistees; $50,000 and $1,600) stand in
    // different sentences or agree: no conflict names them.
    for c in report["conflicts"].as_array().unwrap() {
        for side in ["a", "b"] {
            let text = c[side]["text"].as_str().unwrap();
            assert!(
                !["700,000", "400,000", "$50,000", "$1,600"].contains(&text),
                "{c}"
            );
        }
    }
}

/// Conflicts of the given kind as (a doc, a text, b doc, b text).
fn conflicts_of(report: &serde_json::Value, kind: &str) -> Vec<(String, String, String, String)> {
    report["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == kind)
        .map(|c| {
            let s = |v: &serde_json::Value| v.as_str().unwrap().to_string();
            (
                s(&c["a"]["doc"]),
                s(&c["a"]["text"]),
                s(&c["b"]["doc"]),
                s(&c["b"]["text"]),
            )
        })
        .collect()
}

#[test]
fn seeds_have_no_cross_document_conflicts() {
    // 000, 001 and 003 report the same war with their own figures (700,000 troops, 400,000
    // enlistees, $50,000, $1,600): different quantities, no conflict.
    assert!(conflicts_of(&seeds_report(), "cross").is_empty());
    assert_eq!(conflicts_of(&seeds_report(), "aligned").len(), 3);
}

#[test]
fn two_reports_of_one_event_disagreeing_on_a_count_are_a_cross_conflict() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cross");
    let report = report_json(&[fixtures.to_str().unwrap()]);
    assert!(
        pair_ids(&report).is_empty(),
        "different articles, not copies"
    );
    assert_eq!(
        conflicts_of(&report, "cross"),
        vec![(
            "ferry-paper.txt".to_string(),
            "543".to_string(),
            "ferry-wire.txt".to_string(),
            "463".to_string()
        )],
        "the ferry that ran aground near Calais with 300 people is another event"
    );
    let conflict = &report["conflicts"][0];
    let evidence = conflict["evidence"].as_str().unwrap();
    assert!(
        evidence.contains("people") && evidence.contains("Herald"),
        "{evidence}"
    );
    let confidence = conflict["confidence"].as_f64().unwrap();
    assert!((0.5..=1.0).contains(&confidence), "{confidence}");
    let out = run(&["report", fixtures.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("across articles"), "{text}");
}

#[test]
fn template_stories_and_other_days_make_no_cross_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    // All filed the same day, so that only the template rule can tell them apart.
    let story = |day: &str, count: u32, rigs: u32| {
        serde_json::json!({
            "id": format!("rigs-{day}"),
            "date": "02-MAR-1987 10:00:00",
            "text": format!(
                "Hughes Tool Co of Houston said {rigs} rigs were working in the United States this week, \
                 down by {count} from the week before, in its weekly survey.\n\n\
                 A year ago {} rigs were working, the Houston company said.",
                rigs + 300
            ),
        })
    };
    // The same weekly report, three weeks: a template, figures aside.
    let lines: Vec<String> = [("02", 5, 761), ("09", 4, 757), ("16", 7, 750)]
        .iter()
        .map(|(day, count, rigs)| story(day, *count, *rigs).to_string())
        .collect();
    let path = dir.path().join("rigs.jsonl");
    std::fs::write(&path, lines.join("\n")).unwrap();
    let report = report_json(&[path.to_str().unwrap()]);
    assert!(
        conflicts_of(&report, "cross").is_empty(),
        "{:?}",
        report["conflicts"]
    );
    // Two of them are not yet a template: same day, same event, other figures.
    std::fs::write(&path, lines[..2].join("\n")).unwrap();
    let report = report_json(&[path.to_str().unwrap()]);
    assert!(
        !conflicts_of(&report, "cross").is_empty(),
        "{:?}",
        report["conflicts"]
    );
    // Nor when one of the two says its sentence twice: a template is counted in documents,
    // not in sentences.
    let mut twice = story("02", 5, 761);
    let text = twice["text"].as_str().unwrap().to_string();
    let first = text.split("\n\n").next().unwrap().to_string();
    twice["text"] = format!("{first}\n\n{text}").into();
    std::fs::write(&path, [twice.to_string(), lines[1].clone()].join("\n")).unwrap();
    let report = report_json(&[path.to_str().unwrap()]);
    assert!(
        !conflicts_of(&report, "cross").is_empty(),
        "{:?}",
        report["conflicts"]
    );

    // Two reports of one event filed on different days: the figure may have changed.
    let ferry = |id: &str, date: &str, text: &str| {
        serde_json::json!({"id": id, "date": date, "text": text}).to_string()
    };
    let wire = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cross/ferry-wire.txt"),
    )
    .unwrap();
    let paper = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cross/ferry-paper.txt"),
    )
    .unwrap();
    let path = dir.path().join("ferry.jsonl");
    std::fs::write(
        &path,
        [
            ferry("wire", "06-MAR-1987 22:00:00", &wire),
            ferry("paper", "08-MAR-1987 09:00:00", &paper),
        ]
        .join("\n"),
    )
    .unwrap();
    let report = report_json(&[path.to_str().unwrap()]);
    assert!(
        conflicts_of(&report, "cross").is_empty(),
        "{:?}",
        report["conflicts"]
    );
}

#[test]
fn figures_on_one_side_only_are_listed_apart_from_conflicts() {
    let report = seeds_report();
    let unpaired: Vec<(String, String, u64, String)> = report["unpaired_figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["kind"].as_str().unwrap().to_string(),
                u["figure"]["doc"].as_str().unwrap().to_string(),
                u["figure"]["line"].as_u64().unwrap(),
                u["figure"]["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // The spinner turned "hundreds of Nepali nationals" into "lots of": in 004 only.
    assert!(
        unpaired.contains(&(
            "added".to_string(),
            WRAPPED.to_string(),
            91,
            "hundreds".to_string()
        )),
        "{unpaired:?}"
    );
    // None of them is also a conflict.
    for c in report["conflicts"].as_array().unwrap() {
        assert!(
            !unpaired
                .iter()
                .any(|u| u.1 == c["b"]["doc"] && u.2 == c["b"]["line"] && u.3 == c["b"]["text"])
        );
    }
}

#[test]
fn claims_command_reads_across_wrapped_lines_and_cites_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wrapped.txt");
    std::fs::write(
        &path,
        "Securities houses may hold shares worth\nmore than 40 pct of their capital, and 2,416\nunits were sold in 1987.\n",
    )
    .unwrap();
    let out = run(&["claims", path.to_str().unwrap(), "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let claims = value["claims"].as_array().unwrap();
    let found: Vec<(&str, &str, u64, u64)> = claims
        .iter()
        .map(|c| {
            (
                c["text"].as_str().unwrap(),
                c["kind"].as_str().unwrap(),
                c["line"].as_u64().unwrap(),
                c["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("more than 40 pct", "percent", 2, 1),
            ("2,416", "quantity", 2, 40),
            ("1987", "year", 3, 20),
        ]
    );
    assert_eq!(
        claims[1]["unit"], "units",
        "the counted noun is on the next line"
    );
    assert!(
        claims[0]["sentence"]
            .as_str()
            .unwrap()
            .starts_with("Securities houses")
    );
}

#[test]
fn claims_command_lines_up_its_columns_whatever_the_width_of_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("figures.txt");
    // Places of different widths: line 1 column 9, line 1 column 123, line 12 column 1.
    let long = format!("He paid {} 30 dollars.", "x ".repeat(50));
    let text = format!(
        "He counted 40 sheep. {long}\n{}\n250 boats sailed.\n",
        "\n".repeat(9)
    );
    std::fs::write(&path, text).unwrap();
    let out = run(&["claims", path.to_str().unwrap()]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = stdout.lines().collect();
    assert_eq!(rows.len(), 3, "{stdout}");
    // The kind column starts at the same character on every row.
    let kind_at: Vec<usize> = rows
        .iter()
        .map(|row| row.find("quantity").or_else(|| row.find("money")).unwrap())
        .collect();
    assert!(kind_at.iter().all(|&k| k == kind_at[0]), "{stdout}");
    assert!(rows[2].contains(":12:1 "), "{stdout}");
}

#[test]
fn the_report_is_the_same_on_one_thread_and_on_four_and_from_run_to_run() {
    // Seeds, the cross-document fixtures and a JSONL of near-copies together: every stage that
    // runs in parallel (chrome, tokenizing, signing, verifying, cross-checking) has work to do.
    let dir = tempfile::tempdir().unwrap();
    let cross = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cross");
    let story = "Officials in the northern district said the river rose 40 centimetres overnight \
        and that 300 residents of the valley were moved to schools and sports halls.";
    let lines: Vec<String> = (0..40)
        .map(|i| {
            serde_json::json!({
                "id": format!("copy-{i:02}"),
                "text": format!("{story} Crews from depot {} worked through the night. {story}", i % 7),
            })
            .to_string()
        })
        .collect();
    let corpus = dir.path().join("copies.jsonl");
    std::fs::write(&corpus, lines.join("\n")).unwrap();
    let paths = [
        seeds().to_str().unwrap().to_string(),
        cross.to_str().unwrap().to_string(),
        corpus.to_str().unwrap().to_string(),
    ];
    let report = |threads: &str| {
        let mut args = vec!["--threads", threads];
        args.extend(paths.iter().map(String::as_str));
        report_output("json", &args)
    };
    let one = report("1");
    let parsed: serde_json::Value = serde_json::from_slice(&one).unwrap();
    assert!(
        parsed["pairs"].as_array().unwrap().len() > 10,
        "the run has pairs to verify"
    );
    assert!(!parsed["conflicts"].as_array().unwrap().is_empty());
    assert!(
        one == report("4"),
        "one thread and four give different reports"
    );
    assert!(one == report("1"), "two runs give different reports");
}

#[test]
fn timings_give_each_stage_its_time_memory_and_cpu() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let seeds = seeds();
    let run = run(&[
        "report",
        seeds.to_str().unwrap(),
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
        "--timings",
    ]);
    assert!(run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    for stage in [
        "reading",
        "chrome",
        "tokenizing",
        "indexing",
        "verifying",
        "total",
    ] {
        let line = stderr
            .lines()
            .find(|l| l.contains(stage))
            .unwrap_or_else(|| panic!("no {stage} line in {stderr}"));
        assert!(line.contains(" ms"), "{line}");
        if cfg!(target_os = "linux") && stage != "total" {
            assert!(line.contains("MB, high-water"), "{line}");
            assert!(
                line.contains(" ms user ") && line.contains(" ms system, "),
                "{line}"
            );
            assert!(line.contains(" page faults"), "{line}");
            if std::fs::read_to_string("/proc/self/io").is_ok() {
                assert!(
                    line.contains(" MB read, ") && line.ends_with(" MB written"),
                    "{line}"
                );
            }
        }
    }
}
