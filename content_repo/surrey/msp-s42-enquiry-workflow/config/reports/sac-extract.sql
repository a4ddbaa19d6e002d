/* =====================================================================================
   Safeguarding Adults Collection (SAC) extract - LAS reporting warehouse (T-SQL)
   -------------------------------------------------------------------------------------
   Produces the rows behind the main SAC tables for the financial year:
     1. concerns received; individuals with concerns
     2. section 42 and other enquiries started and concluded
     3. concluded enquiries by type of risk, location of risk and source of risk
     4. risk identified and risk outcome, by location of risk
     5. Making Safeguarding Personal: outcomes expressed and achieved
   Counts of individuals are distinct people; counts of enquiries are distinct enquiries.
   Abuse types are multi-valued: a concluded enquiry counts once under each type found.
   Parameters: @ReportStart (1 April), @ReportEnd (31 March).
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart date = '2024-04-01';
DECLARE @ReportEnd   date = '2025-03-31';

IF OBJECT_ID('tempdb..#enq') IS NOT NULL DROP TABLE #enq;

-- Concluded enquiries with their SAC answers (one row per enquiry)
SELECT
    st.FACT_WORKFLOW_STEP_ID                                   AS enquiry_step_id,
    st.DIM_PERSON_ID,
    dec.ANSWER_CODE                                            AS enquiry_type,     -- S42 / OTHER
    CAST(st.COMPLETED_DTTM AS date)                            AS concluded_on,
    loc.SAC_CODE                                               AS location_of_risk,
    src.SAC_CODE                                               AS source_of_risk,
    rid.ANSWER_CODE                                            AS risk_identified,
    rout.SAC_CODE                                              AS risk_outcome,
    expr.ANSWER_CODE                                           AS outcomes_expressed,
    ach.ANSWER_CODE                                            AS outcomes_achieved
INTO #enq
FROM dbo.FACT_WORKFLOW_STEP AS st
JOIN dbo.FACT_WORKFLOW_STEP AS dstep
  ON dstep.WORKFLOW_INSTANCE_ID = st.WORKFLOW_INSTANCE_ID AND dstep.STEP_CODE = 'SGA_DECISION'
JOIN dbo.FACT_FORM_ANSWER AS dec
  ON dec.FACT_WORKFLOW_STEP_ID = dstep.FACT_WORKFLOW_STEP_ID AND dec.QUESTION_NUMBER = 'Q9130'
LEFT JOIN dbo.FACT_FORM_ANSWER AS l   ON l.FACT_WORKFLOW_STEP_ID = st.FACT_WORKFLOW_STEP_ID AND l.QUESTION_NUMBER = 'Q9302'
LEFT JOIN dbo.DIM_LOOKUP AS loc       ON loc.LOOKUP_NAME = 'SGA_LOCATION_OF_RISK' AND loc.CODE = l.ANSWER_CODE
LEFT JOIN dbo.FACT_FORM_ANSWER AS s   ON s.FACT_WORKFLOW_STEP_ID = st.FACT_WORKFLOW_STEP_ID AND s.QUESTION_NUMBER = 'Q9303'
LEFT JOIN dbo.DIM_LOOKUP AS src       ON src.LOOKUP_NAME = 'SGA_SOURCE_OF_RISK' AND src.CODE = s.ANSWER_CODE
LEFT JOIN dbo.FACT_FORM_ANSWER AS rid ON rid.FACT_WORKFLOW_STEP_ID = st.FACT_WORKFLOW_STEP_ID AND rid.QUESTION_NUMBER = 'Q9304'
LEFT JOIN dbo.FACT_FORM_ANSWER AS ro  ON ro.FACT_WORKFLOW_STEP_ID = st.FACT_WORKFLOW_STEP_ID AND ro.QUESTION_NUMBER = 'Q9305'
LEFT JOIN dbo.DIM_LOOKUP AS rout      ON rout.LOOKUP_NAME = 'SGA_RISK_OUTCOME' AND rout.CODE = ro.ANSWER_CODE
LEFT JOIN dbo.FACT_FORM_ANSWER AS expr ON expr.FACT_WORKFLOW_STEP_ID = st.FACT_WORKFLOW_STEP_ID AND expr.QUESTION_NUMBER = 'Q9306'
LEFT JOIN dbo.FACT_FORM_ANSWER AS ach ON ach.FACT_WORKFLOW_STEP_ID = st.FACT_WORKFLOW_STEP_ID AND ach.QUESTION_NUMBER = 'Q9307'
WHERE st.STEP_CODE = 'SGA_OUTCOME'
  AND st.STEP_STATUS = 'COMPLETED'
  AND st.COMPLETED_DTTM >= @ReportStart
  AND st.COMPLETED_DTTM <  DATEADD(day, 1, @ReportEnd)
  AND dec.ANSWER_CODE IN ('S42', 'OTHER');

-- 1. Concerns and individuals
SELECT
    COUNT(*)                          AS concerns,
    COUNT(DISTINCT c.DIM_PERSON_ID)   AS individuals_with_concerns
FROM dbo.FACT_WORKFLOW_STEP AS c
WHERE c.STEP_CODE = 'SGA_CONCERN'
  AND c.STARTED_DTTM >= @ReportStart
  AND c.STARTED_DTTM <  DATEADD(day, 1, @ReportEnd);

-- 2. Enquiries started in the year, by type
SELECT
    d.ANSWER_CODE                     AS enquiry_type,
    COUNT(*)                          AS enquiries_started,
    COUNT(DISTINCT e.DIM_PERSON_ID)   AS individuals
FROM dbo.FACT_WORKFLOW_STEP AS e
JOIN dbo.FACT_WORKFLOW_STEP AS ds
  ON ds.WORKFLOW_INSTANCE_ID = e.WORKFLOW_INSTANCE_ID AND ds.STEP_CODE = 'SGA_DECISION'
JOIN dbo.FACT_FORM_ANSWER AS d
  ON d.FACT_WORKFLOW_STEP_ID = ds.FACT_WORKFLOW_STEP_ID AND d.QUESTION_NUMBER = 'Q9130'
WHERE e.STEP_CODE = 'SGA_ENQUIRY'
  AND e.STARTED_DTTM >= @ReportStart
  AND e.STARTED_DTTM <  DATEADD(day, 1, @ReportEnd)
  AND d.ANSWER_CODE IN ('S42', 'OTHER')
GROUP BY d.ANSWER_CODE;

-- 3a. Concluded enquiries by type of risk (multi-valued)
SELECT
    e.enquiry_type,
    lk.SAC_CODE                       AS type_of_risk,
    COUNT(DISTINCT e.enquiry_step_id) AS concluded_enquiries
FROM #enq AS e
JOIN dbo.FACT_FORM_ANSWER_MULTI AS t
  ON t.FACT_WORKFLOW_STEP_ID = e.enquiry_step_id AND t.QUESTION_NUMBER = 'Q9301'
JOIN dbo.DIM_LOOKUP AS lk
  ON lk.LOOKUP_NAME = 'SGA_ABUSE_TYPE' AND lk.CODE = t.ANSWER_CODE
GROUP BY e.enquiry_type, lk.SAC_CODE
ORDER BY e.enquiry_type, lk.SAC_CODE;

-- 3b. Concluded enquiries by location and source of risk
SELECT enquiry_type, location_of_risk, source_of_risk, COUNT(*) AS concluded_enquiries
FROM #enq
GROUP BY enquiry_type, location_of_risk, source_of_risk
ORDER BY enquiry_type, location_of_risk, source_of_risk;

-- 4. Risk identified and risk outcome, by location of risk (section 42 only)
SELECT
    location_of_risk,
    SUM(CASE WHEN risk_identified = 'Y' THEN 1 ELSE 0 END)                                   AS risk_identified,
    SUM(CASE WHEN risk_identified = 'Y' AND risk_outcome = 'RISK_REMOVED' THEN 1 ELSE 0 END) AS risk_removed,
    SUM(CASE WHEN risk_identified = 'Y' AND risk_outcome = 'RISK_REDUCED' THEN 1 ELSE 0 END) AS risk_reduced,
    SUM(CASE WHEN risk_identified = 'Y' AND risk_outcome = 'RISK_REMAINS' THEN 1 ELSE 0 END) AS risk_remains,
    SUM(CASE WHEN risk_identified = 'Y' AND risk_outcome = 'NO_ACTION' THEN 1 ELSE 0 END)    AS no_action_taken,
    SUM(CASE WHEN risk_identified = 'N' THEN 1 ELSE 0 END)                                   AS no_risk_identified
FROM #enq
WHERE enquiry_type = 'S42'
GROUP BY location_of_risk
ORDER BY location_of_risk;

-- 5. Making Safeguarding Personal (section 42 concluded)
SELECT
    SUM(CASE WHEN outcomes_expressed = 'Y'  THEN 1 ELSE 0 END)  AS asked_and_expressed,
    SUM(CASE WHEN outcomes_expressed = 'N'  THEN 1 ELSE 0 END)  AS asked_not_expressed,
    SUM(CASE WHEN outcomes_expressed = 'NA' THEN 1 ELSE 0 END)  AS not_asked,
    SUM(CASE WHEN outcomes_expressed = 'DK' OR outcomes_expressed IS NULL THEN 1 ELSE 0 END) AS dont_know,
    SUM(CASE WHEN outcomes_expressed = 'Y' AND outcomes_achieved = 'FULL' THEN 1 ELSE 0 END) AS fully_achieved,
    SUM(CASE WHEN outcomes_expressed = 'Y' AND outcomes_achieved = 'PART' THEN 1 ELSE 0 END) AS partially_achieved,
    SUM(CASE WHEN outcomes_expressed = 'Y' AND outcomes_achieved = 'NOT'  THEN 1 ELSE 0 END) AS not_achieved
FROM #enq
WHERE enquiry_type = 'S42';

DROP TABLE #enq;
