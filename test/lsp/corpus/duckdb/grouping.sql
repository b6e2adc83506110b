SELECT origin, dest, count(*) AS n
FROM flights
GROUP BY GROUPING SETS ((origin, dest), (origin), ());

SELECT origin, dest, sum(delay) FROM flights GROUP BY CUBE (origin, dest);
SELECT origin, dest, sum(delay) FROM flights GROUP BY ROLLUP (origin, dest);
SELECT origin, grouping(origin) AS g, arg_max(dest, delay) AS worst_dest, histogram(delay) AS hist FROM flights GROUP BY origin;
