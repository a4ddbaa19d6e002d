/* =====================================================================================
   Section 47 to ICPC timeliness - LCS reporting warehouse (T-SQL)
   -------------------------------------------------------------------------------------
   For every initial child protection conference held in the period: the strategy
   discussion that started the section 47 enquiry, and whether the ICPC was held within
   15 working days of it (Working Together 2023). Working days exclude weekends and the
   bank holidays listed in dbo.DIM_CALENDAR (IS_BANK_HOLIDAY = 1).
   Parameters: @ReportStart, @ReportEnd (inclusive).
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart date = '2024-04-01';
DECLARE @ReportEnd   date = '2025-03-31';

WITH icpc AS (
    SELECT c.FACT_CP_CONFERENCE_ID,
           c.DIM_PERSON_ID,
           c.FACT_S47_ID,
           CAST(c.MEETING_DTTM AS date) AS icpc_date,
           c.OUTCOME_CP_FLAG
    FROM dbo.FACT_CP_CONFERENCE AS c
    WHERE c.CONFERENCE_TYPE = 'ICPC'
      AND c.MEETING_DTTM >= @ReportStart
      AND c.MEETING_DTTM <  DATEADD(day, 1, @ReportEnd)
),
linked AS (
    SELECT i.*,
           CAST(sd.STRATEGY_DISCUSSION_DTTM AS date) AS strategy_date,
           s.S47_START_DTTM,
           s.S47_END_DTTM
    FROM icpc AS i
    JOIN dbo.FACT_S47 AS s
      ON s.FACT_S47_ID = i.FACT_S47_ID
    LEFT JOIN dbo.FACT_STRATEGY_DISCUSSION AS sd
      ON sd.FACT_STRATEGY_DISCUSSION_ID = s.FACT_STRATEGY_DISCUSSION_ID
),
counted AS (
    SELECT l.*,
           (SELECT COUNT(*)
              FROM dbo.DIM_CALENDAR AS cal
             WHERE cal.CALENDAR_DATE >  l.strategy_date
               AND cal.CALENDAR_DATE <= l.icpc_date
               AND cal.IS_WEEKEND = 0
               AND cal.IS_BANK_HOLIDAY = 0) AS working_days
    FROM linked AS l
)
SELECT
    FORMAT(icpc_date, 'yyyy-MM')                                  AS icpc_month,
    COUNT(*)                                                      AS icpcs_held,
    SUM(CASE WHEN working_days <= 15 THEN 1 ELSE 0 END)           AS within_15_days,
    CAST(100.0 * SUM(CASE WHEN working_days <= 15 THEN 1 ELSE 0 END)
         / NULLIF(COUNT(*), 0) AS decimal(5, 1))                  AS pct_within_15_days,
    SUM(CASE WHEN strategy_date IS NULL THEN 1 ELSE 0 END)        AS missing_strategy_date,
    SUM(CASE WHEN OUTCOME_CP_FLAG = 'Y' THEN 1 ELSE 0 END)        AS resulted_in_plan
FROM counted
GROUP BY FORMAT(icpc_date, 'yyyy-MM')
ORDER BY icpc_month;
