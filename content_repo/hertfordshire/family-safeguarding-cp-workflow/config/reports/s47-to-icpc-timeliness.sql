-- schema: lcs-warehouse
/* =====================================================================================
   Section 47 to ICPC timeliness - LCS reporting warehouse (T-SQL)
   -------------------------------------------------------------------------------------
   For every initial child protection conference held in the period: the strategy
   discussion that started the section 47 enquiry (FACT_S47.START_DTTM, the date the
   Children in Need census and Annex A list 5 use) and whether the ICPC was held within
   15 working days of it (Working Together to Safeguard Children 2023).
   The conference date is the meeting's actual date: FACT_CP_CONFERENCE joins FACT_MEETINGS
   on FACT_MEETING_ID, meeting type 'CPConference'.
   Working days exclude weekends and the bank holidays listed in @BankHolidays: keep the
   list up to date for your reporting years (England and Wales bank holidays).
   Parameters: @ReportStart, @ReportEnd (inclusive).
   ===================================================================================== */
SET NOCOUNT ON;
SET DATEFIRST 7;  -- Sunday = 1, Saturday = 7

DECLARE @ReportStart date = '2025-04-01';
DECLARE @ReportEnd   date = '2026-03-31';

DECLARE @BankHolidays TABLE (holiday date PRIMARY KEY);
INSERT INTO @BankHolidays VALUES
    ('2025-04-18'), ('2025-04-21'), ('2025-05-05'), ('2025-05-26'), ('2025-08-25'),
    ('2025-12-25'), ('2025-12-26'), ('2026-01-01'), ('2026-04-03'), ('2026-04-06');

WITH icpc AS (
    SELECT c.FACT_CP_CONFERENCE_ID,
           c.DIM_PERSON_ID,
           c.FACT_S47_ID,
           CAST(m.ACTUAL_DTTM AS date) AS icpc_date,
           c.OUTCOME_CP_FLAG,
           c.TRANSFER_IN_FLAG
    FROM HDM.Child_Social.FACT_CP_CONFERENCE AS c
    JOIN HDM.Child_Social.FACT_MEETINGS AS m ON m.FACT_MEETING_ID = c.FACT_MEETING_ID
    WHERE m.DIM_LOOKUP_MTG_TYPE_ID_CODE = 'CPConference'
      AND m.ACTUAL_DTTM >= @ReportStart
      AND m.ACTUAL_DTTM <  DATEADD(day, 1, @ReportEnd)
),
linked AS (
    SELECT i.FACT_CP_CONFERENCE_ID,
           i.icpc_date,
           i.OUTCOME_CP_FLAG,
           i.TRANSFER_IN_FLAG,
           CAST(s.START_DTTM AS date) AS strategy_date
    FROM icpc AS i
    LEFT JOIN HDM.Child_Social.FACT_S47 AS s
      ON s.FACT_S47_ID = i.FACT_S47_ID
),
days AS (  -- one row per calendar day from three months before the period to its end
    SELECT DATEADD(month, -3, @ReportStart) AS day_date
    UNION ALL
    SELECT DATEADD(day, 1, d.day_date) FROM days AS d WHERE d.day_date < @ReportEnd
),
counted AS (
    SELECT l.FACT_CP_CONFERENCE_ID,
           l.icpc_date,
           l.OUTCOME_CP_FLAG,
           l.strategy_date,
           (SELECT COUNT(*)
              FROM days AS d
             WHERE d.day_date >  l.strategy_date
               AND d.day_date <= l.icpc_date
               AND DATEPART(weekday, d.day_date) NOT IN (1, 7)
               AND d.day_date NOT IN (SELECT holiday FROM @BankHolidays)) AS working_days
    FROM linked AS l
    WHERE l.TRANSFER_IN_FLAG IS NULL OR l.TRANSFER_IN_FLAG <> 'Y'
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
ORDER BY icpc_month
OPTION (MAXRECURSION 1000);
