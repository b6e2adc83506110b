-- A flow step with dbt-style templates: they are masked before parsing.
{# a template comment #}
WITH base AS (
    SELECT f.*, a.name AS origin_name
    FROM {{ source('raw', 'flights') }} AS f
    JOIN {{ source('raw', 'airports') }} AS a ON a.code = f.origin
)
SELECT origin, count(*) AS n, avg(delay) AS avg_delay
FROM base
WHERE delay > {{ params.min_delay }}
  AND origin IN (SELECT origin FROM {{ ref('busy_airports') }})
GROUP BY ALL;
