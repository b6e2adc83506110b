INSERT INTO airports (code, name) VALUES ('SFO', 'San Francisco'), ('LAX', 'Los Angeles');
INSERT OR REPLACE INTO airports SELECT * FROM staging_airports;
INSERT INTO airports BY NAME SELECT 'JFK' AS code, 'New York' AS name;
UPDATE airports SET name = upper(name) WHERE code LIKE 'S%';
DELETE FROM airports WHERE code NOT IN (SELECT origin FROM flights);
INSERT INTO airports (code, name) VALUES ('SEA', 'Seattle') ON CONFLICT (code) DO UPDATE SET name = excluded.name;
