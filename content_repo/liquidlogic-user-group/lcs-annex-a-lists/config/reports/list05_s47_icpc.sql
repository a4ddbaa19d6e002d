-- schema: ssd
/* =====================================================================================
   Ofsted Annex A list 5 - Section 47 enquiries and initial child protection conferences
   Reads the Standard Safeguarding Dataset tables (ssd_*), which the SSD extract for
   System C builds from the LCS reporting warehouse HDM.Child_Social. T-SQL.
   Period: section 47 enquiries in the six months before the inspection, including open enquiries; one row per enquiry.
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
    CASE WHEN EXISTS (SELECT 1 FROM ssd_development.ssd_disability AS d
                      WHERE d.disa_person_id = p.pers_person_id
                        AND d.disa_disability_code NOT IN ('NONE', ''))
         THEN 'a) Yes' ELSE 'b) No' END                            AS [Does the Child have a Disability],
    CONVERT(varchar(10), s.s47e_s47_start_date, 103)                AS [Strategy discussion initiating Section 47 Enquiry Start Date],
    CASE WHEN s.s47e_s47_end_date IS NULL AND c.icpc_icpc_id IS NULL THEN 'c) Unknown'
         WHEN c.icpc_icpc_id IS NULL THEN 'a) Yes' ELSE 'b) No' END
                                                                    AS [Was an Initial Child Protection Conference deemed unnecessary?],
    CONVERT(varchar(10), c.icpc_icpc_date, 103)                     AS [Date of Initial Child Protection Conference],
    CASE WHEN c.icpc_icpc_id IS NULL THEN NULL
         WHEN c.icpc_icpc_outcome_cp_flag = 'Y' THEN 'a) Yes'
         WHEN c.icpc_icpc_outcome_cp_flag = 'N' THEN 'b) No' ELSE 'c) Unknown' END
                                                                    AS [Did the Initial Child Protection Conference Result in a Child Protection Plan],
    (SELECT COUNT(*) FROM ssd_development.ssd_s47_enquiry AS e
      WHERE e.s47e_person_id = s.s47e_person_id
        AND e.s47e_s47_start_date <  s.s47e_s47_start_date
        AND e.s47e_s47_start_date >= DATEADD(month, -12, s.s47e_s47_start_date)) AS [Number of Section 47 Enquiries in the last 12 months],
    (SELECT COUNT(*) FROM ssd_development.ssd_initial_cp_conference AS i
      WHERE i.icpc_person_id = s.s47e_person_id
        AND i.icpc_icpc_date <  s.s47e_s47_start_date
        AND i.icpc_icpc_date >= DATEADD(month, -12, s.s47e_s47_start_date)) AS [Number of ICPCs in the last 12 months],
    al.dept_team_name                                               AS [Allocated Team],
    al.prof_professional_name                                       AS [Allocated Worker]
FROM ssd_development.ssd_s47_enquiry AS s
JOIN ssd_development.ssd_person AS p ON p.pers_person_id = s.s47e_person_id
LEFT JOIN ssd_development.ssd_initial_cp_conference AS c ON c.icpc_s47_enquiry_id = s.s47e_s47_enquiry_id
OUTER APPLY (
    SELECT TOP (1) dep.dept_team_name, pro.prof_professional_name
    FROM ssd_development.ssd_involvements AS inv
    LEFT JOIN ssd_development.ssd_department AS dep ON dep.dept_team_id = inv.invo_professional_team
    LEFT JOIN ssd_development.ssd_professionals AS pro ON pro.prof_professional_id = inv.invo_professional_id
    WHERE inv.invo_person_id = p.pers_person_id
      AND inv.invo_professional_role_id = 'CW'
      AND inv.invo_involvement_start_date <= @ReportEnd
      AND (inv.invo_involvement_end_date IS NULL OR inv.invo_involvement_end_date >= @ReportEnd)
    ORDER BY inv.invo_involvement_start_date DESC
) AS al
WHERE s.s47e_s47_start_date <= @ReportEnd
  AND (s.s47e_s47_end_date IS NULL OR s.s47e_s47_end_date >= @ReportStart)
ORDER BY s.s47e_s47_start_date;
