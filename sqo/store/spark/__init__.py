"""Analytics on Apache Spark: a SQLAlchemy dialect over a SparkSession (``sqo_spark``).

Spark reads a warehouse folder (the layout of ``sqo export --format parquet``: one Parquet file
or folder of files per table, named as the table, and ``manifest.json``), each table registered
as a temporary view under its sqo name, so the analytics' SQLAlchemy statements run unchanged.
PySpark is imported only when the Spark engine starts (it is an extra: ``sqo[spark]``).
"""
