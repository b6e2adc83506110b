-- Window functions: ranking, framing, named windows, FILTER and QUALIFY.
SELECT
    origin,
    dep_time,
    delay,
    row_number() OVER (PARTITION BY origin ORDER BY dep_time) AS nth_departure,
    rank() OVER w AS delay_rank,
    avg(delay) OVER (PARTITION BY origin ORDER BY dep_time ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS moving_avg,
    sum(delay) FILTER (WHERE delay > 0) OVER (PARTITION BY origin) AS total_late,
    lag(delay, 1, 0) OVER w AS previous_delay,
    first_value(dep_time) OVER (PARTITION BY origin ORDER BY dep_time RANGE BETWEEN INTERVAL 1 HOUR PRECEDING AND CURRENT ROW) AS first_in_hour
FROM flights
WINDOW w AS (PARTITION BY origin ORDER BY delay DESC)
QUALIFY row_number() OVER (PARTITION BY origin ORDER BY delay DESC) <= 3;
