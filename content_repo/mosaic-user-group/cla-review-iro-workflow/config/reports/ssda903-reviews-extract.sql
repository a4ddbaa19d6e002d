/* =====================================================================================
   SSDA903 reviews file - Mosaic reporting database (T-SQL)
   -------------------------------------------------------------------------------------
   One row per CLA review held in the collection year for children looked after at any
   time in the year, in the column layout of the SSDA903 "reviews" file:
     CHILD        the local child identifier (Mosaic person id as text)
     DOB          the child's date of birth, dd/mm/yyyy
     REVIEW       date the review was held, dd/mm/yyyy
     REVIEW_CODE  participation code PN0 to PN7
   Check column names and formats against the DfE specification for the collection year.
   Parameters: @ReportStart (1 April), @ReportEnd (31 March).
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart date = '2024-04-01';
DECLARE @ReportEnd   date = '2025-03-31';

SELECT
    CAST(p.PERSON_ID AS varchar(10))                         AS CHILD,
    FORMAT(p.DATE_OF_BIRTH, 'dd/MM/yyyy')                    AS DOB,
    FORMAT(TRY_CAST(held.DATE_ANSWER AS date), 'dd/MM/yyyy') AS REVIEW,
    pn.ANSWER_LOOKUP_CODE                                    AS REVIEW_CODE
FROM dbo.DM_WORKFLOW_STEPS AS ws
JOIN dbo.DM_STEP_SUBJECTS AS sp
  ON sp.WORKFLOW_STEP_ID = ws.WORKFLOW_STEP_ID
JOIN dbo.DM_PERSONS AS p
  ON p.PERSON_ID = sp.PERSON_ID
JOIN dbo.DM_CACHED_FORM_ANSWERS AS held
  ON held.WORKFLOW_STEP_ID = ws.WORKFLOW_STEP_ID
 AND held.QUESTION_USER_CODE = 'CLAR_DATE_HELD'
LEFT JOIN dbo.DM_CACHED_FORM_ANSWERS AS pn
  ON pn.WORKFLOW_STEP_ID = ws.WORKFLOW_STEP_ID
 AND pn.QUESTION_USER_CODE = 'CLAR_PARTICIPATION'
WHERE ws.STEP_TYPE_CODE = 'CLA_REVIEW_MEETING'
  AND ws.STEP_STATUS = 'COMPLETED'
  AND held.DATE_ANSWER >= @ReportStart
  AND held.DATE_ANSWER <  DATEADD(day, 1, @ReportEnd)
  AND EXISTS (
        SELECT 1 FROM dbo.DM_PERIODS_OF_CARE AS poc
        WHERE poc.PERSON_ID = p.PERSON_ID
          AND poc.START_DATE <= @ReportEnd
          AND (poc.END_DATE IS NULL OR poc.END_DATE >= @ReportStart)
      )
ORDER BY CHILD, held.DATE_ANSWER;
