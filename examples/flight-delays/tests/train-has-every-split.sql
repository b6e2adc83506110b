-- Failing rows: a split with less than 5% of the rows (the hash split is 70/10/20, so this means it broke).
SELECT split, count(*) AS n
FROM {{ ref('features') }}
GROUP BY split
HAVING count(*) < 0.05 * (SELECT count(*) FROM {{ ref('features') }})
