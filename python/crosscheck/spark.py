"""crosscheck's report on Apache Spark: the Rust stages mapped over partitions with
``mapInArrow``, the reductions between them as DataFrame joins and aggregations.

    spark-submit --py-files ... -m crosscheck.spark PATH... --output report.json

or, from Python, ``crosscheck.spark.report(spark, paths)``. The report is byte for byte what
``crosscheck report --format json PATH...`` writes (tests: python/tests). See
docs/distributed.md for the stages and their costs, and what still runs on the driver.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Iterable

import pyarrow as pa

from . import _cli, _native
from . import batches as B


def _mapper(fn, *args):
    """A mapInArrow function: `fn` of each record batch, as record batches."""

    def run(iterator: Iterable[pa.RecordBatch]):
        for batch in iterator:
            for out in fn(batch, *args).to_batches(max_chunksize=1 << 16):
                yield out

    return run


def _sources(spark, files: list, partitions: int):
    """SOURCES rows for every file: a text or HTML file whole, a JSONL corpus a line each."""
    sc = spark.sparkContext
    frames = []
    whole = [(order, kind, path, ident) for order, (path, ident, kind) in enumerate(files) if kind != "jsonl"]
    if whole:

        def read(rows):
            for order, kind, path, ident in rows:
                with open(path, "rb") as f:
                    yield (order, kind, path, ident, None, f.read())

        rdd = sc.parallelize(whole, max(1, min(partitions, len(whole)))).mapPartitions(read)
        frames.append(spark.createDataFrame(rdd, B.ddl(B.SOURCES)))
    for order, (path, ident, kind) in enumerate(files):
        if kind != "jsonl":
            continue
        # Lines in file order, numbered from 1 as crosscheck numbers a corpus's records.
        lines = sc.textFile(path, minPartitions=partitions, use_unicode=False).zipWithIndex()
        rdd = lines.map(lambda x, o=order, p=path: (o, "jsonl", p, "", x[1] + 1, bytes(x[0])))
        frames.append(spark.createDataFrame(rdd, B.ddl(B.SOURCES)))
    if not frames:
        return spark.createDataFrame([], B.ddl(B.SOURCES))
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionByName(frame)
    return out


def components(edges):
    """Connected components of `edges` (a DataFrame of int columns a, b) by the
    large-star/small-star loop of Kiveris et al. (2014), "Connected Components in MapReduce and
    Beyond": no step gathers a component on one node. A DataFrame (node, root) for each node of
    a component of two or more, root its smallest node; the loop's rounds (O(log n))."""
    from pyspark.sql import functions as F

    def oriented(frame, x, y):
        # Each edge once, as (larger, smaller), without self-loops.
        return (
            frame.select(F.greatest(x, y).alias("u"), F.least(x, y).alias("v"))
            .where(F.col("u") != F.col("v"))
            .distinct()
        )

    e = oriented(edges, "a", "b").localCheckpoint()
    rounds = 0
    while True:
        rounds += 1
        # Large-star: every node links each larger neighbour to its smallest neighbour or itself.
        both = e.unionByName(e.select(F.col("v").alias("u"), F.col("u").alias("v")))
        smallest = both.groupBy("u").agg(F.min("v").alias("m"))
        smallest = smallest.withColumn("m", F.least("m", "u"))
        large = both.join(smallest, "u").where(F.col("v") > F.col("u"))
        e1 = oriented(large, "v", "m")
        # Small-star: every node links itself and its smaller neighbours to the smallest of them.
        low = e1.groupBy("u").agg(F.min("v").alias("m"))
        small = e1.join(low, "u").select(F.col("v").alias("x"), F.col("m").alias("y"))
        small = small.unionByName(low.select(F.col("u").alias("x"), F.col("m").alias("y")))
        e2 = oriented(small, "x", "y").localCheckpoint()
        if e2.exceptAll(e).isEmpty() and e.exceptAll(e2).isEmpty():
            break
        e = e2
    # Converged: stars, each edge (node, its component's smallest node).
    roots = e.select(F.col("v").alias("node"), F.col("v").alias("root")).distinct()
    labels = e.select(F.col("u").alias("node"), F.col("v").alias("root")).unionByName(roots)
    return labels, rounds


def _is_remote(path: str) -> bool:
    """Whether `path` is a URI for Spark to read (s3a://, hdfs://, file://...) rather than a
    local path for crosscheck to walk."""
    return "://" in path


def _remote_sources(spark, path: str, order: int, partitions: int):
    """SOURCES rows of a JSONL or Parquet corpus at a URI Spark reads: one record each,
    numbered in file order from 1. A Parquet row becomes the JSON object of its columns
    (`id`, `text` and any others, which the report keeps as the record's fields)."""
    if path.rstrip("/").endswith(".parquet"):
        rows = spark.read.parquet(path).rdd.map(
            lambda row: json.dumps(row.asDict(recursive=True), default=str).encode()
        )
    else:
        rows = spark.sparkContext.textFile(path, minPartitions=partitions, use_unicode=False)
    numbered = rows.zipWithIndex().map(
        lambda x, o=order, p=path: (o, "jsonl", p, "", x[1] + 1, bytes(x[0]))
    )
    return spark.createDataFrame(numbered, B.ddl(B.SOURCES))


