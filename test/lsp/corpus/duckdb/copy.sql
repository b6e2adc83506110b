COPY flights TO 'out/flights.parquet' (FORMAT parquet, COMPRESSION zstd);
COPY (SELECT * FROM flights WHERE delay > 10) TO 'out/late.csv' (HEADER, DELIMITER ',');
COPY flights FROM 'data/flights.csv' (AUTO_DETECT true);
COPY flights TO 'out/by_origin' (FORMAT parquet, PARTITION_BY (origin), OVERWRITE_OR_IGNORE);
