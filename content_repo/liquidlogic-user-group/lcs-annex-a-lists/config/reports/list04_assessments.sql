/* =====================================================================================
   Annex A list 4 - Assessments - LCS reporting warehouse (T-SQL)
   Columns in the order of config/annex-a-lists.yaml. Ages at @ReportEnd.
   Parameters: @ReportStart, @ReportEnd (the inspection reference date).
   Assessment steps: child and family assessments (STEP_CODE list below - map to your build).
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
    FORMAT(s.STEP_START_DTTM, 'dd/MM/yyyy')                                AS [Assessment start date],
    CASE WHEN s.CHILD_SEEN_FLAG = 'Y' THEN 'Yes' ELSE 'No' END             AS [Child seen during assessment],
    FORMAT(s.AUTHORISED_DTTM, 'dd/MM/yyyy')                                AS [Assessment completion date],
    s.STEP_DESCRIPTION                                                     AS [Type of assessment],
    al.TEAM_NAME                                                           AS [Allocated team],
    al.WORKER_NAME                                                         AS [Allocated worker]
FROM dbo.FACT_SINGLE_ASSESSMENT AS s
JOIN dbo.DIM_PERSON AS p ON p.DIM_PERSON_ID = s.DIM_PERSON_ID
OUTER APPLY (
    SELECT TOP (1) t.TEAM_NAME, w.WORKER_NAME
    FROM dbo.FACT_ALLOCATION AS a
    JOIN dbo.DIM_TEAM AS t ON t.TEAM_CODE = a.TEAM_CODE
    LEFT JOIN dbo.DIM_WORKER AS w ON w.DIM_WORKER_ID = a.DIM_WORKER_ID
    WHERE a.DIM_PERSON_ID = p.DIM_PERSON_ID
      AND a.ALLOCATION_START_DTTM <= COALESCE(s.AUTHORISED_DTTM, @ReportEnd)
      AND (a.ALLOCATION_END_DTTM IS NULL OR a.ALLOCATION_END_DTTM >= COALESCE(s.AUTHORISED_DTTM, @ReportEnd))
    ORDER BY a.ALLOCATION_START_DTTM DESC
) AS al
WHERE s.STEP_CODE IN ('CF_ASSESSMENT', 'CF_ASSESSMENT_CWD')
  AND s.STEP_START_DTTM <= @ReportEnd
  AND (s.AUTHORISED_DTTM IS NULL OR s.AUTHORISED_DTTM >= @ReportStart)
ORDER BY s.STEP_START_DTTM;
