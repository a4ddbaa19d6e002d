-- schema: ssd
/* =====================================================================================
   EHC plan timeliness and SEN2 counts - from the Standard Safeguarding Dataset's SEND
   tables (T-SQL). The SSD models the SEN2 modules: ssd_send (the child), ssd_ehcp_requests,
   ssd_ehcp_assessment, ssd_ehcp_named_plan, ssd_ehcp_active_plans and ssd_sen_need.
   Azeus Care has no SSD extract yet: a council fills these tables from its own Azeus
   tables (see data-to-insight/standard-safeguarding-dataset, folder config/sql/azeus),
   and then this script, like any SSD tool, works unchanged.
   1. first plans issued in the period within 20 weeks of the request, with and without
      a permitted exception
   2. requests in the period and their outcome
   3. plans in force at @ReportEnd by primary need (need rank 1)
   Parameters: @ReportStart, @ReportEnd (the SEN2 year runs January to December).
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @ReportStart date = '2025-01-01';
DECLARE @ReportEnd   date = '2025-12-31';

-- 1. 20-week timeliness of first plans
SELECT
    COUNT(*)                                                                      AS plans_issued,
    SUM(CASE WHEN np.ehcn_named_plan_start_date <= DATEADD(week, 20, rq.ehcr_ehcp_req_date)
             THEN 1 ELSE 0 END)                                                  AS within_20_weeks,
    SUM(CASE WHEN np.ehcn_named_plan_start_date >  DATEADD(week, 20, rq.ehcr_ehcp_req_date)
              AND a.ehca_ehcp_assessment_exceptions IS NOT NULL THEN 1 ELSE 0 END) AS late_with_exception,
    SUM(CASE WHEN np.ehcn_named_plan_start_date >  DATEADD(week, 20, rq.ehcr_ehcp_req_date)
              AND a.ehca_ehcp_assessment_exceptions IS NULL THEN 1 ELSE 0 END)   AS late_without_exception
FROM ssd_development.ssd_ehcp_named_plan AS np
JOIN ssd_development.ssd_ehcp_assessment AS a ON a.ehca_ehcp_assessment_id = np.ehcn_ehcp_asmt_id
JOIN ssd_development.ssd_ehcp_requests AS rq ON rq.ehcr_ehcp_request_id = a.ehca_ehcp_request_id
WHERE np.ehcn_named_plan_start_date BETWEEN @ReportStart AND @ReportEnd;

-- 2. Requests in the period and their outcome
SELECT
    COALESCE(rq.ehcr_ehcp_req_outcome, 'No decision yet')                         AS request_outcome,
    COUNT(*)                                                                      AS requests,
    SUM(CASE WHEN rq.ehcr_ehcp_req_outcome_date <= DATEADD(week, 6, rq.ehcr_ehcp_req_date)
             THEN 1 ELSE 0 END)                                                  AS decided_within_6_weeks
FROM ssd_development.ssd_ehcp_requests AS rq
WHERE rq.ehcr_ehcp_req_date BETWEEN @ReportStart AND @ReportEnd
GROUP BY COALESCE(rq.ehcr_ehcp_req_outcome, 'No decision yet')
ORDER BY requests DESC;

-- 3. Plans in force at @ReportEnd by primary need
SELECT
    COALESCE(nd.senn_active_ehcp_need_type, 'Not recorded')                       AS primary_need,
    COUNT(*)                                                                      AS plans_in_force,
    SUM(CASE WHEN ap.ehcp_active_ehcp_last_review_date < DATEADD(month, -12, @ReportEnd)
             THEN 1 ELSE 0 END)                                                  AS annual_review_overdue
FROM ssd_development.ssd_ehcp_active_plans AS ap
LEFT JOIN ssd_development.ssd_sen_need AS nd
  ON nd.senn_active_ehcp_id = ap.ehcp_active_ehcp_id AND nd.senn_active_ehcp_need_rank = 1
GROUP BY COALESCE(nd.senn_active_ehcp_need_type, 'Not recorded')
ORDER BY plans_in_force DESC;
