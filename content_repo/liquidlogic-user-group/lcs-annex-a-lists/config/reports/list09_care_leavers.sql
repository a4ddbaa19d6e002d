/* =====================================================================================
   Annex A list 9 - Care leavers - LCS reporting warehouse (T-SQL)
   Columns in the order of config/annex-a-lists.yaml. Ages at @ReportEnd.
   Parameters: @ReportStart, @ReportEnd (the inspection reference date).
   Care leavers aged 17 to 25 receiving a service in the period.
   ===================================================================================== */
SET NOCOUNT ON;
DECLARE @ReportEnd   date = CAST(GETDATE() AS date);
DECLARE @ReportStart date = DATEADD(month, -12, @ReportEnd);

SELECT
    CAST(p.DIM_PERSON_ID AS varchar(20))                                   AS [Child unique ID],
    CASE p.GENDER_MAIN_CODE WHEN 'M' THEN 'Male' WHEN 'F' THEN 'Female'
                            WHEN 'I' THEN 'Indeterminate' ELSE 'Unknown' END AS [Gender],
    p.ETHNICITY_MAIN_CODE                                                  AS [Ethnicity],
    FORMAT(p.BIRTH_DTTM, 'dd/MM/yyyy')                                     AS [Date of birth],
    DATEDIFF(year, p.BIRTH_DTTM, @ReportEnd)
      - CASE WHEN DATEADD(year, DATEDIFF(year, p.BIRTH_DTTM, @ReportEnd), p.BIRTH_DTTM) > @ReportEnd
             THEN 1 ELSE 0 END                                             AS [Age of child (years)],
    CASE WHEN EXISTS (SELECT 1 FROM dbo.FACT_DISABILITY AS d
                      WHERE d.DIM_PERSON_ID = p.DIM_PERSON_ID AND d.DISABILITY_CODE <> 'NONE')
         THEN 'Yes' ELSE 'No' END                                          AS [Disability],
    pa.WORKER_NAME                                                         AS [Allocated personal adviser],
    cl.ELIGIBILITY_CATEGORY                                                AS [Eligibility category],
    cl.IN_TOUCH_CODE                                                       AS [In touch],
    FORMAT(cl.LATEST_CONTACT_DTTM, 'dd/MM/yyyy')                           AS [Latest date of contact],
    cl.ACCOMMODATION_CODE                                                  AS [Type of accommodation],
    CASE cl.ACCOMMODATION_SUITABLE WHEN 'Y' THEN 'Suitable' WHEN 'N' THEN 'Unsuitable' END AS [Suitability of accommodation],
    cl.ACTIVITY_CODE                                                       AS [Activity status],
    FORMAT(cl.PATHWAY_PLAN_REVIEW_DTTM, 'dd/MM/yyyy')                      AS [Pathway plan review date]
FROM dbo.FACT_CARE_LEAVERS AS cl
JOIN dbo.DIM_PERSON AS p ON p.DIM_PERSON_ID = cl.DIM_PERSON_ID
LEFT JOIN dbo.DIM_WORKER AS pa ON pa.DIM_WORKER_ID = cl.PERSONAL_ADVISER_WORKER_ID
WHERE cl.SERVICE_START_DTTM <= @ReportEnd
  AND (cl.SERVICE_END_DTTM IS NULL OR cl.SERVICE_END_DTTM >= @ReportStart)
ORDER BY [Child unique ID];
