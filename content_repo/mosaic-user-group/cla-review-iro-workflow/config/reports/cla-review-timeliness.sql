-- schema: mosaic-warehouse
/* =====================================================================================
   Looked-after child review timeliness - Mosaic data warehouse (T-SQL)
   -------------------------------------------------------------------------------------
   1. Reviews held in the period, in or out of timescale:
        review 1 within 20 working days of the start of the period of care,
        review 2 within 3 months of review 1,
        later reviews within 6 months of the previous review.
   2. Children looked after at @ReportEnd whose next review is overdue or due within 28 days,
      with their IRO (the professional relationship of type @IroRelType).
   Reviews are the completed steps with a review date (DM_WORKFLOW_STEPS.LAC_REVIEW_DATE);
   working days skip weekends and the bank holidays in @BankHolidays.
   Parameters: @ReportStart, @ReportEnd.
   ===================================================================================== */
SET NOCOUNT ON;
SET DATEFIRST 7;

DECLARE @ReportStart date = '2025-04-01';
DECLARE @ReportEnd   date = '2026-03-31';
DECLARE @IroRelType  varchar(20) = 'IRO';   -- your professional relationship type for the IRO

DECLARE @BankHolidays TABLE (holiday date PRIMARY KEY);
INSERT INTO @BankHolidays VALUES
    ('2025-04-18'), ('2025-04-21'), ('2025-05-05'), ('2025-05-26'), ('2025-08-25'),
    ('2025-12-25'), ('2025-12-26'), ('2026-01-01'), ('2026-04-03'), ('2026-04-06');

IF OBJECT_ID('tempdb..#reviews') IS NOT NULL DROP TABLE #reviews;

SELECT
    rev.WORKFLOW_STEP_ID,
    sub.SUBJECT_COMPOUND_ID                              AS PERSON_ID,
    poc.PERIOD_OF_CARE_ID,
    poc.START_DATE                                       AS poc_start,
    CAST(rev.LAC_REVIEW_DATE AS date)                    AS held_date,
    ROW_NUMBER() OVER (PARTITION BY poc.PERIOD_OF_CARE_ID ORDER BY rev.LAC_REVIEW_DATE) AS review_no
INTO #reviews
FROM dbo.DM_WORKFLOW_STEPS AS rev
JOIN dbo.DM_SUBGROUP_SUBJECTS AS sub
  ON sub.SUBGROUP_ID = rev.SUBGROUP_ID AND sub.SUBJECT_TYPE_CODE = 'PER'
JOIN dbo.DM_PERIODS_OF_CARE AS poc
  ON poc.PERSON_ID = sub.SUBJECT_COMPOUND_ID
 AND rev.LAC_REVIEW_DATE >= poc.START_DATE
 AND (poc.END_DATE IS NULL OR rev.LAC_REVIEW_DATE <= poc.END_DATE)
WHERE rev.LAC_REVIEW_DATE IS NOT NULL
  AND rev.STEP_STATUS = 'COMPLETED';

-- 1. Reviews held in the period
WITH working_days AS (  -- every working day from a year before the period to its end
    SELECT DATEADD(year, -1, @ReportStart) AS day_date
    UNION ALL
    SELECT DATEADD(day, 1, w.day_date) FROM working_days AS w WHERE w.day_date < @ReportEnd
),
open_days AS (
    SELECT w.day_date FROM working_days AS w
    WHERE DATEPART(weekday, w.day_date) NOT IN (1, 7)
      AND w.day_date NOT IN (SELECT holiday FROM @BankHolidays)
),
with_due AS (
    SELECT
        r.review_no,
        r.held_date,
        CASE
            WHEN r.review_no = 1 THEN (
                SELECT MAX(x.day_date) FROM (
                    SELECT TOP (20) o.day_date FROM open_days AS o
                    WHERE o.day_date > r.poc_start ORDER BY o.day_date) AS x)
            WHEN r.review_no = 2 THEN DATEADD(month, 3, prev.held_date)
            ELSE DATEADD(month, 6, prev.held_date)
        END AS due_date
    FROM #reviews AS r
    LEFT JOIN #reviews AS prev
      ON prev.PERIOD_OF_CARE_ID = r.PERIOD_OF_CARE_ID AND prev.review_no = r.review_no - 1
)
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
ORDER BY review_type
OPTION (MAXRECURSION 1000);

-- 2. Next review overdue or due within 28 days, for children looked after at @ReportEnd
SELECT
    poc.PERSON_ID,
    wkr.FULL_NAME                                             AS iro,
    last_rev.held_date                                        AS last_review,
    COALESCE(last_rev.review_no, 0) + 1                       AS next_review_no,
    CASE
        WHEN last_rev.held_date IS NULL THEN NULL             -- first review: 20 working days, see above
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
LEFT JOIN dbo.DM_PROF_RELATIONSHIPS AS rel
       ON rel.PERSON_ID = poc.PERSON_ID AND rel.PROF_REL_TYPE_CODE = @IroRelType
      AND rel.START_DATE <= @ReportEnd AND (rel.END_DATE IS NULL OR rel.END_DATE > @ReportEnd)
LEFT JOIN dbo.DM_WORKERS AS wkr ON wkr.WORKER_ID = rel.WORKER_ID
WHERE poc.START_DATE <= @ReportEnd
  AND (poc.END_DATE IS NULL OR poc.END_DATE > @ReportEnd)
  AND (
        last_rev.held_date IS NULL
     OR (last_rev.review_no = 1 AND DATEADD(month, 3, last_rev.held_date) <= DATEADD(day, 28, @ReportEnd))
     OR (last_rev.review_no > 1 AND DATEADD(month, 6, last_rev.held_date) <= DATEADD(day, 28, @ReportEnd))
  )
ORDER BY next_due;

DROP TABLE #reviews;
