/* =====================================================================================
   Annex A list 7 - Child protection - LCS reporting warehouse (T-SQL)
   Columns in the order of config/annex-a-lists.yaml. Ages at @ReportEnd.
   Parameters: @ReportStart, @ReportEnd (the inspection reference date).
   Children subject of a CP plan at any point in the period.
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
    FORMAT(cpp.CP_PLAN_START_DTTM, 'dd/MM/yyyy')                           AS [Child protection plan start date],
    cpp.INIT_CATEGORY_DESC                                                 AS [Initial category of abuse],
    cpp.CP_PLAN_LATEST_CATEGORY_DESC                                       AS [Latest category of abuse],
    FORMAT(v.last_visit, 'dd/MM/yyyy')                                     AS [Date of last statutory visit],
    v.seen_alone                                                           AS [Was the child seen alone?],
    FORMAT(rc.last_review, 'dd/MM/yyyy')                                   AS [Date of latest review conference],
    FORMAT(cpp.CP_PLAN_END_DTTM, 'dd/MM/yyyy')                             AS [Child protection plan end date],
    (SELECT COUNT(*) FROM dbo.FACT_CP_PLAN AS prev
      WHERE prev.DIM_PERSON_ID = cpp.DIM_PERSON_ID
        AND prev.CP_PLAN_START_DTTM < cpp.CP_PLAN_START_DTTM)              AS [Number of previous child protection plans],
    al.TEAM_NAME                                                           AS [Allocated team],
    al.WORKER_NAME                                                         AS [Allocated worker]
FROM dbo.FACT_CP_PLAN AS cpp
JOIN dbo.DIM_PERSON AS p ON p.DIM_PERSON_ID = cpp.DIM_PERSON_ID
OUTER APPLY (
    SELECT TOP (1) vis.VISIT_DTTM AS last_visit,
           CASE WHEN vis.SEEN_ALONE_FLAG = 'Y' THEN 'Yes' ELSE 'No' END AS seen_alone
    FROM dbo.FACT_CP_VISITS AS vis
    WHERE vis.FACT_CP_PLAN_ID = cpp.FACT_CP_PLAN_ID AND vis.VISIT_DTTM <= @ReportEnd
    ORDER BY vis.VISIT_DTTM DESC
) AS v
OUTER APPLY (
    SELECT MAX(c.MEETING_DTTM) AS last_review
    FROM dbo.FACT_CP_CONFERENCE AS c
    WHERE c.DIM_PERSON_ID = cpp.DIM_PERSON_ID AND c.CONFERENCE_TYPE = 'RCPC'
      AND c.MEETING_DTTM BETWEEN cpp.CP_PLAN_START_DTTM AND @ReportEnd
) AS rc
OUTER APPLY (
    SELECT TOP (1) t.TEAM_NAME, w.WORKER_NAME
    FROM dbo.FACT_ALLOCATION AS a
    JOIN dbo.DIM_TEAM AS t ON t.TEAM_CODE = a.TEAM_CODE
    LEFT JOIN dbo.DIM_WORKER AS w ON w.DIM_WORKER_ID = a.DIM_WORKER_ID
    WHERE a.DIM_PERSON_ID = p.DIM_PERSON_ID
      AND a.ALLOCATION_START_DTTM <= COALESCE(cpp.CP_PLAN_END_DTTM, @ReportEnd)
      AND (a.ALLOCATION_END_DTTM IS NULL OR a.ALLOCATION_END_DTTM >= COALESCE(cpp.CP_PLAN_END_DTTM, @ReportEnd))
    ORDER BY a.ALLOCATION_START_DTTM DESC
) AS al
WHERE cpp.CP_PLAN_START_DTTM <= @ReportEnd
  AND (cpp.CP_PLAN_END_DTTM IS NULL OR cpp.CP_PLAN_END_DTTM >= @ReportStart)
ORDER BY cpp.CP_PLAN_START_DTTM;
