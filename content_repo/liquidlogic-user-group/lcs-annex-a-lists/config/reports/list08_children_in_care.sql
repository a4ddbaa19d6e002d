/* =====================================================================================
   Annex A list 8 - Children in care - LCS reporting warehouse (T-SQL)
   Columns in the order of config/annex-a-lists.yaml. Ages at @ReportEnd.
   Parameters: @ReportStart, @ReportEnd (the inspection reference date).
   Children looked after at any point in the period; one row per child (latest episode).
   ===================================================================================== */
SET NOCOUNT ON;
DECLARE @ReportEnd   date = CAST(GETDATE() AS date);
DECLARE @ReportStart date = DATEADD(month, -6, @ReportEnd);

WITH latest AS (
    SELECT e.*, ROW_NUMBER() OVER (PARTITION BY e.DIM_PERSON_ID ORDER BY e.EPISODE_START_DTTM DESC) AS rn
    FROM dbo.FACT_CLA_EPISODE AS e
    WHERE e.EPISODE_START_DTTM <= @ReportEnd
      AND (e.EPISODE_END_DTTM IS NULL OR e.EPISODE_END_DTTM >= @ReportStart)
)
SELECT
    CAST(p.DIM_PERSON_ID AS varchar(20))                                   AS [Child unique ID],
    CASE p.GENDER_MAIN_CODE WHEN 'M' THEN 'Male' WHEN 'F' THEN 'Female'
                            WHEN 'I' THEN 'Indeterminate' ELSE 'Unknown' END AS [Gender],
    p.ETHNICITY_MAIN_CODE                                                  AS [Ethnicity],
    FORMAT(p.BIRTH_DTTM, 'dd/MM/yyyy')                                     AS [Date of birth],
    DATEDIFF(year, p.BIRTH_DTTM, @ReportEnd)
      - CASE WHEN DATEADD(year, DATEDIFF(year, p.BIRTH_DTTM, @ReportEnd), p.BIRTH_DTTM) > @ReportEnd
             THEN 1 ELSE 0 END                                             AS [Age of child (years)],
    CASE WHEN EXISTS (SELECT 1 FROM dbo.FACT_DISABILITY AS d
                      WHERE d.DIM_PERSON_ID = p.DIM_PERSON_ID AND d.DISABILITY_CODE <> 'NONE')
         THEN 'Yes' ELSE 'No' END                                          AS [Disability],
    CASE WHEN EXISTS (SELECT 1 FROM dbo.FACT_UASC AS u WHERE u.DIM_PERSON_ID = p.DIM_PERSON_ID)
         THEN 'Yes' ELSE 'No' END                                          AS [UASC],
    FORMAT(poc.POC_START_DTTM, 'dd/MM/yyyy')                               AS [Date started to be looked after],
    l.LEGAL_STATUS_CODE                                                    AS [Legal status],
    FORMAT(rv.last_review, 'dd/MM/yyyy')                                   AS [Date of latest statutory review],
    FORMAT(vs.last_visit, 'dd/MM/yyyy')                                    AS [Date of last visit],
    pl.PLACEMENT_TYPE_CODE                                                 AS [Placement type],
    pl.PLACEMENT_DISTANCE_MILES                                            AS [Placement distance (miles)],
    (SELECT COUNT(DISTINCT x.FACT_CLA_PLACEMENT_ID) FROM dbo.FACT_CLA_PLACEMENT AS x
      WHERE x.DIM_PERSON_ID = l.DIM_PERSON_ID
        AND x.PLACEMENT_START_DTTM <= @ReportEnd
        AND (x.PLACEMENT_END_DTTM IS NULL OR x.PLACEMENT_END_DTTM > DATEADD(month, -12, @ReportEnd))) AS [Number of placements in the last 12 months],
    FORMAT(poc.POC_END_DTTM, 'dd/MM/yyyy')                                 AS [Date ceased to be looked after],
    al.TEAM_NAME                                                           AS [Allocated team],
    al.WORKER_NAME                                                         AS [Allocated worker]
FROM latest AS l
JOIN dbo.DIM_PERSON AS p ON p.DIM_PERSON_ID = l.DIM_PERSON_ID
JOIN dbo.FACT_CLA_PERIOD_OF_CARE AS poc ON poc.FACT_CLA_POC_ID = l.FACT_CLA_POC_ID
JOIN dbo.FACT_CLA_PLACEMENT AS pl ON pl.FACT_CLA_PLACEMENT_ID = l.FACT_CLA_PLACEMENT_ID
OUTER APPLY (SELECT MAX(r.REVIEW_DTTM) AS last_review FROM dbo.FACT_CLA_REVIEW AS r
             WHERE r.DIM_PERSON_ID = l.DIM_PERSON_ID AND r.REVIEW_DTTM <= @ReportEnd) AS rv
OUTER APPLY (SELECT MAX(v.VISIT_DTTM) AS last_visit FROM dbo.FACT_CLA_VISITS AS v
             WHERE v.DIM_PERSON_ID = l.DIM_PERSON_ID AND v.VISIT_DTTM <= @ReportEnd) AS vs
OUTER APPLY (
    SELECT TOP (1) t.TEAM_NAME, w.WORKER_NAME
    FROM dbo.FACT_ALLOCATION AS a
    JOIN dbo.DIM_TEAM AS t ON t.TEAM_CODE = a.TEAM_CODE
    LEFT JOIN dbo.DIM_WORKER AS w ON w.DIM_WORKER_ID = a.DIM_WORKER_ID
    WHERE a.DIM_PERSON_ID = p.DIM_PERSON_ID
      AND a.ALLOCATION_START_DTTM <= COALESCE(poc.POC_END_DTTM, @ReportEnd)
      AND (a.ALLOCATION_END_DTTM IS NULL OR a.ALLOCATION_END_DTTM >= COALESCE(poc.POC_END_DTTM, @ReportEnd))
    ORDER BY a.ALLOCATION_START_DTTM DESC
) AS al
WHERE l.rn = 1
ORDER BY poc.POC_START_DTTM;
