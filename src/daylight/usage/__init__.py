"""The usage layer: metering records ingested into day-partitioned Parquet, aggregated per
account × service × operation × period with DuckDB (or Apache Spark), and the per-account usage
digests that commit the aggregates to the transparency log.

Imports only ``daylight.core``: the service catalog's operation ids and event-name table are
passed in as plain data by the caller (the command line), and so is the function that appends
digests to the log.
"""
