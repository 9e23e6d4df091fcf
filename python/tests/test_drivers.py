"""The Spark and Ray drivers give `crosscheck report`'s JSON byte for byte (issue #9).

Run by python/run-tests.sh, which sets CROSSCHECK_BIN (and CROSSCHECK_REUTERS when
../shared is beside the checkout).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "fixtures" / "seeds"
CROSS = ROOT / "fixtures" / "cross"
REUTERS = os.environ.get("CROSSCHECK_REUTERS")


def single_machine(paths) -> str:
    """What `crosscheck report --format json` writes for `paths`."""
    out = subprocess.run(
        [os.environ["CROSSCHECK_BIN"], "report", "--format", "json", *map(str, paths)],
        check=True,
        capture_output=True,
    )
    return out.stdout.decode()


@pytest.fixture(scope="module")
def spark():
    from crosscheck.spark import session

    spark = session(2)
    spark.sparkContext.setLogLevel("ERROR")
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def ray_cluster():
    import ray

    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> Path:
    """A collection with everything ingest warns about, beside HTML and a JSONL corpus."""
    folder = tmp_path_factory.mktemp("messy")
    records = [
        {"id": "w1", "text": (SEEDS / "002_638f0b25e9f743d6.txt").read_text(), "date": "1-MAR-1987"},
        {"id": "w1", "text": (SEEDS / "004_6f19dae746dbe89b.txt").read_text()},
        {"id": "w2", "text": ""},
        {"text": "A record without an id, but with words enough to be read as a document."},
    ]
    lines = [json.dumps(r) for r in records]
    lines.insert(2, "{not json")
    lines.insert(3, "")
    (folder / "corpus.jsonl").write_text("\n".join(lines) + "\n")
    body = (SEEDS / "000_7990d4005203a233.txt").read_text().split("\n\n")
    html = "<html><body><nav>Home | World</nav>" + "".join(f"<p>{p}</p>" for p in body) + "</body></html>"
    (folder / "page.html").write_text(html)
    (folder / "empty.txt").write_text("")
    (folder / "w1").write_text("an unsupported extension")
    return folder


def test_the_messy_collection_warns_of_every_kind(messy):
    # What the comparisons below cover: the single-machine report of it has these warnings.
    kinds = {w["kind"] for w in json.loads(single_machine([messy, SEEDS]))["warnings"]}
    assert {"bad_json", "duplicate_id", "empty", "missing_id", "unsupported"} <= kinds, kinds


@pytest.mark.parametrize("inputs", [[SEEDS], [SEEDS, CROSS], "messy"], ids=["seeds", "cross", "messy"])
def test_spark_gives_the_report_of_report(spark, inputs, messy):
    from crosscheck.spark import report

    paths = [messy, SEEDS] if inputs == "messy" else inputs
    assert report(spark, [str(p) for p in paths]) == single_machine(paths)


@pytest.mark.parametrize("inputs", [[SEEDS], [SEEDS, CROSS], "messy"], ids=["seeds", "cross", "messy"])
def test_ray_gives_the_report_of_report(ray_cluster, inputs, messy):
    from crosscheck.ray import report

    paths = [messy, SEEDS] if inputs == "messy" else inputs
    assert report([str(p) for p in paths]) == single_machine(paths)


def test_settings_reach_every_stage(spark):
    from crosscheck.spark import report

    # Documents cut to 60 words: ingest warns, and the cut copies no longer pair up.
    settings = {"max_words": 60, "threshold": 0.3}
    staged = report(spark, [str(SEEDS)], settings)
    single = subprocess.run(
        [os.environ["CROSSCHECK_BIN"], "report", "--format", "json", "--max-words", "60", "--threshold", "0.3", str(SEEDS)],
        check=True,
        capture_output=True,
    )
    assert staged == single.stdout.decode()
    assert staged != single_machine([SEEDS])
    assert any(w["kind"] == "truncated" for w in json.loads(staged)["warnings"])


def test_spark_reads_a_corpus_at_a_uri_as_jsonl_or_parquet(spark, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from crosscheck.spark import report

    records = [
        {"id": p.name, "text": p.read_text(), "date": f"{k + 1}-MAR-1987"}
        for k, p in enumerate(sorted(SEEDS.iterdir()))
    ]
    corpus = tmp_path / "seeds.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records))
    pq.write_table(pa.Table.from_pylist(records), tmp_path / "seeds.parquet")
    single = json.loads(single_machine([corpus]))
    assert single["pairs"] and single["clusters"]
    for uri in (corpus.as_uri(), (tmp_path / "seeds.parquet").as_uri()):
        staged = json.loads(report(spark, [uri]))
        # The same report but for the path each document names.
        assert [d["path"] for d in staged["documents"]] == [uri] * len(records)
        for key in ("pairs", "clusters", "conflicts", "unpaired_figures", "stats"):
            assert staged[key] == single[key], key


def test_large_star_small_star_finds_the_components_of_union_find(spark):
    import random

    import pyarrow as pa

    from crosscheck import batches as B
    from crosscheck.spark import components

    rng = random.Random(2014)
    n = 400
    # Random edges, a long path in shuffled order (many rounds) and a star.
    path = list(range(100, 180))
    rng.shuffle(path)
    edges = [(rng.randrange(n), rng.randrange(n)) for _ in range(120)]
    edges += list(zip(path, path[1:])) + [(300, k) for k in range(301, 320)]
    edges = [(min(a, b), max(a, b)) for a, b in edges if a != b]
    frame = spark.createDataFrame(edges, B.ddl(B.EDGES))
    labels, rounds = components(frame)
    got = sorted((r["node"], r["root"]) for r in labels.collect())
    table = pa.table({"a": [a for a, _ in edges], "b": [b for _, b in edges]}).cast(B.EDGES)
    one_node = B.components(table, n)
    assert got == list(zip(one_node.column("node").to_pylist(), one_node.column("root").to_pylist()))
    assert rounds > 2


def test_results_as_parquet_carry_their_settings(tmp_path):
    from crosscheck import batches as B

    report = single_machine([SEEDS])
    written = B.write_results(report, str(tmp_path), "{}")
    assert sorted(p.rsplit("/", 1)[1] for p in written) == [
        "clusters.parquet",
        "conflicts.parquet",
        "documents.parquet",
        "pairs.parquet",
    ]
    parsed = json.loads(report)
    pairs = B.read_result(str(tmp_path / "pairs.parquet"), json.dumps({}))
    assert pairs.select(["a", "b"]).to_pylist() == [{"a": p["a"], "b": p["b"]} for p in parsed["pairs"]]
    clusters = B.read_result(str(tmp_path / "clusters.parquet"), "{}")
    assert clusters.column("members").to_pylist() == [c["members"] for c in parsed["clusters"]]
    with pytest.raises(ValueError, match=r"pairs\.parquet: made with other settings: max_words"):
        B.read_result(str(tmp_path / "pairs.parquet"), json.dumps({"max_words": 100}))


def crosscheck(*args) -> subprocess.CompletedProcess:
    return subprocess.run([os.environ["CROSSCHECK_BIN"], *map(str, args)], capture_output=True)


def test_sign_files_pass_between_the_cli_and_python(tmp_path):
    """`crosscheck stage sign` writes what `batches.sign` makes, in a file pyarrow reads; the
    file `batches.write_signed` writes takes its place, and the CLI's later stages give
    report's report from it."""
    import numpy as np
    import pyarrow as pa

    from crosscheck import batches as B

    inputs, work, settings = [SEEDS, CROSS], tmp_path / "work", "{}"
    for stage, shards in (("lines", 2), ("sketch", 2), ("recurring", 0), ("sign", 2)):
        for i in range(max(shards, 1)):
            shard = ["--shard", f"{i}/{shards}", *inputs] if shards else []
            assert crosscheck("stage", stage, "--work", work, *shard).returncode == 0
    docs, _ = B.read_documents(inputs, settings)
    total = docs.num_rows
    recurring = json.loads((work / "recurring.json").read_text())["body"]
    recurring = [h - (1 << 64) if h >= 1 << 63 else h for h in recurring]
    for i in range(2):
        path = work / f"sign-{i}-of-2.parquet"
        from_cli = B.read_signed(str(path), settings, total)
        shard = docs.filter(pa.array(docs.column("number").to_numpy() % 2 == i))
        ours = B.sign(shard, total, recurring, settings)
        assert from_cli.num_rows == shard.num_rows > 0
        assert from_cli.equals(ours)
        path.unlink()
        assert B.write_signed(ours, str(work), (i, 2), total, settings) == str(path)
    for stage, parts in (("pairs", 2), ("candidates", 0), ("verify", 2)):
        for i in range(max(parts, 1)):
            part = ["--part", f"{i}/{parts}"] if parts else []
            run = crosscheck("stage", stage, "--work", work, *part, *(inputs if stage == "verify" else []))
            assert run.returncode == 0, run.stderr.decode()
    assembled = crosscheck("stage", "assemble", "--work", work, "--format", "json", *inputs)
    assert assembled.stdout.decode() == single_machine(inputs)


