-- schema: lcs-warehouse, ssd
/* Standard Safeguarding Dataset 1.4.5 - ssd_person - System C (LCS reporting warehouse, T-SQL)
   Item references PERS001A-PERS016A. Source: HDM.Child_Social.DIM_PERSON.
   Cohort: children with a contact, a referral or care leaver eligibility in the last
   @ssd_timeframe_years years (la_config: settings.extract_parameters.ssd_timeframe_years).
   Duplicate and system records (DUPLICATED_DTTM set, DIM_PERSON_ID -1) are left out.
   The date of birth goes to pers_dob only when it is not estimated; an estimated one (an
   unborn child) goes to pers_expected_dob. */
SET NOCOUNT ON;
DECLARE @ssd_timeframe_years int = 6;

TRUNCATE TABLE ssd_development.ssd_person;

INSERT INTO ssd_development.ssd_person (
    pers_legacy_id, pers_person_id, pers_upn, pers_sex, pers_gender, pers_ethnicity, pers_dob,
    pers_single_unique_id, pers_upn_unknown, pers_send_flag, pers_expected_dob, pers_death_date,
    pers_is_mother, pers_nationality
)
SELECT
    p.LEGACY_ID,
    CAST(p.DIM_PERSON_ID AS nvarchar(48)),
    LEFT(LTRIM(RTRIM(p.UPN)), 13),
    p.GENDER_MAIN_CODE,                                    -- sex as used in the statutory returns
    p.GENDER_MAIN_CODE,                                    -- gender: the same unless held apart
    eth.NAT_ID,
    CASE WHEN p.DOB_ESTIMATED = 'N' THEN p.BIRTH_DTTM END,
    NULL,                                                  -- single unique identifier: local choice
    NULL,                                                  -- UPN unknown reason: from the 903 data
    p.EHM_SEN_FLAG,
    CASE WHEN p.DOB_ESTIMATED = 'Y' THEN p.BIRTH_DTTM END,
    p.DEATH_DTTM,
    NULL,                                                  -- is mother: see ssd_mother
    p.NATNL_CODE
FROM HDM.Child_Social.DIM_PERSON AS p
LEFT JOIN HDM.Child_Social.DIM_LOOKUP_DFE_ETHNIC AS eth ON eth.MAIN_CODE = p.ETHNICITY_MAIN_CODE
WHERE p.DIM_PERSON_ID <> -1
  AND p.DUPLICATED_DTTM IS NULL
  AND (   EXISTS (SELECT 1 FROM HDM.Child_Social.FACT_CONTACTS AS c
                   WHERE c.DIM_PERSON_ID = p.DIM_PERSON_ID
                     AND c.CONTACT_DTTM >= DATEADD(year, -@ssd_timeframe_years, GETDATE()))
       OR EXISTS (SELECT 1 FROM HDM.Child_Social.FACT_REFERRALS AS r
                   WHERE r.DIM_PERSON_ID = p.DIM_PERSON_ID
                     AND COALESCE(r.REFRL_END_DTTM, GETDATE()) >= DATEADD(year, -@ssd_timeframe_years, GETDATE()))
       OR EXISTS (SELECT 1 FROM HDM.Child_Social.DIM_CLA_ELIGIBILITY AS e
                   WHERE e.DIM_PERSON_ID = p.DIM_PERSON_ID
                     AND e.DIM_LOOKUP_ELIGIBILITY_STATUS_DESC IS NOT NULL));
