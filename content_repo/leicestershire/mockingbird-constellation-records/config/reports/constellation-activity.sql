/* =====================================================================================
   Mockingbird constellation activity - CareWorks reporting database (T-SQL)
   -------------------------------------------------------------------------------------
   Per constellation, for the period:
     1. households and children in the constellation (at @ReportEnd)
     2. hub support by type, and sleepover nights by reason
     3. stability indicators: placement endings for constellation children that were
        unplanned, compared with children placed with carers outside constellations
   Tables: cw.GroupRecord, cw.GroupMember, cw.FormEntry_MB_HUB_SUPPORT,
           cw.Placement, cw.FormEntryChild. Adjust the schema name to your build.
   Parameters: @ReportStart, @ReportEnd.
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart date = '2024-04-01';
DECLARE @ReportEnd   date = '2025-03-31';

-- 1. Reach at @ReportEnd
SELECT g.GroupName                                          AS constellation,
       COUNT(DISTINCT m.HouseholdRef)                       AS households,
       COUNT(DISTINCT CASE WHEN m.RoleCode LIKE 'SAT%' THEN m.HouseholdRef END) AS satellite_households,
       COUNT(DISTINCT p.ChildRef)                           AS children_in_placement
FROM cw.GroupRecord AS g
JOIN cw.GroupMember AS m
  ON m.GroupRef = g.GroupRef
 AND m.JoinedOn <= @ReportEnd
 AND (m.LeftOn IS NULL OR m.LeftOn > @ReportEnd)
LEFT JOIN cw.Placement AS p
  ON p.CarerHouseholdRef = m.HouseholdRef
 AND p.StartDate <= @ReportEnd
 AND (p.EndDate IS NULL OR p.EndDate > @ReportEnd)
WHERE g.GroupType = 'CONSTELLATION'
GROUP BY g.GroupName
ORDER BY g.GroupName;

-- 2a. Hub support by type
SELECT g.GroupName AS constellation,
       s.SupportType,
       COUNT(*)                        AS entries,
       SUM(COALESCE(s.SleepoverNights, 0)) AS nights
FROM cw.FormEntry_MB_HUB_SUPPORT AS s
JOIN cw.GroupRecord AS g ON g.GroupRef = s.GroupRef
WHERE s.SupportDate BETWEEN @ReportStart AND @ReportEnd
GROUP BY g.GroupName, s.SupportType
ORDER BY g.GroupName, s.SupportType;

-- 2b. Sleepover and short break nights by reason
SELECT g.GroupName AS constellation,
       s.SleepoverReason,
       SUM(s.SleepoverNights)          AS nights,
       COUNT(DISTINCT c.ChildRef)      AS children
FROM cw.FormEntry_MB_HUB_SUPPORT AS s
JOIN cw.GroupRecord AS g ON g.GroupRef = s.GroupRef
LEFT JOIN cw.FormEntryChild AS c ON c.FormEntryRef = s.FormEntryRef
WHERE s.SupportDate BETWEEN @ReportStart AND @ReportEnd
  AND s.SupportType IN ('SLEEPOVER', 'SHORT_BREAK')
GROUP BY g.GroupName, s.SleepoverReason
ORDER BY g.GroupName, s.SleepoverReason;

-- 3. Unplanned placement endings: constellation carers vs other foster carers
SELECT CASE WHEN EXISTS (
                SELECT 1 FROM cw.GroupMember AS m
                JOIN cw.GroupRecord AS g ON g.GroupRef = m.GroupRef AND g.GroupType = 'CONSTELLATION'
                WHERE m.HouseholdRef = p.CarerHouseholdRef
                  AND m.JoinedOn <= p.EndDate
                  AND (m.LeftOn IS NULL OR m.LeftOn >= p.EndDate))
            THEN 'Constellation' ELSE 'Other foster carers' END        AS carer_group,
       COUNT(*)                                                          AS placements_ended,
       SUM(CASE WHEN p.EndReasonPlanned = 'N' THEN 1 ELSE 0 END)         AS unplanned_endings,
       CAST(100.0 * SUM(CASE WHEN p.EndReasonPlanned = 'N' THEN 1 ELSE 0 END)
            / NULLIF(COUNT(*), 0) AS decimal(5, 1))                      AS pct_unplanned
FROM cw.Placement AS p
WHERE p.PlacementType IN ('FOSTER_LA', 'FOSTER_KIN')
  AND p.EndDate BETWEEN @ReportStart AND @ReportEnd
GROUP BY CASE WHEN EXISTS (
                SELECT 1 FROM cw.GroupMember AS m
                JOIN cw.GroupRecord AS g ON g.GroupRef = m.GroupRef AND g.GroupType = 'CONSTELLATION'
                WHERE m.HouseholdRef = p.CarerHouseholdRef
                  AND m.JoinedOn <= p.EndDate
                  AND (m.LeftOn IS NULL OR m.LeftOn >= p.EndDate))
            THEN 'Constellation' ELSE 'Other foster carers' END;
