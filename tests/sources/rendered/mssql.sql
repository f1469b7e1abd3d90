SELECT sum(CASE WHEN (CAST(fare AS FLOAT(53)) IS NULL) THEN 1 ELSE 0 END) AS t0, sum(CASE WHEN (CAST(fare AS FLOAT(53)) < CAST(5.833333333333333 AS FLOAT(53))) THEN 1 ELSE 0 END) AS t1, sum(CASE WHEN (CAST(fare AS FLOAT(53)) < CAST(9.75 AS FLOAT(53))) THEN 1 ELSE 0 END) AS t2, sum(CASE WHEN ((city COLLATE Latin1_General_100_BIN2_UTF8) IS NULL) THEN 1 ELSE 0 END) AS t3, sum(CASE WHEN ((city COLLATE Latin1_General_100_BIN2_UTF8) = 'NYC') THEN 1 ELSE 0 END) AS t4, sum(CASE WHEN ((city COLLATE Latin1_General_100_BIN2_UTF8) = 'SF') THEN 1 ELSE 0 END) AS t5, sum(CASE WHEN ((city COLLATE Latin1_General_100_BIN2_UTF8) = 'LA') THEN 1 ELSE 0 END) AS t6, sum(CASE WHEN (CASE WHEN (vip = 1) THEN 'True' WHEN (vip = 0) THEN 'False' ELSE NULL END IS NULL) THEN 1 ELSE 0 END) AS t7, sum(CASE WHEN (CASE WHEN (vip = 1) THEN 'True' WHEN (vip = 0) THEN 'False' ELSE NULL END = 'False') THEN 1 ELSE 0 END) AS t8, sum(CASE WHEN (CASE WHEN (vip = 1) THEN 'True' WHEN (vip = 0) THEN 'False' ELSE NULL END = 'True') THEN 1 ELSE 0 END) AS t9, sum(CASE WHEN (CAST(datediff_big(microsecond, '1970-01-01 00:00:00', pickup) AS FLOAT(53)) * CAST(1000.0 AS FLOAT(53)) IS NULL) THEN 1 ELSE 0 END) AS t10, sum(CASE WHEN (CAST(datediff_big(microsecond, '1970-01-01 00:00:00', pickup) AS FLOAT(53)) * CAST(1000.0 AS FLOAT(53)) < CAST(1.7251776e+18 AS FLOAT(53))) THEN 1 ELSE 0 END) AS t11, sum(CASE WHEN (CAST(datediff_big(microsecond, '1970-01-01 00:00:00', pickup) AS FLOAT(53)) * CAST(1000.0 AS FLOAT(53)) < CAST(1.7252694e+18 AS FLOAT(53))) THEN 1 ELSE 0 END) AS t12, count(*) AS n 
FROM analytics.trips 
WHERE (
trip_date = '2024-09-01' OR trip_date = '2024-09-02'
);

SELECT anon_1.r, anon_1.v 
FROM (SELECT CAST(fare AS FLOAT(53)) AS v, row_number() OVER (ORDER BY CAST(fare AS FLOAT(53))) AS r 
FROM analytics.trips 
WHERE CAST(fare AS FLOAT(53)) IS NOT NULL AND (
trip_date = '2024-09-01' OR trip_date = '2024-09-02'
)) AS anon_1 
WHERE anon_1.r IN (1, 3, 4, 6);
