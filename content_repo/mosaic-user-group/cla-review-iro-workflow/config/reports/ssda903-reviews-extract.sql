-- schema: mosaic-warehouse
/* =====================================================================================
   SSDA903 reviews file - Mosaic data warehouse (T-SQL)
   -------------------------------------------------------------------------------------
   One row per looked-after child review held in the collection year, for children looked
   after at any time in the year, in the layout of the SSDA903 reviews file:
     CHILD        the local child identifier (Mosaic person id as text)
     DOB          the child's date of birth, dd/mm/yyyy
     REVIEW       date the review was held, dd/mm/yyyy
     REVIEW_CODE  how the child took part, PN0 to PN7
   Reviews are the completed workflow steps that carry a review date
   (DM_WORKFLOW_STEPS.LAC_REVIEW_DATE and LAC_REVIEW_PARTICIPATION_CODE); the child is the
   step's subject (DM_SUBGROUP_SUBJECTS, subject type PER).
   Parameters: @ReportStart (1 April), @ReportEnd (31 March).
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart date = '2025-04-01';
DECLARE @ReportEnd   date = '2026-03-31';

SELECT
    CAST(per.PERSON_ID AS varchar(10))                        AS CHILD,
    FORMAT(per.DATE_OF_BIRTH, 'dd/MM/yyyy')                   AS DOB,
    FORMAT(rev.LAC_REVIEW_DATE, 'dd/MM/yyyy')                 AS REVIEW,
    rev.LAC_REVIEW_PARTICIPATION_CODE                         AS REVIEW_CODE
FROM dbo.DM_WORKFLOW_STEPS AS rev
JOIN dbo.DM_SUBGROUP_SUBJECTS AS sub
  ON sub.SUBGROUP_ID = rev.SUBGROUP_ID
 AND sub.SUBJECT_TYPE_CODE = 'PER'
JOIN dbo.DM_PERSONS AS per
  ON per.PERSON_ID = sub.SUBJECT_COMPOUND_ID
WHERE rev.LAC_REVIEW_DATE IS NOT NULL
  AND rev.STEP_STATUS = 'COMPLETED'
  AND rev.LAC_REVIEW_DATE >= @ReportStart
  AND rev.LAC_REVIEW_DATE <  DATEADD(day, 1, @ReportEnd)
  AND EXISTS (
        SELECT 1 FROM dbo.DM_PERIODS_OF_CARE AS poc
        WHERE poc.PERSON_ID = per.PERSON_ID
          AND poc.START_DATE <= @ReportEnd
          AND (poc.END_DATE IS NULL OR poc.END_DATE >= @ReportStart)
      )
ORDER BY CHILD, rev.LAC_REVIEW_DATE;
