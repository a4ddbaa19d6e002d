-- schema: mosaic-warehouse
/* Transitions tracker - Mosaic data warehouse (T-SQL)
   Young people aged 14 to 25 at @AsAt with a transition assessment answer, by their latest
   pathway stage (question PFA_STAGE) and age, with those within six months of 18 and no
   stage beyond tracking flagged. Ages from DM_PERSONS.DATE_OF_BIRTH. */
SET NOCOUNT ON;
DECLARE @AsAt date = CAST(GETDATE() AS date);

WITH latest_stage AS (
    SELECT fa.SUBJECT_PERSON_ID AS person_id,
           fa.TEXT_ANSWER       AS stage,
           ROW_NUMBER() OVER (PARTITION BY fa.SUBJECT_PERSON_ID ORDER BY ws.COMPLETED_ON DESC) AS rn
    FROM dbo.DM_CACHED_FORM_ANSWERS AS fa
    JOIN dbo.DM_WORKFLOW_STEPS AS ws ON ws.WORKFLOW_STEP_ID = fa.WORKFLOW_STEP_ID
    WHERE fa.QUESTION_USER_CODE = 'PFA_STAGE'
      AND ws.STEP_STATUS = 'COMPLETED'
),
people AS (
    SELECT ls.person_id,
           ls.stage,
           DATEDIFF(month, per.DATE_OF_BIRTH, @AsAt) / 12 AS age
    FROM latest_stage AS ls
    JOIN dbo.DM_PERSONS AS per ON per.PERSON_ID = ls.person_id
    WHERE ls.rn = 1
)
SELECT stage,
       COUNT(*)                                                           AS young_people,
       SUM(CASE WHEN age BETWEEN 14 AND 16 THEN 1 ELSE 0 END)             AS aged_14_to_16,
       SUM(CASE WHEN age = 17 THEN 1 ELSE 0 END)                          AS aged_17,
       SUM(CASE WHEN age BETWEEN 18 AND 25 THEN 1 ELSE 0 END)             AS aged_18_to_25,
       SUM(CASE WHEN age = 17 AND stage = 'TRACK' THEN 1 ELSE 0 END)      AS seventeen_still_tracking
FROM people
WHERE age BETWEEN 14 AND 25
GROUP BY stage
ORDER BY stage;
