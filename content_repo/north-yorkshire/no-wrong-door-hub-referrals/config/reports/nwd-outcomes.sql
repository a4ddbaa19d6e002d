-- schema: lcs-warehouse
/* =====================================================================================
   No Wrong Door outcomes - LCS reporting warehouse HDM.Child_Social (T-SQL)
   -------------------------------------------------------------------------------------
   Young people who started hub support in the period (the first No Wrong Door hub plan
   form, form type NWD_HUB_PLAN, with its "Hub service now" answer Q8600), and for each of
   them the 12 months before and the 12 months after the hub start:
     - missing episodes (FACT_MISSING_PERSON)
     - offences recorded in LCS (FACT_OFFENCE; replace if your youth justice system
       holds them)
     - whether a new period of care started after the hub start (FACT_CLA) and the days
       looked after in the 12 months after (FACT_CARE_EPISODES)
   Only young people with a full 12 months after the start are counted in the "after"
   columns. Education, training and employment is recorded on the hub plan form, not in
   a warehouse table: see docs/hub-model.md.
   Parameters: @ReportStart, @ReportEnd (inclusive) - the window of hub starts.
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart date = '2024-04-01';
DECLARE @ReportEnd   date = '2025-03-31';
DECLARE @Today       date = CAST(GETDATE() AS date);
DECLARE @PlanForm    nvarchar(48) = 'NWD_HUB_PLAN';  -- form type code of the hub plan

WITH starts AS (
    SELECT
        f.DIM_PERSON_ID,
        CAST(MIN(a.ANSWERED_DTTM) AS date)  AS hub_start,
        MIN(a.ANSWER)                      AS hub_service
    FROM HDM.Child_Social.FACT_FORMS AS f
    JOIN HDM.Child_Social.FACT_FORM_ANSWERS AS a ON a.FACT_FORM_ID = f.FACT_FORM_ID
    WHERE f.DIM_LOOKUP_FORM_TYPE_ID_CODE = @PlanForm
      AND a.ANSWER_NO = 'Q8600'
    GROUP BY f.DIM_PERSON_ID
),
hub AS (
    SELECT s.DIM_PERSON_ID,
           s.hub_start,
           s.hub_service,
           DATEADD(month, -12, s.hub_start) AS before_start,
           DATEADD(month,  12, s.hub_start) AS after_end
    FROM starts AS s
    WHERE s.hub_start >= @ReportStart
      AND s.hub_start <  DATEADD(day, 1, @ReportEnd)
),
missing AS (
    SELECT h.DIM_PERSON_ID,
           SUM(CASE WHEN m.START_DTTM >= h.before_start AND m.START_DTTM < h.hub_start THEN 1 ELSE 0 END) AS missing_before,
           SUM(CASE WHEN m.START_DTTM >= h.hub_start AND m.START_DTTM < h.after_end   THEN 1 ELSE 0 END) AS missing_after
    FROM hub AS h
    LEFT JOIN HDM.Child_Social.FACT_MISSING_PERSON AS m
      ON m.DIM_PERSON_ID = h.DIM_PERSON_ID
     AND m.START_DTTM >= h.before_start
     AND m.START_DTTM <  h.after_end
    GROUP BY h.DIM_PERSON_ID
),
offences AS (
    SELECT h.DIM_PERSON_ID,
           SUM(CASE WHEN o.OFFENCE_DTTM >= h.before_start AND o.OFFENCE_DTTM < h.hub_start THEN 1 ELSE 0 END) AS offences_before,
           SUM(CASE WHEN o.OFFENCE_DTTM >= h.hub_start AND o.OFFENCE_DTTM < h.after_end   THEN 1 ELSE 0 END) AS offences_after
    FROM hub AS h
    LEFT JOIN HDM.Child_Social.FACT_OFFENCE AS o
      ON o.DIM_PERSON_ID = h.DIM_PERSON_ID
     AND o.OFFENCE_DTTM >= h.before_start
     AND o.OFFENCE_DTTM <  h.after_end
    GROUP BY h.DIM_PERSON_ID
),
entered AS (
    SELECT h.DIM_PERSON_ID,
           MAX(CASE WHEN c.START_DTTM >= h.hub_start AND c.START_DTTM < h.after_end THEN 1 ELSE 0 END) AS entered_care_after
    FROM hub AS h
    LEFT JOIN HDM.Child_Social.FACT_CLA AS c ON c.DIM_PERSON_ID = h.DIM_PERSON_ID
    GROUP BY h.DIM_PERSON_ID
),
care_days AS (
    SELECT h.DIM_PERSON_ID,
           SUM(DATEDIFF(day,
                 CASE WHEN e.CARE_START_DATE > h.hub_start THEN e.CARE_START_DATE ELSE h.hub_start END,
                 CASE WHEN COALESCE(e.CARE_END_DATE, @Today) < h.after_end
                      THEN COALESCE(e.CARE_END_DATE, @Today) ELSE h.after_end END)) AS days_looked_after_after
    FROM hub AS h
    JOIN HDM.Child_Social.FACT_CARE_EPISODES AS e
      ON e.DIM_PERSON_ID = h.DIM_PERSON_ID
     AND e.CARE_START_DATE < h.after_end
     AND COALESCE(e.CARE_END_DATE, @Today) > h.hub_start
    GROUP BY h.DIM_PERSON_ID
)
SELECT
    h.hub_service,
    COUNT(*)                                                             AS young_people,
    SUM(CASE WHEN h.after_end <= @Today THEN 1 ELSE 0 END)               AS with_full_12_months_after,
    SUM(ms.missing_before)                                               AS missing_episodes_before,
    SUM(CASE WHEN h.after_end <= @Today THEN ms.missing_after END)       AS missing_episodes_after,
    SUM(o.offences_before)                                               AS offences_before,
    SUM(CASE WHEN h.after_end <= @Today THEN o.offences_after END)       AS offences_after,
    SUM(CASE WHEN h.after_end <= @Today THEN en.entered_care_after END)  AS entered_care_within_12_months,
    AVG(CASE WHEN h.after_end <= @Today THEN 1.0 * COALESCE(cd.days_looked_after_after, 0) END) AS mean_days_looked_after
FROM hub AS h
LEFT JOIN missing   AS ms ON ms.DIM_PERSON_ID = h.DIM_PERSON_ID
LEFT JOIN offences  AS o  ON o.DIM_PERSON_ID  = h.DIM_PERSON_ID
LEFT JOIN entered   AS en ON en.DIM_PERSON_ID = h.DIM_PERSON_ID
LEFT JOIN care_days AS cd ON cd.DIM_PERSON_ID = h.DIM_PERSON_ID
GROUP BY h.hub_service
ORDER BY h.hub_service;