def report(spark, paths: list, settings: dict | None = None, partitions: int = 0) -> str:
    """The report of the collection under `paths`, as JSON text in the schema of
    ``crosscheck report --format json``. Local paths (on a filesystem every executor sees)
    are walked as `crosscheck report` walks them; a URI (s3a://, hdfs://, gs://...) is read
    by Spark as one JSONL corpus, or as a Parquet dataset of records when it ends in
    .parquet."""
    from pyspark.sql import functions as F

    settings = json.dumps(settings or {})
    partitions = partitions or spark.sparkContext.defaultParallelism
    min_documents, _ = _native.knobs(settings)
    local = [str(p) for p in paths if not _is_remote(str(p))]
    remote = [str(p) for p in paths if _is_remote(str(p))]
    files, walk_warnings = _native.list_inputs(local, settings) if local else ([], [])
    sources = _sources(spark, files, partitions)
    for k, path in enumerate(remote):
        sources = sources.unionByName(_remote_sources(spark, path, len(files) + k, partitions))

    # Ingest: parse every source, then make ids unique and number the documents by id, as
    # `report` does (on the driver: one id a document).
    parsed = sources.mapInArrow(
        _mapper(B.parse, settings), B.ddl(B.PARSED)
    ).cache()
    read_warnings = [
        w
        for row in parsed.where(F.size("warnings") > 0)
        .select("order", "record", "warnings")
        .orderBy("order", "record")
        .collect()
        for w in row["warnings"]
    ]
    kept = parsed.where(F.col("parsed_id").isNotNull()).select("parsed_id", "path", "record").collect()
    final_ids, numbers, dedupe_warnings = _native.dedupe(
        [r["parsed_id"] for r in kept], [r["path"] for r in kept], [r["record"] for r in kept]
    )
    total = len(final_ids)
    numbering = spark.createDataFrame(
        [(r["path"], r["record"] or 0, n, i) for r, n, i in zip(kept, numbers, final_ids)],
        "path string, key long, number int, final_id string",
    )
    docs = (
        parsed.where(F.col("parsed_id").isNotNull())
        .withColumn("key", F.coalesce(F.col("record"), F.lit(0)))
        .join(numbering, ["path", "key"])
        .select("number", "kind", "path", F.col("final_id").alias("id"), "record", "data")
        .repartition(partitions, "number")
        .cache()
    )

    # Chrome: short lines in enough documents, then the holders' sketches, then the test of
    # unrelated holders (on the driver: only lines held by 3 or more documents).
    lines = docs.mapInArrow(_mapper(B.lines, total, settings), B.ddl(B.LINES))
    candidates = [
        (r["line"], list(r["holders"]))
        for r in lines.groupBy("line")
        .agg(F.sort_array(F.collect_set("doc")).alias("holders"))
        .where(F.size("holders") >= min_documents)
        .orderBy("line")
        .collect()
    ]
    holders = {d for _, hs in candidates for d in hs}
    sketched = docs.mapInArrow(
        _mapper(B.sketches, total, candidates, holders, settings), B.ddl(B.SKETCHES)
    ).collect()
    recurring = _native.recurring(
        candidates, [(r["doc"], list(r["story"]), list(r["whole"])) for r in sketched], settings
    )

    # Sign, then candidate search: postings partitioned by ranges of shingle hashes (every
    # posting of a shingle in one partition), pair records counted by pair.
    signed = docs.mapInArrow(_mapper(B.sign, total, recurring, settings), B.ddl(B.SIGNED)).cache()
    postings = signed.mapInArrow(_mapper(B.postings, partitions), B.ddl(B.POSTINGS))

    def draw_partition(iterator):
        table = pa.Table.from_batches(list(iterator), schema=B.POSTINGS)
        if table.num_rows:
            # In batches of 64k rows: one batch of a partition's pair records (tens of millions
            # at 100,000 documents) overflows the JVM's direct memory for Arrow.
            yield from B.draw(table, total, settings).to_batches(max_chunksize=1 << 16)

    drawn = (
        postings.repartition(partitions, "part")
        .mapInArrow(draw_partition, B.ddl(B.DRAWN))
        .cache()
    )
    records = drawn.where("tag = 0").select("a", "b")
    counts = drawn.where("tag = 2").agg(F.sum("postings"), F.sum("oversized")).first()
    counted = records.groupBy("a", "b").agg(F.count(F.lit(1)).alias("shared")).cache()
    kept_shingles = drawn.where("tag = 1").groupBy(F.col("a").alias("doc")).agg(
        F.sum("b").cast("int").alias("kept")
    )
    sizes = (
        signed.select("doc", F.size("shingles").cast("int").alias("length"))
        .join(kept_shingles, "doc", "left")
        .fillna(0, ["kept"])
    )
    side = lambda s: sizes.select(  # noqa: E731
        F.col("doc").alias(s), F.col("length").alias(f"length_{s}"), F.col("kept").alias(f"kept_{s}")
    )
    found = (
        counted.join(side("a"), "a")
        .join(side("b"), "b")
        .select("a", "b", "shared", "length_a", "kept_a", "length_b", "kept_b")
        .mapInArrow(_mapper(B.candidates, settings), B.ddl(B.PAIRS))
    )
    shared_prints = (
        signed.where(F.col("fingerprint").isNotNull())
        .groupBy("fingerprint")
        .agg(F.collect_list("doc").alias("docs"))
        .where(F.size("docs") >= 2)
        .collect()
    )
    same_docs = [d for r in shared_prints for d in r["docs"]]
    same_prints = [r["fingerprint"] for r in shared_prints for _ in r["docs"]]
    identical = spark.createDataFrame(
        B.identical(same_docs, same_prints, settings).to_pylist(), B.ddl(B.PAIRS)
    )
    pairs = found.unionByName(identical).distinct().cache()
    stats = {
        "postings": counts[0] or 0,
        "oversized_buckets": counts[1] or 0,
        "shingle_pairs": records.count(),
        "touched_pairs": counted.count(),
        "candidates": pairs.count(),
    }

    # Verify: each pair joined to both its documents; token weights from the document
    # frequencies (collected and broadcast: the vocabulary, not the documents).
    df = signed.select(F.explode("tokens").alias("token")).groupBy("token").count().toArrow()
    df_columns = (B._i64(df.column("token")), B._i32(df.column("count")))
    prefixed = lambda s: docs.select(*[F.col(c).alias(f"{s}_{c}") for c in docs.columns])  # noqa: E731
    joined = (
        pairs.join(prefixed("a"), pairs.a == F.col("a_number"))
        .join(prefixed("b"), pairs.b == F.col("b_number"))
        .drop("a", "b")
        .repartition(partitions)
    )
    verified = joined.mapInArrow(
        _mapper(B.verify, total, recurring, df_columns, settings), B.ddl(B.VERIFIED)
    ).cache()
    verifications = [r["verification"] for r in verified.select("verification").collect()]

    # Components of the full duplicates, on the executors.
    edges = verified.select(F.explode(F.arrays_zip("full_a", "full_b")).alias("e")).select(
        F.col("e.full_a").alias("a"), F.col("e.full_b").alias("b")
    )
    labels, _ = components(edges)
    labels = labels.orderBy("node").toArrow().cast(B.LABELS)

    # Assemble on the driver: clusters, cross-document conflicts, the report.
    warnings = list(walk_warnings) + read_warnings + list(dedupe_warnings)
    # The documents: read again from local paths by the Rust code, or collected from a URI.
    all_local = len(local) == len(paths)
    out = B.assemble(
        None if all_local else docs.toArrow(),
        total,
        warnings,
        signed.select("doc", "summary").toArrow(),
        df_columns,
        stats,
        verifications,
        recurring,
        settings,
        labels,
        local if all_local else None,
    )
    for frame in (parsed, docs, signed, drawn, counted, pairs, verified):
        frame.unpersist()
    return out


