/* Standard safeguarding dataset - person - Mosaic reporting database (T-SQL)
   Parameters: @ReportStart, @ReportEnd. Output: ssd.person (recreated). */
SET NOCOUNT ON;
DECLARE @ReportStart date = DATEADD(year, -6, CAST(GETDATE() AS date));
DECLARE @ReportEnd   date = CAST(GETDATE() AS date);

IF OBJECT_ID('ssd.person') IS NOT NULL DROP TABLE ssd.person;

SELECT
    CAST(p.PERSON_ID AS varchar(20))                                       AS person_id,
    CASE p.GENDER WHEN 'M' THEN 'M' WHEN 'F' THEN 'F' WHEN 'I' THEN 'I' ELSE 'U' END AS sex,
    p.FULL_ETHNICITY_CODE                                                  AS ethnicity,
    DATEFROMPARTS(YEAR(p.DATE_OF_BIRTH), MONTH(p.DATE_OF_BIRTH), 1)        AS birth_month,
    CASE WHEN p.DUE_DATE IS NOT NULL
         THEN DATEFROMPARTS(YEAR(p.DUE_DATE), MONTH(p.DUE_DATE), 1) END    AS expected_birth_month,
    CASE WHEN EXISTS (SELECT 1 FROM dbo.DM_DISABILITIES AS d
                      WHERE d.PERSON_ID = p.PERSON_ID
                        AND d.DISABILITY_CODE <> 'NONE') THEN 'Y' ELSE 'N' END AS disability,
    CASE WHEN EXISTS (SELECT 1 FROM dbo.DM_PERSON_FLAGS AS f
                      WHERE f.PERSON_ID = p.PERSON_ID
                        AND f.FLAG_CODE = 'UASC') THEN 'Y' ELSE 'N' END     AS uasc_ever
INTO ssd.person
FROM dbo.DM_PERSONS AS p
WHERE EXISTS (SELECT 1 FROM dbo.DM_INVOLVEMENTS AS i
              WHERE i.PERSON_ID = p.PERSON_ID
                AND i.INVOLVEMENT_TYPE IN ('CIN', 'CP', 'CLA')
                AND i.START_DATE <= @ReportEnd
                AND (i.END_DATE IS NULL OR i.END_DATE >= @ReportStart));

ALTER TABLE ssd.person ADD CONSTRAINT pk_ssd_person PRIMARY KEY (person_id);
