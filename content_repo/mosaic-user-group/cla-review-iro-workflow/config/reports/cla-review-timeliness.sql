/* =====================================================================================
   CLA (LAC) review timeliness - Mosaic reporting database (T-SQL)
   -------------------------------------------------------------------------------------
   1. Reviews held in the period, in or out of timescale:
        review 1 within 20 working days of the start of the period of care,
        review 2 within 3 months of review 1,
        later reviews within 6 months of the previous review.
   2. Children looked after at @ReportEnd whose next review is overdue or due in 28 days.
   Working days use dbo.DM_CALENDAR (IS_WORKING_DAY). Parameters: @ReportStart, @ReportEnd.
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart date = '2024-04-01';
DECLARE @ReportEnd   date = '2025-03-31';

IF OBJECT_ID('tempdb..#reviews') IS NOT NULL DROP TABLE #reviews;

SELECT
    ws.WORKFLOW_STEP_ID,
    sp.PERSON_ID,
    poc.PERIOD_OF_CARE_ID,
    poc.START_DATE                                     AS poc_start,
    TRY_CAST(held.DATE_ANSWER AS date)                 AS held_date,
    ROW_NUMBER() OVER (PARTITION BY poc.PERIOD_OF_CARE_ID ORDER BY held.DATE_ANSWER) AS review_no
INTO #reviews
FROM dbo.DM_WORKFLOW_STEPS AS ws
JOIN dbo.DM_STEP_SUBJECTS AS sp ON sp.WORKFLOW_STEP_ID = ws.WORKFLOW_STEP_ID
JOIN dbo.DM_CACHED_FORM_ANSWERS AS held
  ON held.WORKFLOW_STEP_ID = ws.WORKFLOW_STEP_ID AND held.QUESTION_USER_CODE = 'CLAR_DATE_HELD'
JOIN dbo.DM_PERIODS_OF_CARE AS poc
  ON poc.PERSON_ID = sp.PERSON_ID
 AND held.DATE_ANSWER >= poc.START_DATE
 AND (poc.END_DATE IS NULL OR held.DATE_ANSWER <= poc.END_DATE)
WHERE ws.STEP_TYPE_CODE = 'CLA_REVIEW_MEETING'
  AND ws.STEP_STATUS = 'COMPLETED';

WITH with_due AS (
    SELECT
        r.*,
        prev.held_date AS previous_held,
        CASE
            WHEN r.review_no = 1 THEN (
                SELECT MAX(x.CALENDAR_DATE) FROM (
                    SELECT TOP (20) c.CALENDAR_DATE
                    FROM dbo.DM_CALENDAR AS c
                    WHERE c.CALENDAR_DATE > r.poc_start AND c.IS_WORKING_DAY = 1
                    ORDER BY c.CALENDAR_DATE) AS x)
            WHEN r.review_no = 2 THEN DATEADD(month, 3, prev.held_date)
            ELSE DATEADD(month, 6, prev.held_date)
        END AS due_date
    FROM #reviews AS r
    LEFT JOIN #reviews AS prev
      ON prev.PERIOD_OF_CARE_ID = r.PERIOD_OF_CARE_ID AND prev.review_no = r.review_no - 1
)
-- 1. Reviews held in the period
SELECT
    CASE WHEN review_no = 1 THEN '1st (20 working days)'
         WHEN review_no = 2 THEN '2nd (3 months)'
         ELSE 'Subsequent (6 months)' END                            AS review_type,
    COUNT(*)                                                         AS reviews_held,
    SUM(CASE WHEN held_date <= due_date THEN 1 ELSE 0 END)           AS in_timescale,
    CAST(100.0 * SUM(CASE WHEN held_date <= due_date THEN 1 ELSE 0 END) / NULLIF(COUNT(*), 0) AS decimal(5, 1)) AS pct_in_timescale
FROM with_due
WHERE held_date BETWEEN @ReportStart AND @ReportEnd
GROUP BY CASE WHEN review_no = 1 THEN '1st (20 working days)'
              WHEN review_no = 2 THEN '2nd (3 months)'
              ELSE 'Subsequent (6 months)' END
ORDER BY review_type;

-- 2. Next review overdue or due within 28 days, for children looked after at @ReportEnd
SELECT
    poc.PERSON_ID,
    iro.WORKER_NAME                                           AS iro,
    last_rev.held_date                                        AS last_review,
    COALESCE(last_rev.review_no, 0) + 1                       AS next_review_no,
    CASE
        WHEN last_rev.held_date IS NULL THEN NULL             -- first review: see working-day rule above
        WHEN last_rev.review_no = 1 THEN DATEADD(month, 3, last_rev.held_date)
        ELSE DATEADD(month, 6, last_rev.held_date)
    END                                                       AS next_due
FROM dbo.DM_PERIODS_OF_CARE AS poc
OUTER APPLY (
    SELECT TOP (1) r.held_date, r.review_no
    FROM #reviews AS r
    WHERE r.PERIOD_OF_CARE_ID = poc.PERIOD_OF_CARE_ID AND r.held_date <= @ReportEnd
    ORDER BY r.held_date DESC
) AS last_rev
LEFT JOIN dbo.DM_ALLOCATED_WORKERS AS aw
       ON aw.PERSON_ID = poc.PERSON_ID AND aw.WORKER_ROLE = 'IRO'
      AND aw.START_DATE <= @ReportEnd AND (aw.END_DATE IS NULL OR aw.END_DATE > @ReportEnd)
LEFT JOIN dbo.DM_WORKERS AS iro ON iro.WORKER_ID = aw.WORKER_ID
WHERE poc.START_DATE <= @ReportEnd
  AND (poc.END_DATE IS NULL OR poc.END_DATE > @ReportEnd)
  AND (
        last_rev.held_date IS NULL
     OR (last_rev.review_no = 1 AND DATEADD(month, 3, last_rev.held_date) <= DATEADD(day, 28, @ReportEnd))
     OR (last_rev.review_no > 1 AND DATEADD(month, 6, last_rev.held_date) <= DATEADD(day, 28, @ReportEnd))
  )
ORDER BY next_due;

DROP TABLE #reviews;
