-- logscan events in ClickHouse.
--
-- `logscan --events` writes one JSON object per log record, with Elastic Common Schema names
-- as nested objects ({"log": {"file": {"path": ...}}}). ClickHouse reads them as JSONEachRow
-- into the named tuples below, and queries reach the fields by their ECS names
-- (http.response.status_code, log.file.path):
--
--   logscan --events --tz UTC /var/log/nginx/ | clickhouse-client \
--     --input_format_skip_unknown_fields=1 --date_time_input_format=best_effort \
--     --query 'INSERT INTO logscan_events FORMAT JSONEachRow'
--
-- A field a line does not have is the element's default ('' or 0). Keys not listed here
-- (user_agent.original, http.request.referrer, ...) are skipped (add an element to keep
-- one). A row is a log record (its continuation lines included): how rows per
-- logscan.cause compare with the findings of a report is in README.md, "A log store:
-- ClickHouse".

CREATE TABLE IF NOT EXISTS logscan_events
(
    `@timestamp` DateTime64(6, 'UTC'),
    event        Tuple(dataset LowCardinality(String), duration UInt64),  -- nginx.error, nginx.access, apache.error, ...; duration in ns
    log          Tuple(level LowCardinality(String), file Tuple(path String, line UInt64)),
    message      String,
    logscan      Tuple(cause LowCardinality(String), phase LowCardinality(String),
                       role LowCardinality(String),  -- event, cause, effect, context
                       upstream Tuple(status UInt16, response_time_us UInt64)),
    destination  Tuple(address String),                                  -- the upstream
    source       Tuple(address String, port UInt16),                     -- the client
    server       Tuple(address String),
    url          Tuple(domain String, original String),
    http         Tuple(request Tuple(method LowCardinality(String)), response Tuple(status_code UInt16)),
    error        Tuple(code LowCardinality(String)),                     -- errno or Apache AH code
    process      Tuple(pid UInt32)
)
ENGINE = MergeTree
ORDER BY (event.dataset, `@timestamp`);

-- 5xx per minute per upstream (access logs; the upstream is '' when the log format has no
-- $upstream_addr).
SELECT
    toStartOfMinute(`@timestamp`) AS minute,
    destination.address AS upstream,
    count() AS server_errors
FROM logscan_events
WHERE http.response.status_code BETWEEN 500 AND 599
GROUP BY minute, upstream
ORDER BY minute, upstream;

-- Top causes in the last hour: failures counted as the report counts them, one per
-- failure line, leaving out context lines (evidence such as nginx's "upstream server
-- temporarily disabled") and effect lines (Apache's AH01114 that repeats the AH00957
-- before it).
SELECT
    logscan.cause AS cause,
    count() AS failures,
    uniqExact(destination.address) AS upstreams,
    min(`@timestamp`) AS first,
    max(`@timestamp`) AS last
FROM logscan_events
WHERE logscan.cause != '' AND logscan.role IN ('event', 'cause')
  AND `@timestamp` >= now64() - INTERVAL 1 HOUR
GROUP BY cause
ORDER BY failures DESC, cause
LIMIT 10;
