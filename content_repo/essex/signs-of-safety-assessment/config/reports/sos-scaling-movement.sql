/* =====================================================================================
   Signs of Safety scaling movement - Mosaic reporting database (T-SQL)
   -------------------------------------------------------------------------------------
   For each child with a Signs of Safety assessment or safety plan review completed in
   the period: the first safety scale recorded (assessment, SOS_SCALE_SAFETY) and the
   latest (safety plan review, SP_SCALE), and the movement between them, by team.
   Parameters: @ReportStart, @ReportEnd (inclusive), @TeamId optional (NULL = all).
   Question user codes must match the imported form templates.
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart date = '2024-04-01';
DECLARE @ReportEnd   date = '2025-03-31';
DECLARE @TeamId      int  = NULL;

WITH scale_answers AS (
    SELECT
        ws.WORKFLOW_STEP_ID,
        sp.PERSON_ID,
        ws.STEP_TYPE_CODE,
        ws.COMPLETED_ON,
        ws.RESPONSIBLE_TEAM_ID,
        TRY_CAST(fa.ANSWER_LOOKUP_CODE AS int) AS scale_value,
        ROW_NUMBER() OVER (PARTITION BY sp.PERSON_ID ORDER BY ws.COMPLETED_ON ASC)  AS rn_first,
        ROW_NUMBER() OVER (PARTITION BY sp.PERSON_ID ORDER BY ws.COMPLETED_ON DESC) AS rn_last
    FROM dbo.DM_WORKFLOW_STEPS AS ws
    JOIN dbo.DM_STEP_SUBJECTS AS sp
      ON sp.WORKFLOW_STEP_ID = ws.WORKFLOW_STEP_ID
    JOIN dbo.DM_CACHED_FORM_ANSWERS AS fa
      ON fa.WORKFLOW_STEP_ID = ws.WORKFLOW_STEP_ID
     AND fa.QUESTION_USER_CODE IN ('SOS_SCALE_SAFETY', 'SP_SCALE')
    WHERE ws.STEP_STATUS = 'COMPLETED'
      AND ws.STEP_TYPE_CODE IN ('SOS_ASSESSMENT_AUTH', 'SOS_SAFETY_PLANNING', 'SOS_SAFETY_PLAN_REVIEW')
      AND ws.COMPLETED_ON < DATEADD(day, 1, @ReportEnd)
),
per_child AS (
    SELECT
        f.PERSON_ID,
        f.scale_value              AS first_scale,
        f.COMPLETED_ON             AS first_scaled_on,
        l.scale_value              AS latest_scale,
        l.COMPLETED_ON             AS latest_scaled_on,
        l.RESPONSIBLE_TEAM_ID      AS team_id
    FROM scale_answers AS f
    JOIN scale_answers AS l
      ON l.PERSON_ID = f.PERSON_ID AND l.rn_last = 1
    WHERE f.rn_first = 1
      AND l.COMPLETED_ON >= @ReportStart
      AND (@TeamId IS NULL OR l.RESPONSIBLE_TEAM_ID = @TeamId)
)
SELECT
    t.TEAM_NAME,
    COUNT(*)                                                      AS children,
    SUM(CASE WHEN pc.latest_scaled_on > pc.first_scaled_on THEN 1 ELSE 0 END) AS scaled_more_than_once,
    CAST(AVG(1.0 * pc.first_scale)  AS decimal(4, 1))             AS mean_first_scale,
    CAST(AVG(1.0 * pc.latest_scale) AS decimal(4, 1))             AS mean_latest_scale,
    SUM(CASE WHEN pc.latest_scale >  pc.first_scale THEN 1 ELSE 0 END) AS improved,
    SUM(CASE WHEN pc.latest_scale =  pc.first_scale THEN 1 ELSE 0 END) AS no_change,
    SUM(CASE WHEN pc.latest_scale <  pc.first_scale THEN 1 ELSE 0 END) AS worsened,
    SUM(CASE WHEN pc.latest_scale >= 7 THEN 1 ELSE 0 END)         AS latest_7_or_more
FROM per_child AS pc
JOIN dbo.DM_TEAMS AS t
  ON t.TEAM_ID = pc.team_id
GROUP BY t.TEAM_NAME
ORDER BY t.TEAM_NAME;