def test_sign_files_of_other_settings_or_collections_are_refused_by_name(tmp_path):
    from crosscheck import batches as B

    docs, _ = B.read_documents([SEEDS], "{}")
    total = docs.num_rows
    signed = B.sign(docs, total, [], "{}")
    path = B.write_signed(signed, str(tmp_path), (0, 1), total, json.dumps({"max_words": 100}))
    other = r"sign-0-of-1\.parquet: made with other settings: ingest .*max_words: 100 there, .*max_words: 200000 here"
    with pytest.raises(ValueError, match=other):
        B.read_signed(path, "{}")
    run = crosscheck("stage", "pairs", "--work", tmp_path, "--max-words", "200000", "--part", "0/1")
    assert run.returncode == 2
    assert len(run.stderr.decode().splitlines()) == 1
    assert "sign-0-of-1.parquet: made with other settings" in run.stderr.decode()
    with pytest.raises(ValueError, match=f"made from a collection of {total} documents; this one has {total + 1}"):
        B.read_signed(path, json.dumps({"max_words": 100}), total + 1)
    assert B.read_signed(path, json.dumps({"max_words": 100}), total).equals(signed)


def test_a_missing_input_is_one_line_and_exit_2(spark, capsys):
    from crosscheck import _cli
    from crosscheck.spark import report

    assert _cli.run(lambda: report(spark, ["/nonexistent/corpus.jsonl"])) == 2
    assert capsys.readouterr().err == "crosscheck: /nonexistent/corpus.jsonl: no such file or directory\n"


