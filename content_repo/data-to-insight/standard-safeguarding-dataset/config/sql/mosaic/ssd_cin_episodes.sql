-- schema: mosaic-warehouse, ssd
/* Standard Safeguarding Dataset 1.4.5 - ssd_cin_episodes - Mosaic data warehouse (T-SQL)
   Item references CINE001A-CINE012A. Source: DM_CIN_REFERRALS (one row per referral; the
   referral id is the referral's workflow step), team and worker from that step in
   DM_WORKFLOW_STEPS, primary need from the service user group open at the referral date
   (DM_SERVICE_USER_GROUPS and its type's need code in DM_SERV_USER_GROUP_TYPES).
   A referral with an NFA date is a no-further-action referral. */
SET NOCOUNT ON;
DECLARE @ssd_timeframe_years int = 6;

TRUNCATE TABLE ssd_development.ssd_cin_episodes;

INSERT INTO ssd_development.ssd_cin_episodes (
    cine_referral_id, cine_person_id, cine_referral_date, cine_cin_primary_need_code,
    cine_referral_source_code, cine_referral_source_desc, cine_referral_outcome_json,
    cine_referral_nfa, cine_close_reason, cine_close_date, cine_referral_team,
    cine_referral_worker_id
)
SELECT
    ref.REFERRAL_ID,
    CAST(ref.PERSON_ID AS nvarchar(48)),
    ref.REFERRAL_DATE,
    need.NEED_CODE_CATEGORY_CODE,
    ref.SOURCE_OF_REFERRAL,
    NULL,
    NULL,
    CASE WHEN ref.NFA_DATE IS NULL THEN 'N' ELSE 'Y' END,
    ref.CLOSURE_REASON,
    ref.CLOSURE_DATE,
    stp.RESPONSIBLE_TEAM_ID,
    stp.ASSIGNEE_ID
FROM dbo.DM_CIN_REFERRALS AS ref
LEFT JOIN dbo.DM_WORKFLOW_STEPS AS stp ON stp.WORKFLOW_STEP_ID = ref.REFERRAL_ID
OUTER APPLY (
    SELECT MAX(sugt.NEED_CODE_CATEGORY_CODE) AS NEED_CODE_CATEGORY_CODE
    FROM dbo.DM_SERVICE_USER_GROUPS AS sug
    JOIN dbo.DM_SERV_USER_GROUP_TYPES AS sugt ON sugt.GROUP_TYPE = sug.FULL_GROUP_TYPE
    WHERE sug.PERSON_ID = ref.PERSON_ID
      AND ref.REFERRAL_DATE >= sug.START_DATE
      AND (sug.END_DATE IS NULL OR ref.REFERRAL_DATE <= sug.END_DATE)
) AS need
WHERE COALESCE(ref.CLOSURE_DATE, GETDATE()) >= DATEADD(year, -@ssd_timeframe_years, GETDATE());
