-- schema: ssd
/* =====================================================================================
   Ofsted Annex A list 1 - Contacts
   Reads the Standard Safeguarding Dataset tables (ssd_*), which the SSD extract for
   System C builds from the LCS reporting warehouse HDM.Child_Social. T-SQL.
   Period: contacts received in the six months before the date of inspection; a contact about several children gives one row per child. No disability column in this list.
   Columns in template order (config/annex-a-lists.yaml). Ages at @ReportEnd.
   Parameters: @ReportEnd = the date the list is produced for (the inspection
   notification date); @ReportStart = the start of the list's look-back period.
   ===================================================================================== */
SET NOCOUNT ON;
DECLARE @ReportEnd   date = CAST(GETDATE() AS date);
DECLARE @ReportStart date = DATEADD(month, -6, @ReportEnd);

SELECT
    p.pers_person_id                                          AS [Child Unique ID],
    CASE p.pers_gender WHEN 'M' THEN 'a) Male' WHEN 'F' THEN 'b) Female'
         WHEN 'U' THEN 'c) Not stated/recorded' WHEN 'I' THEN 'd) Neither'
         ELSE 'c) Not stated/recorded' END                          AS [Gender],
    p.pers_ethnicity                                          AS [Ethnicity],
    CONVERT(varchar(10), p.pers_dob, 103)                     AS [Date of Birth],
    DATEDIFF(year, p.pers_dob, @ReportEnd)
      - CASE WHEN DATEADD(year, DATEDIFF(year, p.pers_dob, @ReportEnd), p.pers_dob) > @ReportEnd
             THEN 1 ELSE 0 END                                      AS [Age of Child (Years)],
    CONVERT(varchar(10), c.cont_contact_date, 103)                  AS [Date of Contact],
    c.cont_contact_source_desc                                      AS [Contact Source]
FROM ssd_development.ssd_contacts AS c
JOIN ssd_development.ssd_person AS p ON p.pers_person_id = c.cont_person_id
WHERE c.cont_contact_date >= @ReportStart
  AND c.cont_contact_date <  DATEADD(day, 1, @ReportEnd)
ORDER BY c.cont_contact_date;
