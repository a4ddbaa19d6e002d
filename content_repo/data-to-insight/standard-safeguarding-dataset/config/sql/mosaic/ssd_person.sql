-- schema: mosaic-warehouse, ssd
/* Standard Safeguarding Dataset 1.4.5 - ssd_person - Mosaic data warehouse (T-SQL)
   Item references PERS001A-PERS016A. Source: DM_PERSONS, ethnicity description from
   DM_ETHNICITIES, nationality from DM_COUNTRIES_OF_BIRTH is left to local mapping.
   A date of birth in the future is an expected date of birth (an unborn child).
   Cohort: people with a children's referral (DM_CIN_REFERRALS) or a period of care
   (DM_PERIODS_OF_CARE) in the last @ssd_timeframe_years years. */
SET NOCOUNT ON;
DECLARE @ssd_timeframe_years int = 6;

TRUNCATE TABLE ssd_development.ssd_person;

INSERT INTO ssd_development.ssd_person (
    pers_legacy_id, pers_person_id, pers_upn, pers_sex, pers_gender, pers_ethnicity, pers_dob,
    pers_single_unique_id, pers_upn_unknown, pers_send_flag, pers_expected_dob, pers_death_date,
    pers_is_mother, pers_nationality
)
SELECT
    NULL,
    CAST(per.PERSON_ID AS nvarchar(48)),
    per.UPN_ID,
    per.GENDER,
    per.GENDER,
    eth.ETHNICITY_DESCRIPTION,
    CASE WHEN per.DATE_OF_BIRTH <= CAST(GETDATE() AS date) THEN per.DATE_OF_BIRTH END,
    NULL,
    NULL,
    NULL,
    CASE WHEN per.DATE_OF_BIRTH > CAST(GETDATE() AS date) THEN per.DATE_OF_BIRTH END,
    per.DATE_OF_DEATH,
    CASE WHEN per.GENDER = 'F' AND EXISTS (
              SELECT 1 FROM dbo.DM_PERSONAL_RELATIONSHIPS AS rel
               WHERE rel.PERSON_ID = per.PERSON_ID AND rel.IS_MOTHER = 'Y')
         THEN 'Y' END,
    per.COUNTRY_OF_BIRTH_CODE
FROM dbo.DM_PERSONS AS per
LEFT JOIN dbo.DM_ETHNICITIES AS eth ON eth.ETHNICITY_CODE = per.FULL_ETHNICITY_CODE
WHERE EXISTS (SELECT 1 FROM dbo.DM_CIN_REFERRALS AS r
               WHERE r.PERSON_ID = per.PERSON_ID
                 AND COALESCE(r.CLOSURE_DATE, GETDATE()) >= DATEADD(year, -@ssd_timeframe_years, GETDATE()))
   OR EXISTS (SELECT 1 FROM dbo.DM_PERIODS_OF_CARE AS poc
               WHERE poc.PERSON_ID = per.PERSON_ID
                 AND COALESCE(poc.END_DATE, GETDATE()) >= DATEADD(year, -@ssd_timeframe_years, GETDATE()));
