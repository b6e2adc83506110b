WITH RECURSIVE fib(n, a, b) AS (
    SELECT 1, 0, 1
    UNION ALL
    SELECT n + 1, b, a + b FROM fib WHERE n < 20
),
materialized_totals AS MATERIALIZED (
    SELECT origin, count(*) AS n FROM flights GROUP BY ALL
)
SELECT f.n, f.a, t.origin, t.n
FROM fib f
CROSS JOIN materialized_totals t
ORDER BY ALL;
