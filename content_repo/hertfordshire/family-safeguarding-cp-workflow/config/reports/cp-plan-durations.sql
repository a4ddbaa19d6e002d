-- schema: lcs-warehouse
/* =====================================================================================
   Child protection plan durations - LCS reporting warehouse (T-SQL, SQL Server 2016+)
   -------------------------------------------------------------------------------------
   Plans that ended in the period, by duration band, plus plans open at period end that
   have lasted 18 months or more. Bands follow the Children in Need census:
   under 3 months, 3 to 6 months, 6 to 12 months, 1 to 2 years, 2 years or more.
   Source: the reporting warehouse schema HDM.Child_Social (FACT_CP_PLAN, FACT_CP_REVIEW,
   FACT_INVOLVEMENTS, DIM_DEPARTMENT). The allocated team is the department of the
   allocated case worker involvement (involvement type CW, IS_ALLOCATED_CW_FLAG = 'Y').
   Parameters:
     @ReportStart  first day of the period (inclusive)
     @ReportEnd    last day of the period (inclusive)
     @TeamId       optional DIM_DEPARTMENT_ID; NULL for the whole service
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart date = '2025-04-01';
DECLARE @ReportEnd   date = '2026-03-31';
DECLARE @TeamId      int  = NULL;

IF OBJECT_ID('tempdb..#plans') IS NOT NULL DROP TABLE #plans;

-- Plans open at any point in the period, with the team allocated at plan end (or period end)
SELECT
    cpp.FACT_CP_PLAN_ID,
    cpp.DIM_PERSON_ID,
    CAST(cpp.START_DTTM AS date)               AS plan_start,
    CAST(cpp.END_DTTM AS date)                 AS plan_end,
    cpp.INIT_CATEGORY_DESC                     AS initial_category,
    cpp.CP_CATEGORY_DESC                       AS latest_category,
    alloc.DIM_DEPARTMENT_ID                    AS team_id,
    alloc.NAME                                 AS team_name,
    DATEDIFF(day, cpp.START_DTTM, COALESCE(cpp.END_DTTM, @ReportEnd)) AS duration_days
INTO #plans
FROM HDM.Child_Social.FACT_CP_PLAN AS cpp
OUTER APPLY (
    SELECT TOP (1) inv.DIM_DEPARTMENT_ID, dep.NAME
    FROM HDM.Child_Social.FACT_INVOLVEMENTS AS inv
    JOIN HDM.Child_Social.DIM_DEPARTMENT AS dep ON dep.DIM_DEPARTMENT_ID = inv.DIM_DEPARTMENT_ID
    WHERE inv.DIM_PERSON_ID = cpp.DIM_PERSON_ID
      AND inv.DIM_LOOKUP_INVOLVEMENT_TYPE_CODE = 'CW'
      AND inv.IS_ALLOCATED_CW_FLAG = 'Y'
      AND inv.START_DTTM <= COALESCE(cpp.END_DTTM, @ReportEnd)
      AND (inv.END_DTTM IS NULL OR inv.END_DTTM >= COALESCE(cpp.END_DTTM, @ReportEnd))
    ORDER BY inv.START_DTTM DESC
) AS alloc
WHERE cpp.START_DTTM <= @ReportEnd
  AND (cpp.END_DTTM IS NULL OR cpp.END_DTTM >= @ReportStart)
  AND (@TeamId IS NULL OR alloc.DIM_DEPARTMENT_ID = @TeamId);

-- 1. Plans ended in the period, by band
WITH banded AS (
    SELECT
        pl.FACT_CP_PLAN_ID,
        pl.duration_days,
        CASE
            WHEN pl.duration_days < 91  THEN '1. Under 3 months'
            WHEN pl.duration_days < 183 THEN '2. 3 to 6 months'
            WHEN pl.duration_days < 365 THEN '3. 6 to 12 months'
            WHEN pl.duration_days < 730 THEN '4. 1 to 2 years'
            ELSE '5. 2 years or more'
        END AS duration_band
    FROM #plans AS pl
    WHERE pl.plan_end BETWEEN @ReportStart AND @ReportEnd
)
SELECT
    duration_band,
    COUNT(*)                                                   AS plans_ended,
    CAST(100.0 * COUNT(*) / NULLIF(SUM(COUNT(*)) OVER (), 0) AS decimal(5, 1)) AS pct_of_ended,
    AVG(duration_days)                                         AS mean_days
FROM banded
GROUP BY duration_band
ORDER BY duration_band;

-- 2. Plans open at period end for 18 months or more (for IRO and service manager review)
SELECT
    pl.FACT_CP_PLAN_ID,
    pl.team_name,
    pl.initial_category,
    pl.latest_category,
    pl.plan_start,
    pl.duration_days,
    rv.last_review_date,
    DATEADD(month, 6, rv.last_review_date) AS next_review_due
FROM #plans AS pl
OUTER APPLY (
    SELECT MAX(CAST(r.MEETING_DTTM AS date)) AS last_review_date
    FROM HDM.Child_Social.FACT_CP_REVIEW AS r
    WHERE r.FACT_CP_PLAN_ID = pl.FACT_CP_PLAN_ID
      AND r.MEETING_DTTM <= @ReportEnd
) AS rv
WHERE pl.plan_end IS NULL
  AND pl.duration_days >= 548
ORDER BY pl.duration_days DESC;

-- 3. Second or subsequent plans started in the period (any earlier plan, ever)
SELECT
    COUNT(*) AS plans_started,
    SUM(CASE WHEN prev.prior_plans > 0 THEN 1 ELSE 0 END) AS subsequent_plans,
    CAST(100.0 * SUM(CASE WHEN prev.prior_plans > 0 THEN 1 ELSE 0 END)
         / NULLIF(COUNT(*), 0) AS decimal(5, 1)) AS pct_subsequent
FROM HDM.Child_Social.FACT_CP_PLAN AS cpp
CROSS APPLY (
    SELECT COUNT(*) AS prior_plans
    FROM HDM.Child_Social.FACT_CP_PLAN AS earlier
    WHERE earlier.DIM_PERSON_ID = cpp.DIM_PERSON_ID
      AND earlier.START_DTTM < cpp.START_DTTM
) AS prev
WHERE cpp.START_DTTM >= @ReportStart
  AND cpp.START_DTTM <  DATEADD(day, 1, @ReportEnd);

DROP TABLE #plans;
