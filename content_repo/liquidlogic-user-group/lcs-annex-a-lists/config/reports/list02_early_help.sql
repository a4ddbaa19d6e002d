-- schema: ssd
/* =====================================================================================
   Ofsted Annex A list 2 - Early help
   Reads the Standard Safeguarding Dataset tables (ssd_*), which the SSD extract for
   System C builds from the LCS reporting warehouse HDM.Child_Social. T-SQL.
   Period: early help assessments in the six months before the inspection, and early help coordinated by the council that is open at the inspection. No disability column in this list.
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
    CONVERT(varchar(10), e.earl_episode_start_date, 103)            AS [Assessment start date],
    CONVERT(varchar(10), e.earl_episode_end_date, 103)              AS [Assessment completion date],
    e.earl_episode_organisation                                     AS [Organisation completing assessment]
FROM ssd_development.ssd_early_help_episodes AS e
JOIN ssd_development.ssd_person AS p ON p.pers_person_id = e.earl_person_id
WHERE e.earl_episode_start_date <= @ReportEnd
  AND (e.earl_episode_end_date IS NULL OR e.earl_episode_end_date >= @ReportStart)
ORDER BY e.earl_episode_start_date;
