-- =====================================================================================
-- EHC plan timeliness and SEN2-style extract - Azeus Care reporting database
-- (PostgreSQL 13+). Parameters are psql variables :report_start and :report_end.
-- 1. plans issued in the period within 20 weeks, with and without permitted exceptions
-- 2. requests in the period and decisions to assess or not
-- 3. plans in force at :report_end by primary need and setting type
-- 4. person-level rows for the SEN2 return (one per child per request in the period)
-- =====================================================================================

-- 1. 20-week timeliness
SELECT count(*)                                                              AS plans_issued,
       count(*) FILTER (WHERE f.completed_on <= r.received_on + interval '20 weeks') AS within_20_weeks,
       count(*) FILTER (WHERE f.completed_on >  r.received_on + interval '20 weeks'
                          AND f.exception_code IS NOT NULL)                   AS late_with_exception,
       count(*) FILTER (WHERE f.completed_on >  r.received_on + interval '20 weeks'
                          AND f.exception_code IS NULL)                       AS late_without_exception,
       round(100.0 * count(*) FILTER (WHERE f.completed_on <= r.received_on + interval '20 weeks')
             / nullif(count(*) FILTER (WHERE f.exception_code IS NULL), 0), 1) AS pct_within_20_excl_exceptions
FROM send.task AS f
JOIN send.ehc_request AS r ON r.request_id = f.request_id
WHERE f.task_code = 'EHC_FINAL_PLAN'
  AND f.is_first_plan
  AND f.completed_on BETWEEN :report_start::date AND :report_end::date;

-- 2. Requests and decisions to assess
SELECT count(*)                                                          AS requests,
       count(*) FILTER (WHERE d.outcome = 'ASSESS')                      AS agreed_to_assess,
       count(*) FILTER (WHERE d.outcome = 'NOT_ASSESS')                  AS refused_to_assess,
       count(*) FILTER (WHERE d.completed_on <= r.received_on + interval '6 weeks') AS decided_within_6_weeks
FROM send.ehc_request AS r
LEFT JOIN send.task AS d
       ON d.request_id = r.request_id AND d.task_code = 'EHC_DECISION_TO_ASSESS'
WHERE r.received_on BETWEEN :report_start::date AND :report_end::date;

-- 3. Plans in force at :report_end
SELECT p.primary_need,
       p.setting_type,
       count(*) AS plans_in_force
FROM send.ehc_plan AS p
WHERE p.issued_on <= :report_end::date
  AND (p.ceased_on IS NULL OR p.ceased_on > :report_end::date)
GROUP BY p.primary_need, p.setting_type
ORDER BY p.primary_need, p.setting_type;

-- 4. Person-level SEN2 rows (requests received in the period)
SELECT r.child_ref                                              AS child_ref,
       r.received_on                                            AS request_date,
       r.request_source                                         AS request_source,
       d.outcome                                                AS assessment_decision,
       d.completed_on                                           AS assessment_decision_date,
       i.outcome                                                AS issue_decision,
       f.completed_on                                           AS plan_issued_date,
       f.exception_code                                         AS twenty_week_exception,
       p.primary_need                                           AS primary_need,
       p.setting_type                                           AS placement_type
FROM send.ehc_request AS r
LEFT JOIN send.task AS d ON d.request_id = r.request_id AND d.task_code = 'EHC_DECISION_TO_ASSESS'
LEFT JOIN send.task AS i ON i.request_id = r.request_id AND i.task_code = 'EHC_DECISION_TO_ISSUE'
LEFT JOIN send.task AS f ON f.request_id = r.request_id AND f.task_code = 'EHC_FINAL_PLAN' AND f.is_first_plan
LEFT JOIN send.ehc_plan AS p ON p.request_id = r.request_id
WHERE r.received_on BETWEEN :report_start::date AND :report_end::date
ORDER BY r.received_on, r.child_ref;
