"""`make bench-cases`: a national-scale data set of cases in PostgreSQL and the latency of the hot reads.

- `generate.py` loads centres, people and cases with their history set-based (COPY, INSERT ... SELECT over
  generate_series), secondary indexes dropped during the load and rebuilt after it, then VACUUM ANALYZE;
- `measure.py` times the reads through the real selectors (and the real API through django.test.Client), as a
  request would run them, and writes the figures into docs/benchmarks.md.
"""
