-- schema: eclipse-views, ssd
-- Standard Safeguarding Dataset 1.4.5 - ssd_cin_episodes - OLM Eclipse (PostgreSQL)
-- Item references CINE001A-CINE012A. Eclipse records a referral as a completed form, so the
-- referral date, source and primary need come from the referral form's answers
-- (FORMANSWERPERSONVIEW), picked out by the form's design GUID and control names. Both are
-- local: set them from your la_config file (extract_sql_custom_la). The values below are
-- the control names used in the SSD project's Eclipse extract.
-- The episode closes when the child's CIN classification ends (CLASSIFICATIONPERSONVIEW).
TRUNCATE TABLE ssd_cin_episodes;

WITH referral AS (
    SELECT fa.INSTANCEID,
           fa.ANSWERFORSUBJECTID                                                             AS PERSONID,
           MAX(CASE WHEN fa.CONTROLNAME = 'CINCensus_DateOfReferral' THEN fa.DATEANSWERVALUE END) AS REFERRAL_DATE,
           MAX(CASE WHEN fa.CONTROLNAME = 'CINCensus_ReferralSource' THEN fa.ANSWERVALUE END)      AS REFERRAL_SOURCE,
           MAX(CASE WHEN fa.CONTROLNAME = 'CINCensus_primaryNeedCategory' THEN fa.ANSWERVALUE END) AS PRIMARY_NEED
    FROM FORMANSWERPERSONVIEW AS fa
    WHERE fa.DESIGNGUID = :'referral_design_guid'
      AND fa.INSTANCESTATE = 'COMPLETE'
    GROUP BY fa.INSTANCEID, fa.ANSWERFORSUBJECTID
)
INSERT INTO ssd_cin_episodes (
    cine_referral_id, cine_person_id, cine_referral_date, cine_cin_primary_need_code,
    cine_referral_source_code, cine_referral_source_desc, cine_referral_outcome_json,
    cine_referral_nfa, cine_close_reason, cine_close_date, cine_referral_team,
    cine_referral_worker_id
)
SELECT
    r.INSTANCEID::text,
    r.PERSONID::text,
    r.REFERRAL_DATE,
    r.PRIMARY_NEED,
    NULL,
    r.REFERRAL_SOURCE,
    NULL,
    NULL,
    cls.ENDREASON,
    cls.ENDDATE,
    NULL,
    NULL
FROM referral AS r
LEFT JOIN LATERAL (
    SELECT c.ENDDATE, c.ENDREASON
    FROM CLASSIFICATIONPERSONVIEW AS c
    WHERE c.PERSONID = r.PERSONID
      AND c.STATUS <> 'DELETED'
      AND c.STARTDATE >= r.REFERRAL_DATE
    ORDER BY c.STARTDATE
    LIMIT 1
) AS cls ON true;
