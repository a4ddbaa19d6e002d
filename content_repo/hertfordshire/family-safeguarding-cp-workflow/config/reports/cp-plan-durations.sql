/* =====================================================================================
   Child protection plan durations - LCS reporting warehouse (T-SQL, SQL Server 2016+)
   -------------------------------------------------------------------------------------
   Plans that ended in the period, by duration band, plus plans open at period end that
   have lasted 18 months or more. Bands follow the Children in Need census:
   under 3 months, 3 to 6 months, 6 to 12 months, 1 to 2 years, 2 years or more.
   Parameters:
     @ReportStart  first day of the period (inclusive)
     @ReportEnd    last day of the period (inclusive)
     @TeamCode     optional allocated team code; NULL for the whole service
   Tables: map these to your warehouse if your schema names differ (see README).
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart date = '2024-04-01';
DECLARE @ReportEnd   date = '2025-03-31';
DECLARE @TeamCode    nvarchar(20) = NULL;

IF OBJECT_ID('tempdb..#plans') IS NOT NULL DROP TABLE #plans;

-- Plans open at any point in the period, with the team allocated at plan end (or period end)
SELECT
    cpp.FACT_CP_PLAN_ID,
    cpp.DIM_PERSON_ID,
    cpp.CP_PLAN_START_DTTM                     AS plan_start,
    cpp.CP_PLAN_END_DTTM                       AS plan_end,
    cpp.INIT_CATEGORY_DESC                     AS initial_category,
    cpp.CP_PLAN_END_REASON                     AS end_reason,
    alloc.TEAM_CODE                            AS team_code,
    alloc.TEAM_NAME                            AS team_name,
    DATEDIFF(day, cpp.CP_PLAN_START_DTTM,
             COALESCE(cpp.CP_PLAN_END_DTTM, @ReportEnd)) AS duration_days
INTO #plans
FROM dbo.FACT_CP_PLAN AS cpp
OUTER APPLY (
    SELECT TOP (1) a.TEAM_CODE, t.TEAM_NAME
    FROM dbo.FACT_ALLOCATION AS a
    JOIN dbo.DIM_TEAM AS t ON t.TEAM_CODE = a.TEAM_CODE
    WHERE a.DIM_PERSON_ID = cpp.DIM_PERSON_ID
      AND a.ALLOCATION_START_DTTM <= COALESCE(cpp.CP_PLAN_END_DTTM, @ReportEnd)
      AND (a.ALLOCATION_END_DTTM IS NULL
           OR a.ALLOCATION_END_DTTM >= COALESCE(cpp.CP_PLAN_END_DTTM, @ReportEnd))
    ORDER BY a.ALLOCATION_START_DTTM DESC
) AS alloc
WHERE cpp.CP_PLAN_START_DTTM <= @ReportEnd
  AND (cpp.CP_PLAN_END_DTTM IS NULL OR cpp.CP_PLAN_END_DTTM >= @ReportStart)
  AND (@TeamCode IS NULL OR alloc.TEAM_CODE = @TeamCode);

WITH banded AS (
    SELECT
        p.*,
        CASE
            WHEN p.plan_end IS NULL                               THEN 'Open'
            WHEN p.plan_end BETWEEN @ReportStart AND @ReportEnd   THEN 'Ended in period'
            ELSE 'Ended before period'
        END AS plan_status,
        CASE
            WHEN p.duration_days < 91  THEN '1. Under 3 months'
            WHEN p.duration_days < 183 THEN '2. 3 to 6 months'
            WHEN p.duration_days < 365 THEN '3. 6 to 12 months'
            WHEN p.duration_days < 730 THEN '4. 1 to 2 years'
            ELSE '5. 2 years or more'
        END AS duration_band
    FROM #plans AS p
)
-- 1. Summary of plans ended in the period, by band
SELECT
    duration_band,
    COUNT(*)                                                   AS plans_ended,
    CAST(100.0 * COUNT(*) / NULLIF(SUM(COUNT(*)) OVER (), 0) AS decimal(5, 1)) AS pct_of_ended,
    AVG(duration_days)                                         AS mean_days
FROM banded
WHERE plan_status = 'Ended in period'
GROUP BY duration_band
ORDER BY duration_band;

-- 2. Plans open at period end for 18 months or more (for IRO and service manager review)
SELECT
    b.FACT_CP_PLAN_ID,
    b.team_name,
    b.initial_category,
    b.plan_start,
    b.duration_days,
    rc.last_review_date,
    DATEADD(month, 6, rc.last_review_date) AS next_review_due
FROM #plans AS b
OUTER APPLY (
    SELECT MAX(c.MEETING_DTTM) AS last_review_date
    FROM dbo.FACT_CP_CONFERENCE AS c
    WHERE c.DIM_PERSON_ID = b.DIM_PERSON_ID
      AND c.CONFERENCE_TYPE = 'RCPC'
      AND c.MEETING_DTTM BETWEEN b.plan_start AND @ReportEnd
) AS rc
WHERE b.plan_end IS NULL
  AND b.duration_days >= 548
ORDER BY b.duration_days DESC;

-- 3. Second or subsequent plans started in the period (any earlier plan, ever)
SELECT
    COUNT(*) AS plans_started,
    SUM(CASE WHEN prev.prior_plans > 0 THEN 1 ELSE 0 END) AS subsequent_plans,
    CAST(100.0 * SUM(CASE WHEN prev.prior_plans > 0 THEN 1 ELSE 0 END)
         / NULLIF(COUNT(*), 0) AS decimal(5, 1)) AS pct_subsequent
FROM dbo.FACT_CP_PLAN AS cpp
CROSS APPLY (
    SELECT COUNT(*) AS prior_plans
    FROM dbo.FACT_CP_PLAN AS earlier
    WHERE earlier.DIM_PERSON_ID = cpp.DIM_PERSON_ID
      AND earlier.CP_PLAN_START_DTTM < cpp.CP_PLAN_START_DTTM
) AS prev
WHERE cpp.CP_PLAN_START_DTTM BETWEEN @ReportStart AND @ReportEnd;

DROP TABLE #plans;
