-- schema: ssd
/* =====================================================================================
   Ofsted Annex A list 3 - Referrals
   Reads the Standard Safeguarding Dataset tables (ssd_*), which the SSD extract for
   System C builds from the LCS reporting warehouse HDM.Child_Social. T-SQL.
   Period: referrals received in the six months before the inspection; a child with several referrals has one row per referral. No disability column in this list.
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
    CONVERT(varchar(10), r.cine_referral_date, 103)                 AS [Date of referral],
    r.cine_referral_source_desc                                     AS [Referral Source],
    CASE r.cine_referral_nfa WHEN 'Y' THEN 'a) Yes' WHEN 'N' THEN 'b) No' ELSE 'c) Unknown' END AS [Referral NFA?],
    (SELECT COUNT(*) FROM ssd_development.ssd_cin_episodes AS earlier
      WHERE earlier.cine_person_id = r.cine_person_id
        AND earlier.cine_referral_date <  r.cine_referral_date
        AND earlier.cine_referral_date >= DATEADD(month, -12, r.cine_referral_date)) AS [Number of Referrals in Last 12 Months],
    al.dept_team_name                                               AS [Allocated Team],
    al.prof_professional_name                                       AS [Allocated Worker]
FROM ssd_development.ssd_cin_episodes AS r
JOIN ssd_development.ssd_person AS p ON p.pers_person_id = r.cine_person_id
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
WHERE r.cine_referral_date >= @ReportStart
  AND r.cine_referral_date <  DATEADD(day, 1, @ReportEnd)
ORDER BY r.cine_referral_date;
