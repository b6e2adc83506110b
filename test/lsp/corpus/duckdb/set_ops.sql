SELECT origin FROM flights
UNION
SELECT dest FROM flights
EXCEPT
SELECT code FROM closed_airports
INTERSECT ALL
SELECT code FROM airports;
SELECT * FROM a UNION BY NAME SELECT * FROM b;
VALUES (1, 'a'), (2, 'b');
SELECT * FROM (VALUES (1, 'one'), (2, 'two')) t(num, word);