def test_a_failed_spark_job_is_one_line_and_exit_1(monkeypatch, capsys):
    """A job the engine fails (here as Spark reports an executor out of memory) is told in one
    line with the JVM's first line, not a Py4J traceback."""
    from py4j.protocol import Py4JJavaError

    import crosscheck.spark as S
    from crosscheck import _cli

    class JavaException:  # what py4j hands over: a reference to the JVM's exception
        _target_id = "o461"

        def __str__(self):
            return "org.apache.spark.SparkException: Job aborted due to stage failure\n\tat org.apache.spark..."

    class Session:  # stands in for a local session: main() stops it when done
        class sparkContext:
            @staticmethod
            def setLogLevel(level):
                pass

        stopped = False

        def stop(self):
            Session.stopped = True

    def fail(*args, **kwargs):
        raise Py4JJavaError("An error occurred while calling o460.count.\n", JavaException())

    monkeypatch.setattr(S, "session", lambda *args: Session())
    monkeypatch.setattr(S, "report", fail)
    assert _cli.run(lambda: S.main(["--local", "2", str(SEEDS)])) == 1
    assert capsys.readouterr().err == (
        "crosscheck: a Spark job failed: org.apache.spark.SparkException: Job aborted due to stage failure\n"
    )
    assert Session.stopped


def test_unknown_settings_are_refused():
    from crosscheck import _native

    with pytest.raises(ValueError, match="unknown field `max_wrds`"):
        _native.knobs(json.dumps({"max_wrds": 10}))


@pytest.mark.skipif(not REUTERS, reason="../shared/corpora/reuters21578.jsonl is not here")
def test_spark_on_reuters(spark):
    from crosscheck.spark import report

    assert report(spark, [REUTERS]) == single_machine([REUTERS])


@pytest.mark.skipif(not REUTERS, reason="../shared/corpora/reuters21578.jsonl is not here")
def test_ray_on_reuters(ray_cluster):
    from crosscheck.ray import report

    assert report([REUTERS]) == single_machine([REUTERS])
