CREATE TABLE IF NOT EXISTS airports (
    code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    lat DOUBLE,
    lon DOUBLE,
    tags VARCHAR[],
    meta STRUCT(city VARCHAR, country VARCHAR),
    opened DATE DEFAULT current_date,
    CHECK (lat BETWEEN -90 AND 90)
);
CREATE OR REPLACE TABLE late AS SELECT * FROM flights WHERE delay > 15;
CREATE TEMP TABLE t AS FROM range(10);
CREATE VIEW v_late AS SELECT origin, count(*) AS n FROM late GROUP BY origin;
CREATE SEQUENCE seq START 1;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE MACRO add_one(a) AS a + 1;
CREATE MACRO late_flights(min_delay) AS TABLE SELECT * FROM flights WHERE delay > min_delay;
ALTER TABLE airports ADD COLUMN elevation INTEGER;
ALTER TABLE airports RENAME COLUMN name TO airport_name;
DROP TABLE IF EXISTS t;
CREATE INDEX idx_code ON airports (code);
