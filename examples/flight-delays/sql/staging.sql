-- Raw 2001 US flights, cleaned and typed, with the origin and destination airports' state and position.
-- Drops rows the feature step could not use and delays that are recording errors rather than flights
-- (more than two hours early, or more than a day late).
SELECT
  f.date                          AS departure,
  CAST(f.delay AS INTEGER)        AS delay_minutes,
  CAST(f.distance AS INTEGER)     AS distance_miles,
  f.origin                        AS origin,
  f.destination                   AS destination,
  o.state                         AS origin_state,
  o.latitude                      AS origin_lat,
  o.longitude                     AS origin_lon,
  d.state                         AS dest_state,
  d.latitude                      AS dest_lat,
  d.longitude                     AS dest_lon
FROM {{ source('raw', 'flights') }} AS f
JOIN {{ source('raw', 'airports') }} AS o ON o.iata = f.origin
JOIN {{ source('raw', 'airports') }} AS d ON d.iata = f.destination
WHERE f.date IS NOT NULL
  AND f.delay BETWEEN -120 AND 1440
  AND f.distance > 0
  AND f.origin <> f.destination
