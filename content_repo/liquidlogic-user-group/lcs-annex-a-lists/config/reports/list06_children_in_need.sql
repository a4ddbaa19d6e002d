-- schema: ssd
/* =====================================================================================
   Ofsted Annex A list 6 - Children in need
   Reads the Standard Safeguarding Dataset tables (ssd_*), which the SSD extract for
   System C builds from the LCS reporting warehouse HDM.Child_Social. T-SQL.
   Period: children in receipt of services as a child in need at the inspection or in the six months before it; not care leavers, not children who only had a referral.
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
    CONVERT(varchar(10), e.cine_referral_date, 103)                 AS [CIN Start Date],
    e.cine_cin_primary_need_code                                    AS [Primary Need Code],
    CONVERT(varchar(10), seen.last_seen, 103)                       AS [Date Child Was Last Seen],
    CONVERT(varchar(10), e.cine_close_date, 103)                    AS [CIN Closure Date],
    e.cine_close_reason                                             AS [Reason for Closure],
    CASE WHEN EXISTS (SELECT 1 FROM ssd_development.ssd_cla_episodes AS k
                       WHERE k.clae_person_id = p.pers_person_id AND k.clae_cla_episode_ceased_date IS NULL)
              THEN 'a) Looked after child'
         WHEN EXISTS (SELECT 1 FROM ssd_development.ssd_cp_plans AS cp
                       WHERE cp.cppl_person_id = p.pers_person_id AND cp.cppl_cp_plan_end_date IS NULL)
              THEN 'b) Child Protection plan'
         WHEN EXISTS (SELECT 1 FROM ssd_development.ssd_cin_plans AS pl
                       WHERE pl.cinp_person_id = p.pers_person_id AND pl.cinp_cin_plan_end_date IS NULL)
              THEN 'c) Child in need plan'
         WHEN e.cine_close_date IS NULL THEN 'd) Open assessment'
         ELSE 'e) Closed episode' END                               AS [Case Status],
    al.dept_team_name                                               AS [Allocated Team],
    al.prof_professional_name                                       AS [Allocated Worker]
FROM ssd_development.ssd_cin_episodes AS e
JOIN ssd_development.ssd_person AS p ON p.pers_person_id = e.cine_person_id
OUTER APPLY (
    SELECT MAX(v.cinv_cin_visit_date) AS last_seen
    FROM ssd_development.ssd_cin_visits AS v
    WHERE v.cinv_person_id = p.pers_person_id
      AND v.cinv_cin_visit_seen = 'Y'
      AND v.cinv_cin_visit_date <= @ReportEnd
) AS seen
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
WHERE e.cine_referral_nfa <> 'Y'
  AND e.cine_referral_date <= @ReportEnd
  AND (e.cine_close_date IS NULL OR e.cine_close_date >= @ReportStart)
ORDER BY e.cine_referral_date;
