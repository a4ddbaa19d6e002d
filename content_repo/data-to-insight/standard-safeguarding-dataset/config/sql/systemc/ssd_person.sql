/* Standard safeguarding dataset - person - Liquidlogic LCS reporting warehouse (T-SQL)
   Children with any referral, CIN, CP or CLA activity in the window.
   Parameters: @ReportStart, @ReportEnd. Output: ssd.person (recreated). */
SET NOCOUNT ON;
DECLARE @ReportStart date = DATEADD(year, -6, CAST(GETDATE() AS date));
DECLARE @ReportEnd   date = CAST(GETDATE() AS date);

IF OBJECT_ID('ssd.person') IS NOT NULL DROP TABLE ssd.person;

SELECT
    CAST(p.DIM_PERSON_ID AS varchar(20))                                  AS person_id,
    CASE p.GENDER_MAIN_CODE WHEN 'M' THEN 'M' WHEN 'F' THEN 'F'
                            WHEN 'I' THEN 'I' ELSE 'U' END                AS sex,
    p.ETHNICITY_MAIN_CODE                                                 AS ethnicity,
    DATEFROMPARTS(YEAR(p.BIRTH_DTTM), MONTH(p.BIRTH_DTTM), 1)             AS birth_month,
    CASE WHEN p.EXPECTED_DOB_DTTM IS NOT NULL
         THEN DATEFROMPARTS(YEAR(p.EXPECTED_DOB_DTTM), MONTH(p.EXPECTED_DOB_DTTM), 1) END AS expected_birth_month,
    CASE WHEN EXISTS (SELECT 1 FROM dbo.FACT_DISABILITY AS d
                      WHERE d.DIM_PERSON_ID = p.DIM_PERSON_ID
                        AND d.DISABILITY_CODE <> 'NONE') THEN 'Y' ELSE 'N' END AS disability,
    CASE WHEN EXISTS (SELECT 1 FROM dbo.FACT_UASC AS u
                      WHERE u.DIM_PERSON_ID = p.DIM_PERSON_ID) THEN 'Y' ELSE 'N' END AS uasc_ever
INTO ssd.person
FROM dbo.DIM_PERSON AS p
WHERE EXISTS (SELECT 1 FROM dbo.FACT_REFERRALS AS r
              WHERE r.DIM_PERSON_ID = p.DIM_PERSON_ID
                AND r.REFRL_START_DTTM <= @ReportEnd
                AND (r.REFRL_END_DTTM IS NULL OR r.REFRL_END_DTTM >= @ReportStart))
   OR EXISTS (SELECT 1 FROM dbo.FACT_CLA_EPISODE AS e
              WHERE e.DIM_PERSON_ID = p.DIM_PERSON_ID
                AND e.EPISODE_START_DTTM <= @ReportEnd
                AND (e.EPISODE_END_DTTM IS NULL OR e.EPISODE_END_DTTM >= @ReportStart));

ALTER TABLE ssd.person ADD CONSTRAINT pk_ssd_person PRIMARY KEY (person_id);
