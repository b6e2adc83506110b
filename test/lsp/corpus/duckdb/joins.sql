SELECT *
FROM trades t
ASOF JOIN prices p ON t.symbol = p.symbol AND t.ts >= p.ts;

SELECT * FROM a POSITIONAL JOIN b;
SELECT * FROM a SEMI JOIN b ON a.id = b.id;
SELECT * FROM a ANTI JOIN b USING (id);
SELECT * FROM a NATURAL JOIN b;
SELECT * FROM a LEFT JOIN LATERAL (SELECT * FROM b WHERE b.id = a.id LIMIT 1) l ON true;
SELECT * FROM a FULL OUTER JOIN b ON a.id = b.id;
SELECT * FROM range(3) r(i), unnest([1, 2]) u(j);
