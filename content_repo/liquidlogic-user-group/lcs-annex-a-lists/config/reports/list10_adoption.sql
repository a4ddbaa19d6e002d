-- schema: ssd
/* =====================================================================================
   Ofsted Annex A list 10 - Adoption
   Reads the Standard Safeguarding Dataset tables (ssd_*), which the SSD extract for
   System C builds from the LCS reporting warehouse HDM.Child_Social. T-SQL.
   Period: children who in the 12 months before the inspection were adopted, had a decision that they should be placed for adoption, or had that decision reversed.
   Columns in template order (config/annex-a-lists.yaml). Ages at @ReportEnd.
   Parameters: @ReportEnd = the date the list is produced for (the inspection
   notification date); @ReportStart = the start of the list's look-back period.
   ===================================================================================== */
SET NOCOUNT ON;
DECLARE @ReportEnd   date = CAST(GETDATE() AS date);
DECLARE @ReportStart date = DATEADD(month, -12, @ReportEnd);

SELECT
    p.pers_person_id                                          AS [Child Unique ID],
    NULL                                                            AS [Family identifier],
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
    CONVERT(varchar(10), ep.entered_care, 103)                      AS [Date the Child Entered Care],
    CONVERT(varchar(10), pm.perm_adm_decision_date, 103)            AS [Date of Decision that Child Should be Placed for Adoption],
    CONVERT(varchar(10), pm.perm_placement_order_date, 103)         AS [Date of Placement Order],
    CONVERT(varchar(10), pm.perm_matched_date, 103)                 AS [Date of Matching Child and Prospective Adopters],
    CONVERT(varchar(10), pm.perm_placed_for_adoption_date, 103)     AS [Date Placed for Adoption],
    CONVERT(varchar(10), CASE WHEN pm.perm_permanence_order_type LIKE '%doption%'
                              THEN pm.perm_permanence_order_date END, 103) AS [Date of Adoption Order],
    CONVERT(varchar(10), pm.perm_decision_reversed_date, 103)       AS [Date of Decision that Child Should No Longer be Placed for Adoption],
    pm.perm_decision_reversed_reason                                AS [Reason Why Child No Longer Placed for Adoption],
    CONVERT(varchar(10), pm.perm_placed_ffa_cp_date, 103)           AS [Date the child was placed for fostering in FFA or concurrent planning placement]
FROM ssd_development.ssd_permanence AS pm
JOIN ssd_development.ssd_person AS p ON p.pers_person_id = pm.perm_person_id
OUTER APPLY (
    SELECT MIN(e.clae_entered_care_date) AS entered_care
    FROM ssd_development.ssd_cla_episodes AS e
    WHERE e.clae_cla_id = pm.perm_cla_id
) AS ep
WHERE pm.perm_adm_decision_date IS NOT NULL
  AND (pm.perm_adm_decision_date >= @ReportStart
       OR pm.perm_decision_reversed_date >= @ReportStart
       OR pm.perm_permanence_order_date >= @ReportStart
       OR (pm.perm_decision_reversed_date IS NULL AND pm.perm_permanence_order_date IS NULL))
ORDER BY pm.perm_adm_decision_date;
