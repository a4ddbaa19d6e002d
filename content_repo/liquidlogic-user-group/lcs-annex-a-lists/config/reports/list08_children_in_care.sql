-- schema: ssd
/* =====================================================================================
   Ofsted Annex A list 8 - Children in care
   Reads the Standard Safeguarding Dataset tables (ssd_*), which the SSD extract for
   System C builds from the LCS reporting warehouse HDM.Child_Social. T-SQL.
   Period: children in care at the inspection, and those who ceased to be looked after in the six months before it; one row per child (the latest episode).
   Columns in template order (config/annex-a-lists.yaml). Ages at @ReportEnd.
   Parameters: @ReportEnd = the date the list is produced for (the inspection
   notification date); @ReportStart = the start of the list's look-back period.
   ===================================================================================== */
SET NOCOUNT ON;
DECLARE @ReportEnd   date = CAST(GETDATE() AS date);
DECLARE @ReportStart date = DATEADD(month, -6, @ReportEnd);

WITH latest AS (
    SELECT e.clae_cla_episode_id, e.clae_person_id, e.clae_cla_id, e.clae_cla_placement_id,
           e.clae_cla_primary_need_code, e.clae_cla_episode_ceased_date,
           e.clae_cla_episode_ceased_reason, e.clae_entered_care_date,
           e.clae_cla_last_iro_contact_date,
           ROW_NUMBER() OVER (PARTITION BY e.clae_person_id ORDER BY e.clae_cla_episode_start_date DESC) AS rn
    FROM ssd_development.ssd_cla_episodes AS e
    WHERE e.clae_cla_episode_start_date <= @ReportEnd
      AND (e.clae_cla_episode_ceased_date IS NULL OR e.clae_cla_episode_ceased_date >= @ReportStart)
)
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
    CASE WHEN EXISTS (SELECT 1 FROM ssd_development.ssd_immigration_status AS im
                       WHERE im.immi_person_id = p.pers_person_id
                         AND im.immi_immigration_status LIKE '%UASC%'
                         AND (im.immi_immigration_status_end_date IS NULL
                              OR im.immi_immigration_status_end_date >= DATEADD(month, -12, @ReportEnd)))
         THEN 'a) Yes' ELSE 'b) No' END                            AS [Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)],
    CASE WHEN EXISTS (SELECT 1 FROM ssd_development.ssd_disability AS d
                      WHERE d.disa_person_id = p.pers_person_id
                        AND d.disa_disability_code NOT IN ('NONE', ''))
         THEN 'a) Yes' ELSE 'b) No' END                            AS [Does the Child have a Disability],
    CONVERT(varchar(10), l.clae_entered_care_date, 103)             AS [Date Started to be Looked After],
    l.clae_cla_primary_need_code                                    AS [Child's Category of Need],
    CASE WHEN EXISTS (SELECT 1 FROM ssd_development.ssd_cla_episodes AS prev
                       WHERE prev.clae_person_id = l.clae_person_id
                         AND prev.clae_cla_id <> l.clae_cla_id
                         AND prev.clae_cla_episode_ceased_date >= DATEADD(month, -12, @ReportEnd))
         THEN 'a) Yes' ELSE 'b) No' END                            AS [Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)],
    CONVERT(varchar(10), ls.lega_legal_status_start_date, 103)      AS [Start date of current legal status],
    ls.lega_legal_status                                            AS [Child's Legal Status],
    CONVERT(varchar(10), rv.last_review, 103)                       AS [Date of Latest Statutory Review],
    CONVERT(varchar(10), vs.last_visit, 103)                        AS [Date of Last Social Work Visit],
    NULL                                                            AS [What is the permanence plan for this child?],
    CONVERT(varchar(10), l.clae_cla_last_iro_contact_date, 103)     AS [Date of Last IRO Visit / Contact to the Child],
    CONVERT(varchar(10), hc.last_health, 103)                       AS [Date of Last Health Assessment],
    CONVERT(varchar(10), hc.last_dental, 103)                       AS [Date of Last Dental Check],
    (SELECT COUNT(*) FROM ssd_development.ssd_cla_placement AS x
      WHERE x.clap_person_id = l.clae_person_id
        AND x.clap_cla_placement_start_date <= @ReportEnd
        AND (x.clap_cla_placement_end_date IS NULL
             OR x.clap_cla_placement_end_date > DATEADD(month, -12, @ReportEnd))) AS [Number of Placements in the Last 12 months],
    CONVERT(varchar(10), l.clae_cla_episode_ceased_date, 103)       AS [Date Ceased to be Looked After],
    l.clae_cla_episode_ceased_reason                                AS [Reason Ceased to be Looked After],
    CONVERT(varchar(10), pl.clap_cla_placement_start_date, 103)     AS [Start Date of Most Recent Placement],
    pl.clap_cla_placement_type                                      AS [Placement Type],
    pl.clap_cla_placement_provider                                  AS [Placement Provider],
    pl.clap_cla_placement_postcode                                  AS [Placement postcode],
    COALESCE(pl.clap_cla_placement_urn, 'XXXXXXX')                  AS [URN of Placement],
    NULL                                                            AS [Placement Location],
    NULL                                                            AS [LA of Placement],
    ms.missing_12m                                                  AS [Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months],
    ms.absent_12m                                                   AS [Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months],
    CASE lm.miss_missing_rhi_offered WHEN 'Y' THEN 'a) Yes' WHEN 'N' THEN 'b) No' END
                                                                    AS [Was the child offered a Return Interview after their last missing episode (Y/N)?],
    CASE lm.miss_missing_rhi_accepted WHEN 'Y' THEN 'a) Yes' WHEN 'N' THEN 'b) No' END
                                                                    AS [Did the child accept a Return Interview after their last missing episode (Y/N)?],
    al.dept_team_name                                               AS [Allocated Team],
    al.prof_professional_name                                       AS [Allocated Worker]
FROM latest AS l
JOIN ssd_development.ssd_person AS p ON p.pers_person_id = l.clae_person_id
LEFT JOIN ssd_development.ssd_cla_placement AS pl ON pl.clap_cla_placement_id = l.clae_cla_placement_id
OUTER APPLY (
    SELECT TOP (1) g.lega_legal_status, g.lega_legal_status_start_date
    FROM ssd_development.ssd_legal_status AS g
    WHERE g.lega_person_id = l.clae_person_id AND g.lega_legal_status_start_date <= @ReportEnd
    ORDER BY g.lega_legal_status_start_date DESC
) AS ls
OUTER APPLY (
    SELECT MAX(r.clar_cla_review_date) AS last_review
    FROM ssd_development.ssd_cla_reviews AS r
    WHERE r.clar_cla_id = l.clae_cla_id AND r.clar_cla_review_date <= @ReportEnd
) AS rv
OUTER APPLY (
    SELECT MAX(v.clav_cla_visit_date) AS last_visit
    FROM ssd_development.ssd_cla_visits AS v
    WHERE v.clav_person_id = l.clae_person_id AND v.clav_cla_visit_date <= @ReportEnd
) AS vs
OUTER APPLY (
    SELECT MAX(CASE WHEN h.clah_health_check_type LIKE '%dental%' THEN NULL ELSE h.clah_health_check_date END) AS last_health,
           MAX(CASE WHEN h.clah_health_check_type LIKE '%dental%' THEN h.clah_health_check_date END) AS last_dental
    FROM ssd_development.ssd_cla_health AS h
    WHERE h.clah_person_id = l.clae_person_id AND h.clah_health_check_date <= @ReportEnd
) AS hc
OUTER APPLY (
    SELECT SUM(CASE WHEN m.miss_missing_episode_type = 'M' THEN 1 ELSE 0 END) AS missing_12m,
           SUM(CASE WHEN m.miss_missing_episode_type = 'A' THEN 1 ELSE 0 END) AS absent_12m
    FROM ssd_development.ssd_missing AS m
    WHERE m.miss_person_id = l.clae_person_id
      AND m.miss_missing_episode_start_date >= DATEADD(month, -12, @ReportEnd)
      AND m.miss_missing_episode_start_date <= @ReportEnd
) AS ms
OUTER APPLY (
    SELECT TOP (1) m2.miss_missing_rhi_offered, m2.miss_missing_rhi_accepted
    FROM ssd_development.ssd_missing AS m2
    WHERE m2.miss_person_id = l.clae_person_id AND m2.miss_missing_episode_start_date <= @ReportEnd
    ORDER BY m2.miss_missing_episode_start_date DESC
) AS lm
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
WHERE l.rn = 1
ORDER BY l.clae_entered_care_date;
