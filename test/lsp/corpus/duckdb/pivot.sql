PIVOT cities ON year USING sum(population);

PIVOT cities ON year USING sum(population) AS total, max(population) AS max GROUP BY country;

UNPIVOT monthly_sales ON jan, feb, mar INTO NAME month VALUE sales;

SELECT * FROM (PIVOT cities ON year USING sum(population)) p WHERE p.country = 'NL';