def session(cores: int = 2, memory: str = "6g", partitions: int = 0):
    """A local Spark session bound to 127.0.0.1, its workers on this interpreter, its JVM
    given `memory`, its shuffles in `partitions` (default: two a core)."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    # In local mode the executors live in the driver's JVM: give it memory to shuffle pair
    # records in (the JVM's default, 1 GB, spills the 100,000-document run to disk).
    os.environ.setdefault("PYSPARK_SUBMIT_ARGS", f"--driver-memory {memory} pyspark-shell")
    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("crosscheck")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(partitions or cores * 2))
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "2048")
        # `assemble` collects every document to the driver (2.3 GB at the synthetic million),
        # past the default 1 GB limit on what a job may return.
        .config("spark.driver.maxResultSize", "0")
        .getOrCreate()
    )


def main(argv=None) -> int:
    args = _cli.parser("crosscheck.spark", __doc__, "partitions", "run a local[N] session").parse_args(argv)
    from py4j.protocol import Py4JJavaError

    if args.local:
        spark = session(args.local, args.memory, args.partitions)
    else:
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.appName("crosscheck").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        _cli.write(args, report(spark, args.paths, _cli.settings(args), args.partitions))
    except Py4JJavaError as error:
        cause = str(error.java_exception).splitlines()[0]
        raise _cli.EngineError(f"a Spark job failed: {cause}") from None
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(_cli.run(main))
