-- schema: ssd
/* =====================================================================================
   Ofsted Annex A list 4 - Assessments
   Reads the Standard Safeguarding Dataset tables (ssd_*), which the SSD extract for
   System C builds from the LCS reporting warehouse HDM.Child_Social. T-SQL.
   Period: children and young people with an assessment in the six months before the inspection: open in the period or authorised in it.
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
    CONVERT(varchar(10), a.cina_assessment_start_date, 103)         AS [Continuous Assessment Start Date],
    CASE a.cina_assessment_child_seen WHEN 'Y' THEN 'a) Yes' WHEN 'N' THEN 'b) No' ELSE 'c) Unknown' END AS [Child Seen During Continuous Assessment],
    CONVERT(varchar(10), a.cina_assessment_auth_date, 103)          AS [Continuous Assessment Date of Authorisation],
    CASE WHEN a.cina_assessment_auth_date IS NULL THEN 'c) Unknown'
         WHEN a.cina_assessment_outcome_nfa = 'Y' THEN 'b) No' ELSE 'a) Yes' END
                                                                    AS [Was the child assessed as requiring LA children's social care support?],
    al.dept_team_name                                               AS [Allocated Team],
    al.prof_professional_name                                       AS [Allocated Worker]
FROM ssd_development.ssd_cin_assessments AS a
JOIN ssd_development.ssd_person AS p ON p.pers_person_id = a.cina_person_id
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
WHERE a.cina_assessment_start_date <= @ReportEnd
  AND (a.cina_assessment_auth_date IS NULL OR a.cina_assessment_auth_date >= @ReportStart)
ORDER BY a.cina_assessment_start_date;
