SELECT count_if(CAST(fare AS DOUBLE) IS NULL OR is_nan(CAST(fare AS DOUBLE))) AS t0, count_if(CAST(fare AS DOUBLE) < CAST(5.833333333333333 AS DOUBLE)) AS t1, count_if(CAST(fare AS DOUBLE) < CAST(9.75 AS DOUBLE)) AS t2, count_if(city IS NULL) AS t3, count_if(city = 'NYC') AS t4, count_if(city = 'SF') AS t5, count_if(city = 'LA') AS t6, count_if(CASE WHEN vip THEN 'True' WHEN (NOT vip) THEN 'False' ELSE NULL END IS NULL) AS t7, count_if(CASE WHEN vip THEN 'True' WHEN (NOT vip) THEN 'False' ELSE NULL END = 'False') AS t8, count_if(CASE WHEN vip THEN 'True' WHEN (NOT vip) THEN 'False' ELSE NULL END = 'True') AS t9, count_if(CAST(date_diff('millisecond', TIMESTAMP '1970-01-01 00:00:00', pickup) * 1000 AS DOUBLE) * CAST(1000.0 AS DOUBLE) IS NULL OR is_nan(CAST(date_diff('millisecond', TIMESTAMP '1970-01-01 00:00:00', pickup) * 1000 AS DOUBLE) * CAST(1000.0 AS DOUBLE))) AS t10, count_if(CAST(date_diff('millisecond', TIMESTAMP '1970-01-01 00:00:00', pickup) * 1000 AS DOUBLE) * CAST(1000.0 AS DOUBLE) < CAST(1.7251776e+18 AS DOUBLE)) AS t11, count_if(CAST(date_diff('millisecond', TIMESTAMP '1970-01-01 00:00:00', pickup) * 1000 AS DOUBLE) * CAST(1000.0 AS DOUBLE) < CAST(1.7252694e+18 AS DOUBLE)) AS t12, count(*) AS n 
FROM analytics.trips 
WHERE (
trip_date = '2024-09-01' OR trip_date = '2024-09-02'
);

SELECT anon_1.r, anon_1.v 
FROM (SELECT CAST(fare AS DOUBLE) AS v, row_number() OVER (ORDER BY CAST(fare AS DOUBLE)) AS r 
FROM analytics.trips 
WHERE NOT (CAST(fare AS DOUBLE) IS NULL OR is_nan(CAST(fare AS DOUBLE))) AND CAST(fare AS DOUBLE) > CAST('-Infinity' AS DOUBLE) AND CAST(fare AS DOUBLE) < CAST('Infinity' AS DOUBLE) AND (
trip_date = '2024-09-01' OR trip_date = '2024-09-02'
)) AS anon_1 
WHERE anon_1.r IN (1, 3, 4, 6);
