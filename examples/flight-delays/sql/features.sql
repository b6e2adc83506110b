-- One row per sampled flight: what is known before departure, the label, and a deterministic split.
-- The sample and the split hash the flight itself, so the same flight always lands in the same place
-- whatever else changes. Airport delay rates are learned from training rows only, so the test rows
-- never leak into their own features.
WITH flights AS (
  SELECT
    *,
    -- scheduled departures from the same airport in the same hour: a congestion signal known in advance
    count(*) OVER (PARTITION BY origin, date_trunc('hour', departure)) AS origin_hour_departures,
    -- first 32 bits of an md5 of the flight: stable across machines and DuckDB versions
    CAST('0x' || left(md5(concat_ws('|', epoch(departure), origin, destination, distance_miles, delay_minutes)), 8) AS BIGINT)
      % 1000 AS bucket
  FROM {{ ref('staging') }}
),
sampled AS (
  SELECT
    *,
    CASE
      WHEN bucket % 10 < 7 THEN 'train'
      WHEN bucket % 10 < 8 THEN 'valid'
      ELSE 'test'
    END AS split
  FROM flights
  WHERE bucket < {{ params.sample_per_mille }}
),
origin_rates AS (
  SELECT origin, avg(CAST(delay_minutes > 15 AS DOUBLE)) AS rate, count(*) AS n
  FROM sampled WHERE split = 'train' GROUP BY origin
),
dest_rates AS (
  SELECT destination, avg(CAST(delay_minutes > 15 AS DOUBLE)) AS rate, count(*) AS n
  FROM sampled WHERE split = 'train' GROUP BY destination
),
prior AS (
  SELECT avg(CAST(delay_minutes > 15 AS DOUBLE)) AS rate FROM sampled WHERE split = 'train'
)
SELECT
  s.departure,
  s.origin,
  s.destination,
  s.origin_state,
  s.dest_state,
  hour(s.departure)                                  AS hour_of_day,
  isodow(s.departure)                                AS day_of_week,
  month(s.departure)                                 AS month,
  CASE
    WHEN s.distance_miles < 300 THEN 'under 300'
    WHEN s.distance_miles < 700 THEN '300-700'
    WHEN s.distance_miles < 1500 THEN '700-1500'
    ELSE '1500+'
  END                                                AS distance_band,
  ln(s.distance_miles)                               AS log_distance,
  ln(s.origin_hour_departures)                       AS log_origin_hour_departures,
  -- delay rates shrunk towards the overall rate so small airports do not get extreme values
  (coalesce(o.rate * o.n, 0) + p.rate * 50) / (coalesce(o.n, 0) + 50) AS origin_delay_rate,
  (coalesce(d.rate * d.n, 0) + p.rate * 50) / (coalesce(d.n, 0) + 50) AS dest_delay_rate,
  s.dest_lon - s.origin_lon                          AS eastward_degrees,
  s.delay_minutes,
  CAST(s.delay_minutes > 15 AS INTEGER)              AS delayed,
  s.split
FROM sampled AS s
CROSS JOIN prior AS p
LEFT JOIN origin_rates AS o ON o.origin = s.origin
LEFT JOIN dest_rates AS d ON d.destination = s.destination
-- a fixed row order makes the exported Parquet, and so the trained model, byte-for-byte reproducible
ORDER BY s.departure, s.origin, s.destination, s.distance_miles, s.delay_minutes
