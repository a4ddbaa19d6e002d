-- schema: lcs-warehouse
/* =====================================================================================
   Family Help closures and returns - EHM episodes in the LCS/EHM reporting warehouse
   (T-SQL)
   -------------------------------------------------------------------------------------
   Family Help episodes (FACT_CAF_EPISODE, the EHM episode table in HDM.Child_Social)
   closed between @ReportStart and @ReportEnd, by closure reason (lookup
   EH_CLOSURE_REASON in this pack), and what happened in the 12 months after closure:
     - returned to Family Help: a new episode for the child
     - referred to children's social care: a referral (FACT_REFERRALS)
   Episodes closed less than 12 months before today are shown as "not yet known".
   A second query shows how long episodes lasted, for the Family Help review.
   Parameters: @ReportStart, @ReportEnd (inclusive).
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart date = '2025-04-01';
DECLARE @ReportEnd   date = '2026-03-31';
DECLARE @Today       date = CAST(GETDATE() AS date);

IF OBJECT_ID('tempdb..#closed') IS NOT NULL DROP TABLE #closed;

SELECT e.FACT_CAF_EPISODE_ID,
       e.DIM_PERSON_ID,
       CAST(e.EPISODE_START_DTTM AS date)    AS opened_on,
       CAST(e.EPISODE_END_DTTM AS date)      AS closed_on,
       e.DIM_LOOKUP_CAF_EP_ENDRSN_ID_CODE    AS closure_reason
INTO #closed
FROM HDM.Child_Social.FACT_CAF_EPISODE AS e
WHERE e.EPISODE_END_DTTM >= @ReportStart
  AND e.EPISODE_END_DTTM <  DATEADD(day, 1, @ReportEnd);

-- 1. What happened in the 12 months after closure
SELECT
    c.closure_reason,
    COUNT(*) AS episodes_closed,
    SUM(CASE WHEN DATEADD(month, 12, c.closed_on) > @Today THEN 1 ELSE 0 END) AS not_yet_known,
    SUM(CASE WHEN DATEADD(month, 12, c.closed_on) <= @Today AND back.new_episode = 1 THEN 1 ELSE 0 END) AS returned_to_family_help,
    SUM(CASE WHEN DATEADD(month, 12, c.closed_on) <= @Today AND back.new_referral = 1 THEN 1 ELSE 0 END) AS referred_to_social_care
FROM #closed AS c
CROSS APPLY (
    SELECT
        CASE WHEN EXISTS (SELECT 1 FROM HDM.Child_Social.FACT_CAF_EPISODE AS n
                           WHERE n.DIM_PERSON_ID = c.DIM_PERSON_ID
                             AND n.EPISODE_START_DTTM >  c.closed_on
                             AND n.EPISODE_START_DTTM <= DATEADD(month, 12, c.closed_on))
             THEN 1 ELSE 0 END AS new_episode,
        CASE WHEN EXISTS (SELECT 1 FROM HDM.Child_Social.FACT_REFERRALS AS r
                           WHERE r.DIM_PERSON_ID = c.DIM_PERSON_ID
                             AND r.REFRL_START_DTTM >  c.closed_on
                             AND r.REFRL_START_DTTM <= DATEADD(month, 12, c.closed_on))
             THEN 1 ELSE 0 END AS new_referral
) AS back
GROUP BY c.closure_reason
ORDER BY episodes_closed DESC;

-- 2. Length of the episodes closed in the period
SELECT
    CASE WHEN DATEDIFF(day, opened_on, closed_on) < 91  THEN '1. Under 3 months'
         WHEN DATEDIFF(day, opened_on, closed_on) < 183 THEN '2. 3 to 6 months'
         WHEN DATEDIFF(day, opened_on, closed_on) < 365 THEN '3. 6 to 12 months'
         ELSE '4. 12 months or more' END AS episode_length,
    COUNT(*) AS episodes_closed
FROM #closed
GROUP BY CASE WHEN DATEDIFF(day, opened_on, closed_on) < 91  THEN '1. Under 3 months'
              WHEN DATEDIFF(day, opened_on, closed_on) < 183 THEN '2. 3 to 6 months'
              WHEN DATEDIFF(day, opened_on, closed_on) < 365 THEN '3. 6 to 12 months'
              ELSE '4. 12 months or more' END
ORDER BY episode_length;

DROP TABLE #closed;
