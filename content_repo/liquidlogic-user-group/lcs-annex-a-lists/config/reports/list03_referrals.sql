/* =====================================================================================
   Annex A list 3 - Referrals - LCS reporting warehouse (T-SQL)
   Columns in the order of config/annex-a-lists.yaml. Ages at @ReportEnd.
   Parameters: @ReportStart, @ReportEnd (the inspection reference date).
   ===================================================================================== */
SET NOCOUNT ON;
DECLARE @ReportEnd   date = CAST(GETDATE() AS date);
DECLARE @ReportStart date = DATEADD(month, -6, @ReportEnd);

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
    FORMAT(r.REFRL_START_DTTM, 'dd/MM/yyyy')                               AS [Date of referral],
    src.DESCRIPTION                                                        AS [Referral source],
    CASE WHEN r.REFRL_NFA_FLAG = 'Y' THEN 'Yes' ELSE 'No' END              AS [Referral NFA],
    (SELECT COUNT(*) FROM dbo.FACT_REFERRALS AS r12
      WHERE r12.DIM_PERSON_ID = r.DIM_PERSON_ID
        AND r12.REFRL_START_DTTM >  DATEADD(month, -12, r.REFRL_START_DTTM)
        AND r12.REFRL_START_DTTM <= r.REFRL_START_DTTM)                    AS [Number of referrals in the last 12 months],
    al.TEAM_NAME                                                           AS [Allocated team],
    al.WORKER_NAME                                                         AS [Allocated worker]
FROM dbo.FACT_REFERRALS AS r
JOIN dbo.DIM_PERSON AS p ON p.DIM_PERSON_ID = r.DIM_PERSON_ID
LEFT JOIN dbo.DIM_LOOKUP_CONTACT_SOURCE AS src ON src.CIN_CENSUS_CODE = r.REFRL_SOURCE_CODE
OUTER APPLY (
    SELECT TOP (1) t.TEAM_NAME, w.WORKER_NAME
    FROM dbo.FACT_ALLOCATION AS a
    JOIN dbo.DIM_TEAM AS t ON t.TEAM_CODE = a.TEAM_CODE
    LEFT JOIN dbo.DIM_WORKER AS w ON w.DIM_WORKER_ID = a.DIM_WORKER_ID
    WHERE a.DIM_PERSON_ID = p.DIM_PERSON_ID
      AND a.ALLOCATION_START_DTTM <= @ReportEnd
      AND (a.ALLOCATION_END_DTTM IS NULL OR a.ALLOCATION_END_DTTM >= @ReportEnd)
    ORDER BY a.ALLOCATION_START_DTTM DESC
) AS al
WHERE r.REFRL_START_DTTM >= @ReportStart
  AND r.REFRL_START_DTTM <  DATEADD(day, 1, @ReportEnd)
ORDER BY r.REFRL_START_DTTM;
