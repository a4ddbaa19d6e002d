-- schema: ssd
/* =====================================================================================
   Ofsted Annex A list 9 - Care leavers
   Reads the Standard Safeguarding Dataset tables (ssd_*), which the SSD extract for
   System C builds from the LCS reporting warehouse HDM.Child_Social. T-SQL.
   Period: young people entitled to leaving care services at the date of inspection (relevant, former relevant and qualifying care leavers, and eligible children); no look-back period.
   Columns in template order (config/annex-a-lists.yaml). Ages at @ReportEnd.
   Parameters: @ReportEnd = the date the list is produced for (the inspection
   notification date); @ReportStart = the start of the list's look-back period.
   ===================================================================================== */
SET NOCOUNT ON;
DECLARE @ReportEnd   date = CAST(GETDATE() AS date);

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
    CASE WHEN EXISTS (SELECT 1 FROM ssd_development.ssd_disability AS d
                      WHERE d.disa_person_id = p.pers_person_id
                        AND d.disa_disability_code NOT IN ('NONE', ''))
         THEN 'a) Yes' ELSE 'b) No' END                            AS [Does the Child have a Disability],
    cl.clea_care_leaver_allocated_team                              AS [Allocated Team],
    cl.clea_care_leaver_personal_advisor                            AS [Allocated Worker],
    cl.clea_care_leaver_eligibility                                 AS [Eligibility Category],
    cl.clea_care_leaver_in_touch                                    AS [LA in Touch],
    cl.clea_care_leaver_accommodation                               AS [Type of Accommodation],
    cl.clea_care_leaver_accom_suitable                              AS [Suitability of Accommodation],
    cl.clea_care_leaver_activity                                    AS [Activity Status]
FROM ssd_development.ssd_care_leavers AS cl
JOIN ssd_development.ssd_person AS p ON p.pers_person_id = cl.clea_person_id
WHERE cl.clea_care_leaver_eligibility IS NOT NULL
  AND cl.clea_care_leaver_eligibility <> 'No Current Eligibility'
ORDER BY p.pers_dob;
