"""Loads logscan events into an embedded ClickHouse (chdb) with docs/clickhouse.sql and
runs its queries: what crates/cli/tests/clickhouse.rs checks against logscan's reports.

    python load.py SCHEMA_SQL NOW CASE=EVENTS.ndjson...

For each case: a fresh table from the schema's CREATE TABLE, the events inserted as
JSONEachRow with the settings the schema's comment gives, then rows per logscan.cause (all,
and those of the roles event and cause) and the two shipped queries (the last-hour one with
now64() replaced by NOW). Prints one JSON object: {case: {"rows": n, "rows_per_cause": {...},
"failures_per_cause": {...}, "per_minute": [...], "top_causes": [...]}}.
"""
import json
import sys

import chdb
from chdb import session

schema_path, now, cases = sys.argv[1], sys.argv[2], sys.argv[3:]
text = open(schema_path).read()
statements = []
for chunk in text.split(";\n"):
    sql = "\n".join(l for l in chunk.splitlines() if not l.strip().startswith("--")).strip()
    if sql:
        statements.append(sql)
create, per_minute, top_causes = statements
assert create.startswith("CREATE TABLE"), create

out = {}
for case in cases:
    name, events = case.split("=", 1)
    s = session.Session()
    s.query(create)
    s.query(
        f"INSERT INTO logscan_events SELECT * FROM file('{events}', JSONEachRow) "
        "SETTINGS use_structure_from_insertion_table_in_table_functions=1, "
        "input_format_skip_unknown_fields=1, date_time_input_format='best_effort'"
    )
    rows = s.query(
        "SELECT logscan.cause, count() FROM logscan_events WHERE logscan.cause != '' "
        "GROUP BY 1 ORDER BY 1", "JSONCompact").data()
    failures = s.query(
        "SELECT logscan.cause, count() FROM logscan_events WHERE logscan.cause != '' "
        "AND logscan.role IN ('event', 'cause') GROUP BY 1 ORDER BY 1", "JSONCompact").data()
    total = s.query("SELECT count() FROM logscan_events", "JSONCompact").data()
    minute = s.query(per_minute, "JSONCompact").data()
    top = s.query(
        top_causes.replace("now64()", f"toDateTime64('{now}', 6, 'UTC')"), "JSONCompact"
    ).data()
    out[name] = {
        "rows": json.loads(total)["data"][0][0],
        "rows_per_cause": {c: int(n) for c, n in json.loads(rows)["data"]},
        "failures_per_cause": {c: int(n) for c, n in json.loads(failures)["data"]},
        "per_minute": json.loads(minute)["data"],
        "top_causes": json.loads(top)["data"],
    }
    s.close()
print(json.dumps(out))
