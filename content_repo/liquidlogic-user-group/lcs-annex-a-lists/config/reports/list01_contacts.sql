/* =====================================================================================
   Annex A list 1 - Contacts - LCS reporting warehouse (T-SQL)
   Columns in the order of config/annex-a-lists.yaml. Ages at @ReportEnd.
   Parameters: @ReportStart, @ReportEnd (the inspection reference date).
   Contacts: FACT_CONTACTS rows with a contact date in the period (one row per contact).
   ===================================================================================== */
SET NOCOUNT ON;
DECLARE @ReportEnd   date = CAST(GETDATE() AS date);
DECLARE @ReportStart date = DATEADD(month, -6, @ReportEnd);

SELECT
    CAST(p.DIM_PERSON_ID AS varchar(20))                                   AS [Child unique ID],
    CASE p.GENDER_MAIN_CODE WHEN 'M' THEN 'Male' WHEN 'F' THEN 'Female'
                            WHEN 'I' THEN 'Indeterminate' ELSE 'Unknown' END AS [Gender],
    p.ETHNICITY_MAIN_CODE                                                  AS [Ethnicity],
    FORMAT(p.BIRTH_DTTM, 'dd/MM/yyyy')                                     AS [Date of birth],
    DATEDIFF(year, p.BIRTH_DTTM, @ReportEnd)
      - CASE WHEN DATEADD(year, DATEDIFF(year, p.BIRTH_DTTM, @ReportEnd), p.BIRTH_DTTM) > @ReportEnd
             THEN 1 ELSE 0 END                                             AS [Age of child (years)],
    CASE WHEN EXISTS (SELECT 1 FROM dbo.FACT_DISABILITY AS d
                      WHERE d.DIM_PERSON_ID = p.DIM_PERSON_ID AND d.DISABILITY_CODE <> 'NONE')
         THEN 'Yes' ELSE 'No' END                                          AS [Disability],
    FORMAT(c.CONTACT_DTTM, 'dd/MM/yyyy')                                   AS [Date of contact],
    src.DESCRIPTION                                                        AS [Contact source]
FROM dbo.FACT_CONTACTS AS c
JOIN dbo.DIM_PERSON AS p ON p.DIM_PERSON_ID = c.DIM_PERSON_ID
LEFT JOIN dbo.DIM_LOOKUP_CONTACT_SOURCE AS src ON src.CODE = c.CONTACT_SOURCE_CODE
WHERE c.CONTACT_DTTM >= @ReportStart
  AND c.CONTACT_DTTM <  DATEADD(day, 1, @ReportEnd)
ORDER BY c.CONTACT_DTTM;
