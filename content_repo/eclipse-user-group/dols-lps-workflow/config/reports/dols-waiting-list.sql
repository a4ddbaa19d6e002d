-- schema: eclipse-views
-- =====================================================================================
-- DoLS waiting list, expiries and annual collection counts - OLM Eclipse reporting views
-- (PostgreSQL 13+). Parameters are psql variables:
--   psql -v report_start="'2025-04-01'" -v report_end="'2026-03-31'" -f dols-waiting-list.sql
-- Answers come from FORMANSWERPERSONVIEW (completed forms only), by the control names in
-- config/forms/form-mapping.csv: the request and triage form (DOLS_requestReceivedDate,
-- DOLS_requestType, DOLS_adassPriority, DOLS_managingAuthorityType) and the authorisation
-- decision form (DOLS_decision, DOLS_authorisationStart, DOLS_authorisationEnd). If you
-- renamed a control when you built the form, change it here too.
-- A request is decided by the first decision form for the same person completed on or
-- after the date the request was received.
-- =====================================================================================

WITH request AS (
    SELECT fa.INSTANCEID                                                                    AS request_id,
           fa.ANSWERFORSUBJECTID                                                            AS person_id,
           max(fa.DATEANSWERVALUE) FILTER (WHERE fa.CONTROLNAME = 'DOLS_requestReceivedDate')::date AS received_on,
           max(fa.ANSWERVALUE) FILTER (WHERE fa.CONTROLNAME = 'DOLS_requestType')           AS request_type,
           max(fa.ANSWERVALUE) FILTER (WHERE fa.CONTROLNAME = 'DOLS_adassPriority')         AS priority,
           max(fa.ANSWERVALUE) FILTER (WHERE fa.CONTROLNAME = 'DOLS_managingAuthorityType') AS setting
    FROM FORMANSWERPERSONVIEW AS fa
    WHERE fa.INSTANCESTATE = 'COMPLETE'
      AND fa.CONTROLNAME IN ('DOLS_requestReceivedDate', 'DOLS_requestType',
                             'DOLS_adassPriority', 'DOLS_managingAuthorityType')
    GROUP BY fa.INSTANCEID, fa.ANSWERFORSUBJECTID
),
decision AS (
    SELECT da.INSTANCEID,
           da.ANSWERFORSUBJECTID                                                            AS person_id,
           min(da.DATECOMPLETED)::date                                                      AS decided_on,
           max(da.ANSWERVALUE) FILTER (WHERE da.CONTROLNAME = 'DOLS_decision')              AS decision,
           max(da.DATEANSWERVALUE) FILTER (WHERE da.CONTROLNAME = 'DOLS_authorisationStart')::date AS auth_start,
           max(da.DATEANSWERVALUE) FILTER (WHERE da.CONTROLNAME = 'DOLS_authorisationEnd')::date   AS auth_end
    FROM FORMANSWERPERSONVIEW AS da
    WHERE da.INSTANCESTATE = 'COMPLETE'
      AND da.CONTROLNAME IN ('DOLS_decision', 'DOLS_authorisationStart', 'DOLS_authorisationEnd')
    GROUP BY da.INSTANCEID, da.ANSWERFORSUBJECTID
),
dols_requests AS (
    SELECT r.*, d.decided_on, d.decision, d.auth_start, d.auth_end
    FROM request AS r
    LEFT JOIN LATERAL (
        SELECT x.decided_on, x.decision, x.auth_start, x.auth_end
        FROM decision AS x
        WHERE x.person_id = r.person_id AND x.decided_on >= r.received_on
        ORDER BY x.decided_on
        LIMIT 1
    ) AS d ON true
)
-- 1. Waiting list at :report_end by priority and time waiting
SELECT coalesce(priority, 'NOT TRIAGED')                                   AS priority,
       count(*)                                                            AS requests_waiting,
       count(*) FILTER (WHERE :report_end::date - received_on <= 28)       AS up_to_28_days,
       count(*) FILTER (WHERE :report_end::date - received_on BETWEEN 29 AND 90) AS days_29_to_90,
       count(*) FILTER (WHERE :report_end::date - received_on BETWEEN 91 AND 365) AS days_91_to_365,
       count(*) FILTER (WHERE :report_end::date - received_on > 365)       AS over_a_year,
       max(:report_end::date - received_on)                                AS longest_wait_days,
       sum(count(*)) OVER ()                                               AS all_waiting,
       (SELECT count(*) FILTER (WHERE decision = 'GRANTED'
                                  AND auth_end BETWEEN :report_end::date AND :report_end::date + 28)
          FROM dols_requests)                                              AS authorisations_ending_in_28_days,
       (SELECT count(*) FILTER (WHERE received_on BETWEEN :report_start::date AND :report_end::date)
          FROM dols_requests)                                              AS applications_received_in_period,
       (SELECT count(*) FILTER (WHERE decided_on BETWEEN :report_start::date AND :report_end::date)
          FROM dols_requests)                                              AS applications_completed_in_period,
       (SELECT count(*) FILTER (WHERE decided_on BETWEEN :report_start::date AND :report_end::date
                                  AND decision = 'GRANTED')
          FROM dols_requests)                                              AS granted_in_period,
       (SELECT count(*) FILTER (WHERE decided_on BETWEEN :report_start::date AND :report_end::date
                                  AND request_type IN ('STANDARD', 'FURTHER')
                                  AND decided_on - received_on <= 21)
          FROM dols_requests)                                              AS standard_within_21_days
FROM dols_requests
WHERE received_on <= :report_end::date
  AND (decided_on IS NULL OR decided_on > :report_end::date)
GROUP BY 1
ORDER BY array_position(ARRAY['URGENT','HIGH','MEDIUM','LOW','NOT TRIAGED'], coalesce(priority, 'NOT TRIAGED'));
