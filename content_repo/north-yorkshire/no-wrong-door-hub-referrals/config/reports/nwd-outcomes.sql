/* =====================================================================================
   No Wrong Door outcomes - LCS reporting warehouse (T-SQL)
   -------------------------------------------------------------------------------------
   Young people whose hub referral was accepted in the period, and for each of them the
   12 months before and the 12 months after the hub decision:
     - missing episodes
     - police-recorded offences (from FACT_OFFENCE; replace if your YJ system holds them)
     - days looked after, and whether a new care episode started after the decision
     - education, employment or training status at the end of each window
   Only young people with a full 12 months after the decision are included in the
   "after" columns; others show NULL.
   Parameters: @ReportStart, @ReportEnd (inclusive) - the window of hub decisions.
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart date = '2023-04-01';
DECLARE @ReportEnd   date = '2024-03-31';
DECLARE @Today       date = CAST(GETDATE() AS date);

WITH hub AS (
    SELECT
        ws.DIM_PERSON_ID,
        CAST(ws.COMPLETED_DTTM AS date)                     AS decision_date,
        ws.OUTCOME_CODE                                     AS hub_service,
        DATEADD(month, -12, CAST(ws.COMPLETED_DTTM AS date)) AS before_start,
        DATEADD(month,  12, CAST(ws.COMPLETED_DTTM AS date)) AS after_end,
        ROW_NUMBER() OVER (PARTITION BY ws.DIM_PERSON_ID ORDER BY ws.COMPLETED_DTTM) AS rn
    FROM dbo.FACT_WORKFLOW_STEP AS ws
    WHERE ws.STEP_CODE = 'NWD_DECISION'
      AND ws.OUTCOME_CODE IN ('ACCEPT_OUTREACH', 'ACCEPT_BED', 'ACCEPT_EMERGENCY')
      AND ws.COMPLETED_DTTM >= @ReportStart
      AND ws.COMPLETED_DTTM <  DATEADD(day, 1, @ReportEnd)
),
first_hub AS (
    SELECT * FROM hub WHERE rn = 1            -- first accepted referral in the period
),
missing AS (
    SELECT h.DIM_PERSON_ID,
           SUM(CASE WHEN m.MISSING_START_DTTM >= h.before_start AND m.MISSING_START_DTTM < h.decision_date THEN 1 ELSE 0 END) AS missing_before,
           SUM(CASE WHEN m.MISSING_START_DTTM >= h.decision_date AND m.MISSING_START_DTTM < h.after_end   THEN 1 ELSE 0 END) AS missing_after
    FROM first_hub AS h
    LEFT JOIN dbo.FACT_MISSING_EPISODE AS m
      ON m.DIM_PERSON_ID = h.DIM_PERSON_ID
     AND m.MISSING_START_DTTM >= h.before_start
     AND m.MISSING_START_DTTM <  h.after_end
    GROUP BY h.DIM_PERSON_ID
),
offences AS (
    SELECT h.DIM_PERSON_ID,
           SUM(CASE WHEN o.OFFENCE_DTTM >= h.before_start AND o.OFFENCE_DTTM < h.decision_date THEN 1 ELSE 0 END) AS offences_before,
           SUM(CASE WHEN o.OFFENCE_DTTM >= h.decision_date AND o.OFFENCE_DTTM < h.after_end   THEN 1 ELSE 0 END) AS offences_after
    FROM first_hub AS h
    LEFT JOIN dbo.FACT_OFFENCE AS o
      ON o.DIM_PERSON_ID = h.DIM_PERSON_ID
     AND o.OFFENCE_DTTM >= h.before_start
     AND o.OFFENCE_DTTM <  h.after_end
    GROUP BY h.DIM_PERSON_ID
),
care AS (
    SELECT h.DIM_PERSON_ID,
           MAX(CASE WHEN e.EPISODE_START_DTTM >= h.decision_date AND e.EPISODE_START_DTTM < h.after_end
                     AND e.IS_NEW_PERIOD_OF_CARE = 1 THEN 1 ELSE 0 END) AS entered_care_after,
           SUM(DATEDIFF(day,
                 CASE WHEN e.EPISODE_START_DTTM > h.decision_date THEN e.EPISODE_START_DTTM ELSE h.decision_date END,
                 CASE WHEN COALESCE(e.EPISODE_END_DTTM, @Today) < h.after_end THEN COALESCE(e.EPISODE_END_DTTM, @Today) ELSE h.after_end END)
           ) AS days_looked_after_after
    FROM first_hub AS h
    LEFT JOIN dbo.FACT_CLA_EPISODE AS e
      ON e.DIM_PERSON_ID = h.DIM_PERSON_ID
     AND e.EPISODE_START_DTTM < h.after_end
     AND COALESCE(e.EPISODE_END_DTTM, @Today) > h.decision_date
    GROUP BY h.DIM_PERSON_ID
),
eet AS (
    SELECT h.DIM_PERSON_ID,
           (SELECT TOP (1) s.EET_STATUS_CODE FROM dbo.FACT_EDUCATION_STATUS AS s
             WHERE s.DIM_PERSON_ID = h.DIM_PERSON_ID AND s.STATUS_DTTM <= h.decision_date
             ORDER BY s.STATUS_DTTM DESC) AS eet_at_referral,
           (SELECT TOP (1) s.EET_STATUS_CODE FROM dbo.FACT_EDUCATION_STATUS AS s
             WHERE s.DIM_PERSON_ID = h.DIM_PERSON_ID AND s.STATUS_DTTM <= h.after_end
             ORDER BY s.STATUS_DTTM DESC) AS eet_after_12m
    FROM first_hub AS h
)
SELECT
    h.hub_service,
    COUNT(*)                                                        AS young_people,
    SUM(CASE WHEN h.after_end <= @Today THEN 1 ELSE 0 END)          AS with_full_12_months_after,
    SUM(ms.missing_before)                                          AS missing_episodes_before,
    SUM(CASE WHEN h.after_end <= @Today THEN ms.missing_after END)  AS missing_episodes_after,
    SUM(o.offences_before)                                          AS offences_before,
    SUM(CASE WHEN h.after_end <= @Today THEN o.offences_after END)  AS offences_after,
    SUM(CASE WHEN h.after_end <= @Today THEN c.entered_care_after END) AS entered_care_within_12_months,
    AVG(CASE WHEN h.after_end <= @Today THEN 1.0 * c.days_looked_after_after END) AS mean_days_looked_after,
    SUM(CASE WHEN e.eet_at_referral IN ('EDU', 'TRN', 'EMP') THEN 1 ELSE 0 END) AS in_eet_at_referral,
    SUM(CASE WHEN h.after_end <= @Today AND e.eet_after_12m IN ('EDU', 'TRN', 'EMP') THEN 1 ELSE 0 END) AS in_eet_after_12_months
FROM first_hub AS h
LEFT JOIN missing  AS ms ON ms.DIM_PERSON_ID = h.DIM_PERSON_ID
LEFT JOIN offences AS o  ON o.DIM_PERSON_ID  = h.DIM_PERSON_ID
LEFT JOIN care     AS c  ON c.DIM_PERSON_ID  = h.DIM_PERSON_ID
LEFT JOIN eet      AS e  ON e.DIM_PERSON_ID  = h.DIM_PERSON_ID
GROUP BY h.hub_service
ORDER BY h.hub_service;
