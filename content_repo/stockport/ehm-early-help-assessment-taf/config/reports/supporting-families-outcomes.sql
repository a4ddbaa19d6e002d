/* =====================================================================================
   Supporting Families outcomes - EHM reporting warehouse (T-SQL)
   -------------------------------------------------------------------------------------
   Families whose early help closed between @ReportStart and @ReportEnd with progress
   recorded, and whether that progress was *sustained* for six months after closure.
   Per headline outcome identified at assessment:
     - identified:      need recorded at the early help assessment
     - significant:     closure progress = SIG
     - sustained:       significant, and the sustain check six months later found no
                        new evidence of need for that outcome (no re-referral for it)
   A family counts as achieving significant and sustained progress when every headline
   outcome identified at assessment is sustained (the programme's whole-family rule).
   Parameters: @ReportStart, @ReportEnd.
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart date = '2024-04-01';
DECLARE @ReportEnd   date = '2025-03-31';

IF OBJECT_ID('tempdb..#outcomes') IS NOT NULL DROP TABLE #outcomes;

SELECT
    cl.EHM_FAMILY_ID,
    cl.EHM_EPISODE_ID,
    CAST(cl.COMPLETED_DTTM AS date)                              AS closed_on,
    need.OUTCOME_CODE                                           AS headline_outcome,
    prog.ANSWER_CODE                                            AS closure_progress,
    sus.SUSTAINED_FLAG                                          AS sustained_flag
INTO #outcomes
FROM dbo.EHM_WORKFLOW_STEP AS cl
JOIN dbo.EHM_ASSESSMENT_NEED AS need                      -- one row per headline outcome with E1100 = Y
  ON need.EHM_EPISODE_ID = cl.EHM_EPISODE_ID
 AND need.NEED_PRESENT = 'Y'
LEFT JOIN dbo.EHM_OUTCOME_GRID_ANSWER AS prog             -- E1451, one row per outcome
  ON prog.EHM_WORKFLOW_STEP_ID = cl.EHM_WORKFLOW_STEP_ID
 AND prog.ROW_CODE = need.OUTCOME_CODE
LEFT JOIN dbo.EHM_SUSTAIN_CHECK AS sus                    -- recorded at EH_SUSTAIN_CHECK
  ON sus.EHM_EPISODE_ID = cl.EHM_EPISODE_ID
 AND sus.OUTCOME_CODE = need.OUTCOME_CODE
WHERE cl.STEP_CODE = 'EH_CLOSE'
  AND cl.STEP_STATUS = 'COMPLETED'
  AND cl.COMPLETED_DTTM >= @ReportStart
  AND cl.COMPLETED_DTTM <  DATEADD(day, 1, @ReportEnd);

-- 1. By headline outcome
SELECT
    o.headline_outcome,
    lk.DESCRIPTION                                                                   AS outcome,
    COUNT(*)                                                                         AS families_identified,
    SUM(CASE WHEN o.closure_progress = 'SIG' THEN 1 ELSE 0 END)                      AS significant_progress,
    SUM(CASE WHEN o.closure_progress = 'SIG' AND o.sustained_flag = 'Y' THEN 1 ELSE 0 END) AS sustained,
    SUM(CASE WHEN o.sustained_flag IS NULL THEN 1 ELSE 0 END)                        AS sustain_check_pending
FROM #outcomes AS o
LEFT JOIN dbo.EHM_LOOKUP AS lk
  ON lk.LOOKUP_NAME = 'SF_HEADLINE_OUTCOME' AND lk.CODE = o.headline_outcome
GROUP BY o.headline_outcome, lk.DESCRIPTION
ORDER BY o.headline_outcome;

-- 2. Whole-family significant and sustained progress
SELECT
    COUNT(*)                                                         AS families_closed,
    SUM(CASE WHEN f.outcomes_identified = f.outcomes_sustained THEN 1 ELSE 0 END) AS families_all_sustained,
    SUM(CASE WHEN f.pending > 0 THEN 1 ELSE 0 END)                   AS families_awaiting_sustain_check
FROM (
    SELECT EHM_EPISODE_ID,
           COUNT(*)                                                                   AS outcomes_identified,
           SUM(CASE WHEN closure_progress = 'SIG' AND sustained_flag = 'Y' THEN 1 ELSE 0 END) AS outcomes_sustained,
           SUM(CASE WHEN sustained_flag IS NULL THEN 1 ELSE 0 END)                    AS pending
    FROM #outcomes
    GROUP BY EHM_EPISODE_ID
) AS f;

-- 3. Number of headline outcomes identified per family (programme requires complexity)
SELECT outcomes_identified, COUNT(*) AS families
FROM (SELECT EHM_EPISODE_ID, COUNT(*) AS outcomes_identified FROM #outcomes GROUP BY EHM_EPISODE_ID) AS x
GROUP BY outcomes_identified
ORDER BY outcomes_identified;

DROP TABLE #outcomes;
