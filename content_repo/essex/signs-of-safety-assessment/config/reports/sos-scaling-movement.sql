-- schema: mosaic-warehouse
/* =====================================================================================
   Signs of Safety scaling movement - Mosaic data warehouse (T-SQL)
   -------------------------------------------------------------------------------------
   For each child with a Signs of Safety assessment or safety plan review completed in
   the period: the first safety scale recorded (assessment question SOS_SCALE_SAFETY) and
   the latest (safety plan review question SP_SCALE), and the movement between them, by
   the team responsible for the latest step.
   Answers come from DM_CACHED_FORM_ANSWERS (a scale is a number answer; older forms
   stored it as text), the child is the answer's subject (SUBJECT_PERSON_ID), the step's
   completion and team from DM_WORKFLOW_STEPS, the team's name from DM_ORGANISATIONS.
   Parameters: @ReportStart, @ReportEnd (inclusive), @TeamId optional (NULL = all).
   Question user codes must match the imported form templates.
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart date = '2025-04-01';
DECLARE @ReportEnd   date = '2026-03-31';
DECLARE @TeamId      int  = NULL;

WITH scale_answers AS (
    SELECT
        ws.WORKFLOW_STEP_ID,
        fa.SUBJECT_PERSON_ID                                         AS PERSON_ID,
        ws.COMPLETED_ON,
        ws.RESPONSIBLE_TEAM_ID,
        COALESCE(fa.NUMBER_ANSWER, TRY_CAST(fa.TEXT_ANSWER AS int))  AS scale_value,
        ROW_NUMBER() OVER (PARTITION BY fa.SUBJECT_PERSON_ID ORDER BY ws.COMPLETED_ON ASC)  AS rn_first,
        ROW_NUMBER() OVER (PARTITION BY fa.SUBJECT_PERSON_ID ORDER BY ws.COMPLETED_ON DESC) AS rn_last
    FROM dbo.DM_CACHED_FORM_ANSWERS AS fa
    JOIN dbo.DM_WORKFLOW_STEPS AS ws
      ON ws.WORKFLOW_STEP_ID = fa.WORKFLOW_STEP_ID
    WHERE fa.QUESTION_USER_CODE IN ('SOS_SCALE_SAFETY', 'SP_SCALE')
      AND ws.STEP_STATUS = 'COMPLETED'
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
    org.NAME                                                      AS team,
    COUNT(*)                                                      AS children,
    SUM(CASE WHEN pc.latest_scaled_on > pc.first_scaled_on THEN 1 ELSE 0 END) AS scaled_more_than_once,
    CAST(AVG(1.0 * pc.first_scale)  AS decimal(4, 1))             AS mean_first_scale,
    CAST(AVG(1.0 * pc.latest_scale) AS decimal(4, 1))             AS mean_latest_scale,
    SUM(CASE WHEN pc.latest_scale >  pc.first_scale THEN 1 ELSE 0 END) AS improved,
    SUM(CASE WHEN pc.latest_scale =  pc.first_scale THEN 1 ELSE 0 END) AS no_change,
    SUM(CASE WHEN pc.latest_scale <  pc.first_scale THEN 1 ELSE 0 END) AS worsened,
    SUM(CASE WHEN pc.latest_scale >= 7 THEN 1 ELSE 0 END)         AS latest_7_or_more
FROM per_child AS pc
LEFT JOIN dbo.DM_ORGANISATIONS AS org
  ON org.ORGANISATION_ID = pc.team_id
GROUP BY org.NAME
ORDER BY org.NAME;
