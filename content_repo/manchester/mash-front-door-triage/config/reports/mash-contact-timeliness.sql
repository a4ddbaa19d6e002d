/* =====================================================================================
   MASH contact timeliness - LCS reporting warehouse (T-SQL)
   -------------------------------------------------------------------------------------
   Contacts received in the period with their triage RAG rating and MASH decision:
     1. by RAG: contacts, decisions within the RAG timescale, median hours to decision
     2. by source of contact (CIN census code): contacts, conversion to referral
     3. re-contacts: children with another contact within 12 months of a previous one
   Timescales: Red 4 hours, Amber 24 hours (24x7), Green 72 hours. Change @Red/@Amber/
   @Green if your partnership agrees different ones (keep them in line with
   rules/rag-thresholds.json).
   Parameters: @ReportStart, @ReportEnd (inclusive).
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart date = '2024-04-01';
DECLARE @ReportEnd   date = '2025-03-31';
DECLARE @RedHours   int = 4;
DECLARE @AmberHours int = 24;
DECLARE @GreenHours int = 72;

IF OBJECT_ID('tempdb..#contacts') IS NOT NULL DROP TABLE #contacts;

SELECT
    c.FACT_CONTACT_ID,
    c.DIM_PERSON_ID,
    c.CONTACT_DTTM,
    src.CIN_CENSUS_CODE                                  AS source_code,
    src.DESCRIPTION                                      AS source_desc,
    tri.ANSWER_CODE                                      AS rag,
    dec.COMPLETED_DTTM                                   AS decision_dttm,
    dec.OUTCOME_CODE                                     AS mash_outcome,
    oc.CREATES_REFERRAL                                  AS became_referral,
    DATEDIFF(minute, c.CONTACT_DTTM, dec.COMPLETED_DTTM) / 60.0 AS hours_to_decision,
    CASE tri.ANSWER_CODE WHEN 'R' THEN @RedHours WHEN 'A' THEN @AmberHours WHEN 'G' THEN @GreenHours END AS target_hours
INTO #contacts
FROM dbo.FACT_CONTACTS AS c
LEFT JOIN dbo.DIM_LOOKUP_CONTACT_SOURCE AS src
       ON src.CODE = c.CONTACT_SOURCE_CODE
OUTER APPLY (
    SELECT TOP (1) fa.ANSWER_CODE
    FROM dbo.FACT_FORM_ANSWERS AS fa
    JOIN dbo.FACT_WORKFLOW_STEP AS ws ON ws.FACT_WORKFLOW_STEP_ID = fa.FACT_WORKFLOW_STEP_ID
    WHERE ws.FACT_CONTACT_ID = c.FACT_CONTACT_ID
      AND ws.STEP_CODE = 'FD_TRIAGE'
      AND fa.QUESTION_CODE = 'TRIAGE_RAG'
    ORDER BY ws.COMPLETED_DTTM DESC
) AS tri
OUTER APPLY (
    SELECT TOP (1) ws.COMPLETED_DTTM, ws.OUTCOME_CODE
    FROM dbo.FACT_WORKFLOW_STEP AS ws
    WHERE ws.FACT_CONTACT_ID = c.FACT_CONTACT_ID
      AND ws.STEP_CODE = 'FD_MASH_DECISION'
      AND ws.STEP_STATUS = 'COMPLETED'
    ORDER BY ws.COMPLETED_DTTM
) AS dec
LEFT JOIN dbo.DIM_LOOKUP_MASH_OUTCOME AS oc
       ON oc.CODE = dec.OUTCOME_CODE
WHERE c.CONTACT_DTTM >= @ReportStart
  AND c.CONTACT_DTTM <  DATEADD(day, 1, @ReportEnd);

-- Green is measured in working hours in the threshold document; this report uses elapsed hours
-- for all three, which slightly understates Green timeliness over weekends.

-- 1. Timeliness by RAG rating
SELECT
    COALESCE(rag, 'Not rated')                                         AS rag,
    COUNT(*)                                                           AS contacts,
    SUM(CASE WHEN decision_dttm IS NULL THEN 1 ELSE 0 END)             AS awaiting_decision,
    SUM(CASE WHEN hours_to_decision <= target_hours THEN 1 ELSE 0 END) AS decided_in_timescale,
    CAST(100.0 * SUM(CASE WHEN hours_to_decision <= target_hours THEN 1 ELSE 0 END)
         / NULLIF(SUM(CASE WHEN decision_dttm IS NOT NULL THEN 1 ELSE 0 END), 0) AS decimal(5, 1)) AS pct_in_timescale,
    MAX(target_hours)                                                  AS target_hours
FROM #contacts
GROUP BY COALESCE(rag, 'Not rated')
ORDER BY CASE COALESCE(rag, 'Not rated') WHEN 'R' THEN 1 WHEN 'A' THEN 2 WHEN 'G' THEN 3 ELSE 4 END;

-- Median hours to decision by RAG
SELECT DISTINCT
    rag,
    PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY hours_to_decision) OVER (PARTITION BY rag) AS median_hours
FROM #contacts
WHERE decision_dttm IS NOT NULL;

-- 2. By source of contact
SELECT
    COALESCE(source_code, '10')                                        AS cin_census_source,
    MAX(source_desc)                                                   AS source,
    COUNT(*)                                                           AS contacts,
    SUM(CASE WHEN became_referral = 'Y' THEN 1 ELSE 0 END)             AS referrals,
    CAST(100.0 * SUM(CASE WHEN became_referral = 'Y' THEN 1 ELSE 0 END) / NULLIF(COUNT(*), 0) AS decimal(5, 1)) AS pct_conversion,
    SUM(CASE WHEN mash_outcome = 'EH' THEN 1 ELSE 0 END)               AS to_early_help
FROM #contacts
GROUP BY COALESCE(source_code, '10')
ORDER BY contacts DESC;

-- 3. Re-contacts within 12 months of a previous contact
SELECT
    COUNT(*)                                                         AS contacts,
    SUM(CASE WHEN prev.previous_contact_dttm IS NOT NULL THEN 1 ELSE 0 END) AS re_contacts,
    CAST(100.0 * SUM(CASE WHEN prev.previous_contact_dttm IS NOT NULL THEN 1 ELSE 0 END) / NULLIF(COUNT(*), 0) AS decimal(5, 1)) AS pct_re_contacts
FROM #contacts AS c
OUTER APPLY (
    SELECT MAX(p.CONTACT_DTTM) AS previous_contact_dttm
    FROM dbo.FACT_CONTACTS AS p
    WHERE p.DIM_PERSON_ID = c.DIM_PERSON_ID
      AND p.CONTACT_DTTM <  c.CONTACT_DTTM
      AND p.CONTACT_DTTM >= DATEADD(month, -12, c.CONTACT_DTTM)
) AS prev;

DROP TABLE #contacts;
