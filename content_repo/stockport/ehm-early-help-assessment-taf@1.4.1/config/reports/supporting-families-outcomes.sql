-- schema: lcs-warehouse
/* =====================================================================================
   Supporting Families outcomes - EHM episodes in the LCS/EHM reporting warehouse (T-SQL)
   -------------------------------------------------------------------------------------
   Early help episodes (FACT_CAF_EPISODE, the EHM episode table in HDM.Child_Social) that
   closed between @ReportStart and @ReportEnd with the closure reason OUTCOMES
   ("Outcomes achieved", lookup EH_CLOSURE_REASON in this pack), and whether that
   progress was sustained: no new early help episode and no children's social care
   referral (FACT_REFERRALS) for the child in the six months after closure.
   Episodes closed less than six months before today are shown as "not yet known".
   Supporting Families claims also need the evidence recorded per headline outcome on
   the closure form; this report gives the family-level view.
   Parameters: @ReportStart, @ReportEnd (inclusive).
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart date = '2024-04-01';
DECLARE @ReportEnd   date = '2025-03-31';
DECLARE @Today       date = CAST(GETDATE() AS date);

WITH closed AS (
    SELECT e.FACT_CAF_EPISODE_ID,
           e.DIM_PERSON_ID,
           CAST(e.EPISODE_END_DTTM AS date)      AS closed_on,
           e.DIM_LOOKUP_CAF_EP_ENDRSN_ID_CODE    AS closure_reason
    FROM HDM.Child_Social.FACT_CAF_EPISODE AS e
    WHERE e.EPISODE_END_DTTM >= @ReportStart
      AND e.EPISODE_END_DTTM <  DATEADD(day, 1, @ReportEnd)
),
followed AS (
    SELECT c.FACT_CAF_EPISODE_ID,
           c.closure_reason,
           CASE WHEN DATEADD(month, 6, c.closed_on) > @Today THEN 'not yet known'
                WHEN EXISTS (SELECT 1 FROM HDM.Child_Social.FACT_CAF_EPISODE AS n
                              WHERE n.DIM_PERSON_ID = c.DIM_PERSON_ID
                                AND n.EPISODE_START_DTTM >  c.closed_on
                                AND n.EPISODE_START_DTTM <= DATEADD(month, 6, c.closed_on))
                  OR EXISTS (SELECT 1 FROM HDM.Child_Social.FACT_REFERRALS AS r
                              WHERE r.DIM_PERSON_ID = c.DIM_PERSON_ID
                                AND r.REFRL_START_DTTM >  c.closed_on
                                AND r.REFRL_START_DTTM <= DATEADD(month, 6, c.closed_on))
                THEN 'returned' ELSE 'sustained' END AS six_months_on
    FROM closed AS c
)
SELECT
    closure_reason,
    COUNT(*)                                                        AS episodes_closed,
    SUM(CASE WHEN six_months_on = 'sustained' THEN 1 ELSE 0 END)    AS sustained_six_months,
    SUM(CASE WHEN six_months_on = 'returned' THEN 1 ELSE 0 END)     AS returned_within_six_months,
    SUM(CASE WHEN six_months_on = 'not yet known' THEN 1 ELSE 0 END) AS not_yet_known
FROM followed
GROUP BY closure_reason
ORDER BY CASE closure_reason WHEN 'OUTCOMES' THEN 0 ELSE 1 END, closure_reason;
