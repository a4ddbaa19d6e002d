-- schema: eclipse-views, ssd
-- Standard Safeguarding Dataset 1.4.5 - ssd_person - OLM Eclipse reporting views (PostgreSQL)
-- Item references PERS001A-PERS016A. Source: PERSONDEMOGRAPHICSVIEW. Duplicate records
-- (DUPLICATED = 'DUPLICATE') are left out; DUEDATE is the expected date of birth of an
-- unborn child. Cohort: people with a CIN, CP or looked-after classification or a period
-- of care in the last six years.
TRUNCATE TABLE ssd_person;

INSERT INTO ssd_person (
    pers_legacy_id, pers_person_id, pers_upn, pers_sex, pers_gender, pers_ethnicity, pers_dob,
    pers_single_unique_id, pers_upn_unknown, pers_send_flag, pers_expected_dob, pers_death_date,
    pers_is_mother, pers_nationality
)
SELECT
    NULL,
    pd.PERSONID::text,
    NULL,
    pd.SEX,
    pd.GENDER,
    pd.ETHNICITYCODE,
    pd.DATEOFBIRTH,
    NULL,
    NULL,
    NULL,
    pd.DUEDATE,
    pd.DIEDDATE,
    NULL,
    pd.COUNTRYOFBIRTHCODE
FROM PERSONDEMOGRAPHICSVIEW AS pd
WHERE COALESCE(pd.DUPLICATED, '?') <> 'DUPLICATE'
  AND (   EXISTS (SELECT 1 FROM CLASSIFICATIONPERSONVIEW AS cls
                   WHERE cls.PERSONID = pd.PERSONID
                     AND cls.STATUS <> 'DELETED'
                     AND COALESCE(cls.ENDDATE, CURRENT_DATE) >= CURRENT_DATE - INTERVAL '6 years')
       OR EXISTS (SELECT 1 FROM CLAPERIODOFCAREVIEW AS poc
                   WHERE poc.PERSONID = pd.PERSONID
                     AND COALESCE(poc.DISCHARGEDATE, CURRENT_DATE) >= CURRENT_DATE - INTERVAL '6 years'));
