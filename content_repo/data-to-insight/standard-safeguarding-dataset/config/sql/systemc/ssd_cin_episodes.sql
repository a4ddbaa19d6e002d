-- schema: lcs-warehouse, ssd
/* Standard Safeguarding Dataset 1.4.5 - ssd_cin_episodes - System C (T-SQL)
   Item references CINE001A-CINE012A. Source: HDM.Child_Social.FACT_REFERRALS, one row per
   referral. The referral outcome flags are kept together as JSON (cine_referral_outcome_json). */
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
    r.FACT_REFERRAL_ID,
    CAST(r.DIM_PERSON_ID AS nvarchar(48)),
    r.REFRL_START_DTTM,
    r.DIM_LOOKUP_CATEGORY_OF_NEED_CODE,
    r.DIM_LOOKUP_CONT_SORC_ID,
    r.DIM_LOOKUP_CONT_SORC_ID_DESC,
    '{"NFA_FLAG": "' + ISNULL(r.OUTCOME_NFA_FLAG, '') + '", '
      + '"SINGLE_ASSESSMENT_FLAG": "' + ISNULL(r.OUTCOME_SINGLE_ASSESSMENT_FLAG, '') + '", '
      + '"STRATEGY_DISCUSSION_FLAG": "' + ISNULL(r.OUTCOME_STRATEGY_DISCUSSION_FLAG, '') + '"}',
    r.OUTCOME_NFA_FLAG,
    r.DIM_LOOKUP_REFRL_ENDRSN_ID_CODE,
    r.REFRL_END_DTTM,
    NULLIF(r.DIM_DEPARTMENT_ID, -1),
    r.DIM_WORKER_ID_DESC
FROM HDM.Child_Social.FACT_REFERRALS AS r
WHERE COALESCE(r.REFRL_END_DTTM, GETDATE()) >= DATEADD(year, -@ssd_timeframe_years, GETDATE())
  AND EXISTS (SELECT 1 FROM ssd_development.ssd_person AS sp
               WHERE sp.pers_person_id = CAST(r.DIM_PERSON_ID AS nvarchar(48)));
