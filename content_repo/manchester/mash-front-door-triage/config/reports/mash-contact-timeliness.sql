-- schema: lcs-warehouse
/* =====================================================================================
   MASH contact timeliness - LCS reporting warehouse HDM.Child_Social (T-SQL)
   -------------------------------------------------------------------------------------
   Contacts received in the period (FACT_CONTACTS) with the triage RAG rating and the
   MASH decision recorded on the front door forms:
     1. by RAG: contacts, decisions within the RAG timescale
     2. by source of contact (CIN census code): contacts, conversion to referral
     3. re-contacts: children with another contact within 12 months of a previous one
   The warehouse keeps forms per child, not per contact, so each contact is matched to
   the first triage form and the first MASH decision form for the same child answered
   within 7 days after the contact. The RAG is the triage form's TRIAGE_RAG answer; the
   decision time is when MASH_OUTCOME was answered (FACT_FORM_ANSWERS.ANSWERED_DTTM).
   Conversion uses the contact's own outcome flag (OUTCOME_NEW_REFERRAL_FLAG).
   Timescales: Red 4 hours, Amber 24 hours, Green 72 hours, elapsed. Keep them in line
   with rules/rag-thresholds.json.
   Parameters: @ReportStart, @ReportEnd (inclusive).
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart   date = '2025-04-01';
DECLARE @ReportEnd     date = '2026-03-31';
DECLARE @RedHours      int = 4;
DECLARE @AmberHours    int = 24;
DECLARE @GreenHours    int = 72;
DECLARE @TriageForm    nvarchar(48) = 'FD_TRIAGE';         -- form type codes in your build
DECLARE @DecisionForm  nvarchar(48) = 'FD_MASH_DECISION';

IF OBJECT_ID('tempdb..#contacts') IS NOT NULL DROP TABLE #contacts;

SELECT
    c.FACT_CONTACT_ID,
    c.DIM_PERSON_ID,
    c.CONTACT_DTTM,
    c.DIM_LOOKUP_CONT_SORC_ID                            AS source_code,
    c.DIM_LOOKUP_CONT_SORC_ID_DESC                       AS source_desc,
    c.OUTCOME_NEW_REFERRAL_FLAG                          AS became_referral,
    tri.ANSWER                                           AS rag,
    dcs.ANSWERED_DTTM                                    AS decision_dttm,
    dcs.ANSWER                                           AS mash_outcome,
    DATEDIFF(minute, c.CONTACT_DTTM, dcs.ANSWERED_DTTM) / 60.0 AS hours_to_decision,
    CASE tri.ANSWER WHEN 'R' THEN @RedHours WHEN 'A' THEN @AmberHours WHEN 'G' THEN @GreenHours END AS target_hours
INTO #contacts
FROM HDM.Child_Social.FACT_CONTACTS AS c
OUTER APPLY (
    SELECT TOP (1) fa.ANSWER
    FROM HDM.Child_Social.FACT_FORMS AS f
    JOIN HDM.Child_Social.FACT_FORM_ANSWERS AS fa ON fa.FACT_FORM_ID = f.FACT_FORM_ID
    WHERE f.DIM_PERSON_ID = c.DIM_PERSON_ID
      AND f.DIM_LOOKUP_FORM_TYPE_ID_CODE = @TriageForm
      AND fa.ANSWER_NO = 'TRIAGE_RAG'
      AND fa.ANSWERED_DTTM >= c.CONTACT_DTTM
      AND fa.ANSWERED_DTTM <  DATEADD(day, 7, c.CONTACT_DTTM)
    ORDER BY fa.ANSWERED_DTTM
) AS tri
OUTER APPLY (
    SELECT TOP (1) da.ANSWER, da.ANSWERED_DTTM
    FROM HDM.Child_Social.FACT_FORMS AS df
    JOIN HDM.Child_Social.FACT_FORM_ANSWERS AS da ON da.FACT_FORM_ID = df.FACT_FORM_ID
    WHERE df.DIM_PERSON_ID = c.DIM_PERSON_ID
      AND df.DIM_LOOKUP_FORM_TYPE_ID_CODE = @DecisionForm
      AND da.ANSWER_NO = 'MASH_OUTCOME'
      AND da.ANSWERED_DTTM >= c.CONTACT_DTTM
      AND da.ANSWERED_DTTM <  DATEADD(day, 7, c.CONTACT_DTTM)
    ORDER BY da.ANSWERED_DTTM
) AS dcs
WHERE c.CONTACT_DTTM >= @ReportStart
  AND c.CONTACT_DTTM <  DATEADD(day, 1, @ReportEnd);

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

-- 2. By source of contact (the CIN census source codes: 1A to 10)
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
FROM #contacts AS k
OUTER APPLY (
    SELECT MAX(p.CONTACT_DTTM) AS previous_contact_dttm
    FROM HDM.Child_Social.FACT_CONTACTS AS p
    WHERE p.DIM_PERSON_ID = k.DIM_PERSON_ID
      AND p.CONTACT_DTTM <  k.CONTACT_DTTM
      AND p.CONTACT_DTTM >= DATEADD(month, -12, k.CONTACT_DTTM)
) AS prev;

DROP TABLE #contacts;
