-- schema: mosaic-warehouse
/* =====================================================================================
   Mockingbird constellation activity - Mosaic data warehouse (T-SQL)
   -------------------------------------------------------------------------------------
   For the period:
     1. hub support by constellation and type, with sleepover and short break nights
     2. sleepover and short break nights by reason
     3. stability: foster placements that ended in the period, for children who had hub
        support in the 12 months before the ending, against other foster placements
   The hub support log (form MB_HUB_SUPPORT) is answered on a step of the constellation
   group; each answer is in DM_CACHED_FORM_ANSWERS under the form's question user codes
   (MB_CONSTELLATION, MB_SUPPORT_DATE, MB_SUPPORT_TYPE, MB_SLEEPOVER_NIGHTS,
   MB_SLEEPOVER_REASON), and answers about a child carry the child as SUBJECT_PERSON_ID.
   Placements: DM_PLACEMENTS and DM_PLACEMENT_TYPES (IS_PLACED_WITH_FOSTER_CARERS).
   Parameters: @ReportStart, @ReportEnd (inclusive); @PlannedEndings: the placement change
   reason codes your service counts as planned.
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart date = '2025-04-01';
DECLARE @ReportEnd   date = '2026-03-31';
DECLARE @PlannedEndings TABLE (reason_code varchar(10) PRIMARY KEY);
INSERT INTO @PlannedEndings VALUES ('CHP'), ('STB');  -- placement change reasons counted as planned

IF OBJECT_ID('tempdb..#support') IS NOT NULL DROP TABLE #support;

SELECT
    fa.WORKFLOW_STEP_ID,
    MAX(CASE WHEN fa.QUESTION_USER_CODE = 'MB_CONSTELLATION'    THEN fa.TEXT_ANSWER END)   AS constellation,
    MAX(CASE WHEN fa.QUESTION_USER_CODE = 'MB_SUPPORT_DATE'     THEN fa.DATE_ANSWER END)   AS support_date,
    MAX(CASE WHEN fa.QUESTION_USER_CODE = 'MB_SUPPORT_TYPE'     THEN fa.TEXT_ANSWER END)   AS support_type,
    MAX(CASE WHEN fa.QUESTION_USER_CODE = 'MB_SLEEPOVER_NIGHTS' THEN fa.NUMBER_ANSWER END) AS nights,
    MAX(CASE WHEN fa.QUESTION_USER_CODE = 'MB_SLEEPOVER_REASON' THEN fa.TEXT_ANSWER END)   AS reason,
    MAX(NULLIF(fa.SUBJECT_PERSON_ID, 0))                                                  AS child_id
INTO #support
FROM dbo.DM_CACHED_FORM_ANSWERS AS fa
WHERE fa.QUESTION_USER_CODE IN ('MB_CONSTELLATION', 'MB_SUPPORT_DATE', 'MB_SUPPORT_TYPE',
                                'MB_SLEEPOVER_NIGHTS', 'MB_SLEEPOVER_REASON')
GROUP BY fa.WORKFLOW_STEP_ID;

-- 1. Hub support by constellation and type
SELECT constellation, support_type,
       COUNT(*)                  AS entries,
       SUM(COALESCE(nights, 0))  AS nights
FROM #support
WHERE support_date BETWEEN @ReportStart AND @ReportEnd
GROUP BY constellation, support_type
ORDER BY constellation, support_type;

-- 2. Sleepover and short break nights by reason
SELECT constellation, reason,
       SUM(nights)               AS nights,
       COUNT(DISTINCT child_id)  AS children
FROM #support
WHERE support_date BETWEEN @ReportStart AND @ReportEnd
  AND support_type IN ('SLEEPOVER', 'SHORT_BREAK')
GROUP BY constellation, reason
ORDER BY constellation, reason;

-- 3. Foster placements ended in the period: children with hub support against the others
SELECT
    CASE WHEN EXISTS (SELECT 1 FROM #support AS s
                       WHERE s.child_id = pla.PERSON_ID
                         AND s.support_date >  DATEADD(month, -12, pla.END_DATE)
                         AND s.support_date <= pla.END_DATE)
         THEN 'Had hub support' ELSE 'No hub support' END               AS child_group,
    COUNT(*)                                                            AS placements_ended,
    SUM(CASE WHEN pe.reason_code IS NULL THEN 1 ELSE 0 END)             AS unplanned_endings,
    CAST(100.0 * SUM(CASE WHEN pe.reason_code IS NULL THEN 1 ELSE 0 END)
         / NULLIF(COUNT(*), 0) AS decimal(5, 1))                        AS pct_unplanned
FROM dbo.DM_PLACEMENTS AS pla
JOIN dbo.DM_PLACEMENT_TYPES AS typ
  ON typ.PLACEMENT_TYPE = pla.PLACEMENT_TYPE AND typ.IS_PLACED_WITH_FOSTER_CARERS = 'Y'
LEFT JOIN @PlannedEndings AS pe ON pe.reason_code = pla.REASON_FOR_PLACEMENT_CHANGE
WHERE pla.END_DATE BETWEEN @ReportStart AND @ReportEnd
GROUP BY CASE WHEN EXISTS (SELECT 1 FROM #support AS s
                            WHERE s.child_id = pla.PERSON_ID
                              AND s.support_date >  DATEADD(month, -12, pla.END_DATE)
                              AND s.support_date <= pla.END_DATE)
              THEN 'Had hub support' ELSE 'No hub support' END;

DROP TABLE #support;
