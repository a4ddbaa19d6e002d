/* Standard safeguarding dataset - cin_episodes - Mosaic reporting database (T-SQL)
   Referral step types and question codes come from the council's la_config file; the
   values below are Hackney's (204_hackney.yml); use your own. Parameters: @ReportStart, @ReportEnd. */
SET NOCOUNT ON;
DECLARE @ReportStart date = DATEADD(year, -6, CAST(GETDATE() AS date));
DECLARE @ReportEnd   date = CAST(GETDATE() AS date);
DECLARE @ReferralSourceQuestion varchar(50) = 'REF_SOURCE';        -- la_config: referral_source_question
DECLARE @PrimaryNeedQuestion    varchar(50) = 'CFA_PRIMARY_NEED';  -- la_config: primary_need_question

DECLARE @ReferralSteps TABLE (STEP_TYPE_CODE varchar(50) PRIMARY KEY);
INSERT INTO @ReferralSteps VALUES ('CF_CONTACT_REFERRAL'), ('CF_REFERRAL');   -- la_config: referral_step_types
DECLARE @NfaOutcomes TABLE (OUTCOME_CODE varchar(50) PRIMARY KEY);
INSERT INTO @NfaOutcomes VALUES ('NFA'), ('NFA_ADVICE');                       -- la_config: nfa_outcomes

IF OBJECT_ID('ssd.cin_episodes') IS NOT NULL DROP TABLE ssd.cin_episodes;

SELECT
    CAST(ws.WORKFLOW_STEP_ID AS varchar(20))                   AS referral_id,
    CAST(ss.PERSON_ID AS varchar(20))                          AS person_id,
    CAST(ws.STARTED_ON AS date)                                AS referral_date,
    src.ANSWER_LOOKUP_CODE                                     AS referral_source,
    CASE WHEN ws.OUTCOME_CODE IN (SELECT OUTCOME_CODE FROM @NfaOutcomes) THEN 'Y' ELSE 'N' END AS nfa_flag,
    inv.END_DATE                                               AS cin_closure_date,
    inv.END_REASON_CENSUS_CODE                                 AS reason_for_closure,
    need.ANSWER_LOOKUP_CODE                                    AS primary_need
INTO ssd.cin_episodes
FROM dbo.DM_WORKFLOW_STEPS AS ws
JOIN @ReferralSteps AS rs ON rs.STEP_TYPE_CODE = ws.STEP_TYPE_CODE
JOIN dbo.DM_STEP_SUBJECTS AS ss ON ss.WORKFLOW_STEP_ID = ws.WORKFLOW_STEP_ID
JOIN ssd.person AS p ON p.person_id = CAST(ss.PERSON_ID AS varchar(20))
LEFT JOIN dbo.DM_CACHED_FORM_ANSWERS AS src
       ON src.WORKFLOW_STEP_ID = ws.WORKFLOW_STEP_ID AND src.QUESTION_USER_CODE = @ReferralSourceQuestion
OUTER APPLY (
    SELECT TOP (1) i.END_DATE, i.END_REASON_CENSUS_CODE
    FROM dbo.DM_INVOLVEMENTS AS i
    WHERE i.PERSON_ID = ss.PERSON_ID
      AND i.INVOLVEMENT_TYPE = 'CIN'
      AND i.START_DATE >= CAST(ws.STARTED_ON AS date)
    ORDER BY i.START_DATE
) AS inv
OUTER APPLY (
    SELECT TOP (1) fa.ANSWER_LOOKUP_CODE
    FROM dbo.DM_CACHED_FORM_ANSWERS AS fa
    JOIN dbo.DM_WORKFLOW_STEPS AS later ON later.WORKFLOW_STEP_ID = fa.WORKFLOW_STEP_ID
    JOIN dbo.DM_STEP_SUBJECTS AS ls ON ls.WORKFLOW_STEP_ID = later.WORKFLOW_STEP_ID AND ls.PERSON_ID = ss.PERSON_ID
    WHERE fa.QUESTION_USER_CODE = @PrimaryNeedQuestion
      AND later.STARTED_ON >= ws.STARTED_ON
    ORDER BY later.STARTED_ON
) AS need
WHERE ws.STARTED_ON <= @ReportEnd
  AND (inv.END_DATE IS NULL OR inv.END_DATE >= @ReportStart);
