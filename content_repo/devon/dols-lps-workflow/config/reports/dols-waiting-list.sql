-- =====================================================================================
-- DoLS waiting list, expiries and annual return counts - Eclipse reporting database
-- (PostgreSQL 13+). Parameters are psql variables:
--   psql -v report_start="'2024-04-01'" -v report_end="'2025-03-31'" -f dols-waiting-list.sql
-- Form answers are found through dols_form_mapping, loaded from config/forms/form-mapping.csv:
--   CREATE TABLE IF NOT EXISTS dols_form_mapping (
--       logical_name text PRIMARY KEY, eclipse_form text, design_guid uuid,
--       control_name text, data_type text);
--   \copy dols_form_mapping FROM 'form-mapping.csv' WITH (FORMAT csv, HEADER true)
-- =====================================================================================

-- Helper: one row per DoLS request with the answers the report needs
CREATE TEMP VIEW dols_requests AS
WITH answers AS (
    SELECT fi.form_instance_id,
           fi.person_id,
           fi.created_at,
           m.logical_name,
           fa.value_text,
           fa.value_date
    FROM eclipse.form_instance AS fi
    JOIN eclipse.form_answer   AS fa ON fa.form_instance_id = fi.form_instance_id
    JOIN dols_form_mapping     AS m  ON m.design_guid = fi.design_guid
                                    AND m.control_name = fa.control_name
    WHERE m.eclipse_form IN ('DoLS request and triage', 'DoLS authorisation decision')
)
SELECT req.form_instance_id                                   AS request_id,
       req.person_id,
       max(a.value_date) FILTER (WHERE a.logical_name = 'request_received')  AS received_on,
       max(a.value_text) FILTER (WHERE a.logical_name = 'request_type')      AS request_type,
       max(a.value_text) FILTER (WHERE a.logical_name = 'priority')          AS priority,
       max(a.value_text) FILTER (WHERE a.logical_name = 'managing_authority_type') AS setting,
       dec.decision,
       dec.decided_on,
       dec.auth_start,
       dec.auth_end
FROM eclipse.form_instance AS req
JOIN dols_form_mapping AS rm
  ON rm.design_guid = req.design_guid AND rm.eclipse_form = 'DoLS request and triage'
JOIN answers AS a ON a.form_instance_id = req.form_instance_id
LEFT JOIN LATERAL (
    SELECT max(d.value_text) FILTER (WHERE d.logical_name = 'decision')   AS decision,
           min(d.created_at)::date                                       AS decided_on,
           max(d.value_date) FILTER (WHERE d.logical_name = 'auth_start') AS auth_start,
           max(d.value_date) FILTER (WHERE d.logical_name = 'auth_end')   AS auth_end
    FROM answers AS d
    JOIN eclipse.form_link AS fl
      ON fl.child_form_instance_id = d.form_instance_id
     AND fl.parent_form_instance_id = req.form_instance_id
) AS dec ON true
GROUP BY req.form_instance_id, req.person_id, dec.decision, dec.decided_on, dec.auth_start, dec.auth_end;

-- 1. Waiting list at :report_end by priority and time waiting
SELECT coalesce(priority, 'NOT TRIAGED')                                   AS priority,
       count(*)                                                            AS requests_waiting,
       count(*) FILTER (WHERE :report_end::date - received_on <= 28)       AS up_to_28_days,
       count(*) FILTER (WHERE :report_end::date - received_on BETWEEN 29 AND 90) AS days_29_to_90,
       count(*) FILTER (WHERE :report_end::date - received_on BETWEEN 91 AND 365) AS days_91_to_365,
       count(*) FILTER (WHERE :report_end::date - received_on > 365)       AS over_a_year,
       max(:report_end::date - received_on)                                AS longest_wait_days
FROM dols_requests
WHERE received_on <= :report_end::date
  AND (decided_on IS NULL OR decided_on > :report_end::date)
GROUP BY 1
ORDER BY array_position(ARRAY['URGENT','HIGH','MEDIUM','LOW','NOT TRIAGED'], coalesce(priority, 'NOT TRIAGED'));

-- 2. Authorisations ending in the 28 days after :report_end (further request expected)
SELECT setting,
       count(*)                          AS authorisations_ending,
       min(auth_end)                     AS first_end_date
FROM dols_requests
WHERE decision = 'GRANTED'
  AND auth_end BETWEEN :report_end::date AND :report_end::date + 28
GROUP BY setting
ORDER BY setting;

-- 3. Annual return style counts for the period
SELECT count(*) FILTER (WHERE received_on BETWEEN :report_start::date AND :report_end::date)        AS applications_received,
       count(*) FILTER (WHERE decided_on BETWEEN :report_start::date AND :report_end::date)         AS applications_completed,
       count(*) FILTER (WHERE decided_on BETWEEN :report_start::date AND :report_end::date
                          AND decision = 'GRANTED')                                                  AS granted,
       count(*) FILTER (WHERE decided_on BETWEEN :report_start::date AND :report_end::date
                          AND decision = 'NOT_GRANTED')                                              AS not_granted,
       count(*) FILTER (WHERE decided_on BETWEEN :report_start::date AND :report_end::date
                          AND decision IN ('WITHDRAWN', 'DIED', 'LEFT'))                             AS withdrawn_or_ended,
       round(avg(decided_on - received_on) FILTER (
             WHERE decided_on BETWEEN :report_start::date AND :report_end::date), 1)                AS mean_days_to_complete,
       count(*) FILTER (WHERE decided_on BETWEEN :report_start::date AND :report_end::date
                          AND request_type IN ('STANDARD', 'FURTHER')
                          AND decided_on - received_on <= 21)                                        AS standard_within_21_days
FROM dols_requests;
