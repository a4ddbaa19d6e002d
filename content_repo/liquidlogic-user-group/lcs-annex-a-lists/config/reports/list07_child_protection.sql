-- schema: ssd
/* =====================================================================================
   Ofsted Annex A list 7 - Child protection
   Reads the Standard Safeguarding Dataset tables (ssd_*), which the SSD extract for
   System C builds from the LCS reporting warehouse HDM.Child_Social. T-SQL.
   Period: children subject of a child protection plan at the inspection, and those whose plan ended in the six months before it.
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
    CONVERT(varchar(10), cp.cppl_cp_plan_start_date, 103)           AS [Child Protection Plan Start Date],
    cp.cppl_cp_plan_initial_category                                AS [Initial Category of Abuse],
    cp.cppl_cp_plan_latest_category                                 AS [Latest Category of Abuse],
    CONVERT(varchar(10), vis.cppv_cp_visit_date, 103)               AS [Date of the Last Statutory Visit],
    CASE vis.cppv_cp_visit_seen_alone WHEN 'Y' THEN 'a) Yes' WHEN 'N' THEN 'b) No' ELSE 'c) Unknown' END
                                                                    AS [Was the Child Seen Alone?],
    CONVERT(varchar(10), rev.last_review, 103)                      AS [Date of latest review conference],
    CONVERT(varchar(10), cp.cppl_cp_plan_end_date, 103)             AS [Child Protection Plan End Date],
    CASE WHEN EXISTS (SELECT 1 FROM ssd_development.ssd_legal_status AS l
                       WHERE l.lega_person_id = p.pers_person_id
                         AND LEFT(l.lega_legal_status, 2) IN ('L1', 'L2')
                         AND (l.lega_legal_status_end_date IS NULL OR l.lega_legal_status_end_date >= @ReportStart))
         THEN 'a) Yes' ELSE 'b) No' END                            AS [Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)],
    (SELECT COUNT(*) FROM ssd_development.ssd_cp_plans AS earlier
      WHERE earlier.cppl_person_id = cp.cppl_person_id
        AND earlier.cppl_cp_plan_start_date < cp.cppl_cp_plan_start_date) AS [Number of Previous Child Protection Plans],
    al.dept_team_name                                               AS [Allocated Team],
    al.prof_professional_name                                       AS [Allocated Worker]
FROM ssd_development.ssd_cp_plans AS cp
JOIN ssd_development.ssd_person AS p ON p.pers_person_id = cp.cppl_person_id
OUTER APPLY (
    SELECT TOP (1) v.cppv_cp_visit_date, v.cppv_cp_visit_seen_alone
    FROM ssd_development.ssd_cp_visits AS v
    WHERE v.cppv_cp_plan_id = cp.cppl_cp_plan_id AND v.cppv_cp_visit_date <= @ReportEnd
    ORDER BY v.cppv_cp_visit_date DESC
) AS vis
OUTER APPLY (
    SELECT MAX(r.cppr_cp_review_date) AS last_review
    FROM ssd_development.ssd_cp_reviews AS r
    WHERE r.cppr_cp_plan_id = cp.cppl_cp_plan_id AND r.cppr_cp_review_date <= @ReportEnd
) AS rev
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
WHERE cp.cppl_cp_plan_start_date <= @ReportEnd
  AND (cp.cppl_cp_plan_end_date IS NULL OR cp.cppl_cp_plan_end_date >= @ReportStart)
ORDER BY cp.cppl_cp_plan_start_date;
