-- schema: mosaic-warehouse
/* Care Act review backlog - Mosaic data warehouse (T-SQL)
   For everyone with a completed review step, the last review date; those over 12 months
   ago are overdue, those falling due in the next 8 weeks are upcoming. Team: the primary
   team (DM_WORKER_ROLES.ORGANISATION_ID) of the person's allocated worker today. */
SET NOCOUNT ON;
DECLARE @AsAt date = CAST(GETDATE() AS date);
DECLARE @ReviewSteps TABLE (step_type_id int PRIMARY KEY);
INSERT INTO @ReviewSteps VALUES (0);   -- replace with your review step type ids

WITH last_review AS (
    SELECT sub.SUBJECT_COMPOUND_ID       AS person_id,
           MAX(ws.COMPLETED_ON)          AS last_review_on
    FROM dbo.DM_WORKFLOW_STEPS AS ws
    JOIN dbo.DM_SUBGROUP_SUBJECTS AS sub
      ON sub.SUBGROUP_ID = ws.SUBGROUP_ID AND sub.SUBJECT_TYPE_CODE = 'PER'
    WHERE ws.STEP_STATUS = 'COMPLETED'
      AND ws.WORKFLOW_STEP_TYPE_ID IN (SELECT step_type_id FROM @ReviewSteps)
    GROUP BY sub.SUBJECT_COMPOUND_ID
),
team AS (
    SELECT aw.PERSON_ID, org.NAME AS team_name,
           ROW_NUMBER() OVER (PARTITION BY aw.PERSON_ID ORDER BY aw.START_DATE DESC) AS rn
    FROM dbo.DM_ALLOCATED_WORKERS AS aw
    JOIN dbo.DM_WORKER_ROLES AS wr
      ON wr.WORKER_ID = aw.WORKER_ID AND wr.PRIMARY_ROLE = 'Y'
     AND (wr.END_DATE IS NULL OR wr.END_DATE >= @AsAt)
    JOIN dbo.DM_ORGANISATIONS AS org ON org.ORGANISATION_ID = wr.ORGANISATION_ID
    WHERE aw.START_DATE <= @AsAt AND (aw.END_DATE IS NULL OR aw.END_DATE >= @AsAt)
)
SELECT COALESCE(t.team_name, 'Unallocated')                                             AS team,
       SUM(CASE WHEN lr.last_review_on < DATEADD(month, -12, @AsAt) THEN 1 ELSE 0 END)  AS overdue,
       SUM(CASE WHEN lr.last_review_on < DATEADD(month, -24, @AsAt) THEN 1 ELSE 0 END)  AS overdue_over_a_year,
       SUM(CASE WHEN lr.last_review_on >= DATEADD(month, -12, @AsAt)
                 AND lr.last_review_on <  DATEADD(week, 8, DATEADD(month, -12, @AsAt)) THEN 1 ELSE 0 END) AS due_in_8_weeks
FROM last_review AS lr
LEFT JOIN team AS t ON t.PERSON_ID = lr.person_id AND t.rn = 1
GROUP BY COALESCE(t.team_name, 'Unallocated')
ORDER BY overdue DESC;
