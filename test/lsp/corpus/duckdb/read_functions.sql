SELECT * FROM read_csv('data/flights.csv', header = true, delim = ',', columns = {'origin': 'VARCHAR', 'delay': 'INTEGER'});
SELECT * FROM read_parquet(['a.parquet', 'b.parquet'], filename = true, hive_partitioning = true);
SELECT * FROM read_json_auto('events.json');
SELECT * FROM 'data/flights-3m.parquet' LIMIT 5;
SELECT * FROM glob('data/*.csv');
SELECT * FROM generate_series(1, 10, 2);
