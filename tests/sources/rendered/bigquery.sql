SELECT countif(CAST(fare AS FLOAT64) IS NULL OR is_nan(CAST(fare AS FLOAT64))) AS t0, countif(CAST(fare AS FLOAT64) < CAST(5.833333333333333 AS FLOAT64)) AS t1, countif(CAST(fare AS FLOAT64) < CAST(9.75 AS FLOAT64)) AS t2, countif(city IS NULL) AS t3, countif(city = 'NYC') AS t4, countif(city = 'SF') AS t5, countif(city = 'LA') AS t6, countif(CASE WHEN vip THEN 'True' WHEN (NOT vip) THEN 'False' ELSE NULL END IS NULL) AS t7, countif(CASE WHEN vip THEN 'True' WHEN (NOT vip) THEN 'False' ELSE NULL END = 'False') AS t8, countif(CASE WHEN vip THEN 'True' WHEN (NOT vip) THEN 'False' ELSE NULL END = 'True') AS t9, countif(CAST(unix_micros(pickup) AS FLOAT64) * CAST(1000.0 AS FLOAT64) IS NULL OR is_nan(CAST(unix_micros(pickup) AS FLOAT64) * CAST(1000.0 AS FLOAT64))) AS t10, countif(CAST(unix_micros(pickup) AS FLOAT64) * CAST(1000.0 AS FLOAT64) < CAST(1.7251776e+18 AS FLOAT64)) AS t11, countif(CAST(unix_micros(pickup) AS FLOAT64) * CAST(1000.0 AS FLOAT64) < CAST(1.7252694e+18 AS FLOAT64)) AS t12, count(*) AS n 
FROM analytics.trips 
WHERE (
trip_date = '2024-09-01' OR trip_date = '2024-09-02'
);

SELECT anon_1.r, anon_1.v 
FROM (SELECT CAST(fare AS FLOAT64) AS v, row_number() OVER (ORDER BY CAST(fare AS FLOAT64)) AS r 
FROM analytics.trips 
WHERE NOT (CAST(fare AS FLOAT64) IS NULL OR is_nan(CAST(fare AS FLOAT64))) AND CAST(fare AS FLOAT64) > CAST('-inf' AS FLOAT64) AND CAST(fare AS FLOAT64) < CAST('inf' AS FLOAT64) AND (
trip_date = '2024-09-01' OR trip_date = '2024-09-02'
)) AS anon_1 
WHERE anon_1.r IN (1, 3, 4, 6);
