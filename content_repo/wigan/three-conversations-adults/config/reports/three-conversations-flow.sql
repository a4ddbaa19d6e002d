/* =====================================================================================
   Three Conversations flow - SystmOne strategic reporting extract (SRE), T-SQL
   -------------------------------------------------------------------------------------
   Builds conversation "episodes" from the outcome codes recorded by the templates:
   an episode starts with the first record entry of a conversation and ends at its
   outcome code. Reports, for episodes ending in the period:
     1. flow: how conversation 1 ended (own networks, practical help, to C2, to C3)
     2. median and 90th percentile days in conversation 2
     3. conversation 3 outcomes, and the share with no paid support
     4. people waiting for a first conversation at @ReportEnd (target: none)
   SRE tables used: SRCode (coded entries), SREvent (record entries), SRTask (tasks).
   Column names follow recent SRE releases; older extracts name CTV3Code as CTV3Code or
   Code - adjust the two references below.
   Parameters: @ReportStart, @ReportEnd (inclusive), @Unit (organisation code of the unit).
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart date = '2024-04-01';
DECLARE @ReportEnd   date = '2025-03-31';
DECLARE @Unit        varchar(12) = NULL;     -- NULL = every unit in the extract

IF OBJECT_ID('tempdb..#outcomes') IS NOT NULL DROP TABLE #outcomes;

-- Every conversation outcome code recorded, with the conversation it closes
SELECT
    c.IDPatient,
    c.IDEvent,
    CAST(c.DateEvent AS date)                           AS outcome_date,
    c.CTV3Code                                          AS outcome_code,
    CASE LEFT(c.CTV3Code, 4)
        WHEN 'Y3C2' THEN 1
        WHEN 'Y3C3' THEN 2
        WHEN 'Y3C4' THEN 3
    END                                                 AS conversation
INTO #outcomes
FROM dbo.SRCode AS c
WHERE c.CTV3Code IN ('Y3C20','Y3C21','Y3C22','Y3C23',
                     'Y3C30','Y3C31','Y3C32',
                     'Y3C40','Y3C41','Y3C42','Y3C43')
  AND (@Unit IS NULL OR c.IDOrganisation = @Unit);

-- Episode start: the first record entry of that conversation type after the previous outcome
IF OBJECT_ID('tempdb..#episodes') IS NOT NULL DROP TABLE #episodes;

SELECT
    o.IDPatient,
    o.conversation,
    o.outcome_code,
    o.outcome_date,
    (SELECT MIN(CAST(e.DateEvent AS date))
       FROM dbo.SREvent AS e
      WHERE e.IDPatient = o.IDPatient
        AND e.RecordEntryType = CASE o.conversation WHEN 1 THEN '3C-C1' WHEN 2 THEN '3C-C2' ELSE '3C-C3' END
        AND e.DateEvent <= o.outcome_date
        AND e.DateEvent > COALESCE((SELECT MAX(p.outcome_date) FROM #outcomes AS p
                                     WHERE p.IDPatient = o.IDPatient AND p.conversation = o.conversation
                                       AND p.outcome_date < o.outcome_date), '19000101')
    ) AS start_date
INTO #episodes
FROM #outcomes AS o
WHERE o.outcome_date BETWEEN @ReportStart AND @ReportEnd;

-- 1. How conversation 1 ended
SELECT
    outcome_code,
    CASE outcome_code
        WHEN 'Y3C20' THEN 'Connected to own network or community'
        WHEN 'Y3C21' THEN 'Short-term practical help'
        WHEN 'Y3C22' THEN 'Moved to conversation 2'
        WHEN 'Y3C23' THEN 'Moved to conversation 3'
    END                                                                  AS outcome,
    COUNT(*)                                                             AS episodes,
    CAST(100.0 * COUNT(*) / NULLIF(SUM(COUNT(*)) OVER (), 0) AS decimal(5, 1)) AS pct
FROM #episodes
WHERE conversation = 1
GROUP BY outcome_code
ORDER BY outcome_code;

-- 2. Days in conversation 2
SELECT DISTINCT
    COUNT(*) OVER ()                                                              AS episodes,
    PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY DATEDIFF(day, start_date, outcome_date)) OVER () AS median_days,
    PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY DATEDIFF(day, start_date, outcome_date)) OVER () AS p90_days
FROM #episodes
WHERE conversation = 2 AND start_date IS NOT NULL;

-- 3. Conversation 3 outcomes
SELECT
    SUM(CASE WHEN outcome_code = 'Y3C40' THEN 1 ELSE 0 END) AS direct_payment,
    SUM(CASE WHEN outcome_code = 'Y3C41' THEN 1 ELSE 0 END) AS commissioned_service,
    SUM(CASE WHEN outcome_code = 'Y3C42' THEN 1 ELSE 0 END) AS no_paid_support,
    SUM(CASE WHEN outcome_code = 'Y3C43' THEN 1 ELSE 0 END) AS not_eligible,
    CAST(100.0 * SUM(CASE WHEN outcome_code IN ('Y3C42', 'Y3C43') THEN 1 ELSE 0 END)
         / NULLIF(COUNT(*), 0) AS decimal(5, 1))            AS pct_without_paid_support
FROM #episodes
WHERE conversation = 3;

-- 4. Waiting for a first conversation at @ReportEnd
SELECT
    COUNT(*)                                                       AS people_waiting,
    MAX(DATEDIFF(day, CAST(t.DateCreated AS date), @ReportEnd))    AS longest_wait_days
FROM dbo.SRTask AS t
WHERE t.TaskType = '3C-C1'
  AND t.DateCreated <= @ReportEnd
  AND (t.DateCompleted IS NULL OR t.DateCompleted > @ReportEnd)
  AND (@Unit IS NULL OR t.IDOrganisation = @Unit);

DROP TABLE #episodes;
DROP TABLE #outcomes;
