"""The file to give `spark-submit` (it runs files, not modules): crosscheck.spark's main.

    spark-submit --archives venv.tar.gz#env --conf spark.pyspark.python=./env/bin/python \
        python/spark_main.py s3a://bucket/corpus.jsonl -o report.json

The environment packed into venv.tar.gz (venv-pack) must hold the crosscheck wheel; see
docs/distributed.md.
"""

import sys

from crosscheck import _cli
from crosscheck.spark import main

sys.exit(_cli.run(main))
