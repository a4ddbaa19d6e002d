/* =====================================================================================
   Annex A list 5 - Section 47 enquiries and ICPCs - LCS reporting warehouse (T-SQL)
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
    FORMAT(sd.STRATEGY_DISCUSSION_DTTM, 'dd/MM/yyyy')                      AS [Strategy discussion initiating section 47 enquiry start date],
    CASE WHEN s.OUTCOME_ICPC_FLAG = 'Y' THEN 'Yes' ELSE 'No' END           AS [Was an ICPC required?],
    FORMAT(icpc.MEETING_DTTM, 'dd/MM/yyyy')                                AS [Date of ICPC],
    CASE WHEN icpc.OUTCOME_CP_FLAG = 'Y' THEN 'Yes'
         WHEN icpc.MEETING_DTTM IS NOT NULL THEN 'No' END                  AS [Did the ICPC result in a child protection plan?],
    al.TEAM_NAME                                                           AS [Allocated team],
    al.WORKER_NAME                                                         AS [Allocated worker]
FROM dbo.FACT_S47 AS s
JOIN dbo.DIM_PERSON AS p ON p.DIM_PERSON_ID = s.DIM_PERSON_ID
LEFT JOIN dbo.FACT_STRATEGY_DISCUSSION AS sd ON sd.FACT_STRATEGY_DISCUSSION_ID = s.FACT_STRATEGY_DISCUSSION_ID
OUTER APPLY (
    SELECT TOP (1) c.MEETING_DTTM, c.OUTCOME_CP_FLAG
    FROM dbo.FACT_CP_CONFERENCE AS c
    WHERE c.FACT_S47_ID = s.FACT_S47_ID AND c.CONFERENCE_TYPE = 'ICPC'
    ORDER BY c.MEETING_DTTM
) AS icpc
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
WHERE COALESCE(sd.STRATEGY_DISCUSSION_DTTM, s.S47_START_DTTM) >= @ReportStart
  AND COALESCE(sd.STRATEGY_DISCUSSION_DTTM, s.S47_START_DTTM) <  DATEADD(day, 1, @ReportEnd)
ORDER BY COALESCE(sd.STRATEGY_DISCUSSION_DTTM, s.S47_START_DTTM);
