-- =====================================================================================
-- SSDA903 OC3 (care leavers) extract - Eclipse reporting database (PostgreSQL 13+)
-- -------------------------------------------------------------------------------------
-- Young people who were looked after for 13 weeks or more after their 14th birthday,
-- including some time after their 16th, and who have their 17th to 21st birthday in the
-- collection year. For each: the keep-in-touch contact recorded between 3 months before
-- and 1 month after the birthday (the latest one), mapped to the 903 codes held in the
-- reference data's ssda903_code column.
-- Output columns: CHILD, DOB, IN_TOUCH, ACTIV, ACCOM.
-- Parameters (psql variables): :report_start, :report_end
--   psql -v report_start="'2024-04-01'" -v report_end="'2025-03-31'" -f oc3-extract.sql
-- Requires cl_form_mapping (from config/forms/form-mapping.csv) and cl_reference_data
-- (the reference CSVs with a column "lookup" added) in schema public.
-- =====================================================================================

WITH care_leavers AS (
    SELECT p.person_id,
           p.date_of_birth,
           b.birthday
    FROM eclipse.person AS p
    JOIN eclipse.care_leaver_status AS s
      ON s.person_id = p.person_id
     AND s.status_code IN ('ELIGIBLE', 'RELEVANT', 'FORMER_RELEVANT')
    CROSS JOIN LATERAL (
        SELECT (p.date_of_birth + make_interval(years => n))::date AS birthday
        FROM generate_series(17, 21) AS n
    ) AS b
    WHERE b.birthday BETWEEN :report_start::date AND :report_end::date
    GROUP BY p.person_id, p.date_of_birth, b.birthday
),
kit AS (
    SELECT fi.person_id,
           fi.form_instance_id,
           max(fa.value_date) FILTER (WHERE m.logical_name = 'contact_date')          AS contact_date,
           max(fa.value_text) FILTER (WHERE m.logical_name = 'in_touch')              AS in_touch,
           max(fa.value_text) FILTER (WHERE m.logical_name = 'activity')              AS activity,
           max(fa.value_text) FILTER (WHERE m.logical_name = 'accommodation')         AS accommodation,
           max(fa.value_text) FILTER (WHERE m.logical_name = 'accommodation_suitable') AS suitable
    FROM eclipse.form_instance AS fi
    JOIN eclipse.form_answer AS fa ON fa.form_instance_id = fi.form_instance_id
    JOIN cl_form_mapping AS m
      ON m.design_guid = fi.design_guid
     AND m.control_name = fa.control_name
     AND m.eclipse_form = 'Keep in touch contact'
    GROUP BY fi.person_id, fi.form_instance_id
),
chosen AS (
    SELECT DISTINCT ON (cl.person_id, cl.birthday)
           cl.person_id, cl.date_of_birth, cl.birthday,
           k.in_touch, k.activity, k.accommodation, k.suitable
    FROM care_leavers AS cl
    LEFT JOIN kit AS k
      ON k.person_id = cl.person_id
     AND k.contact_date BETWEEN (cl.birthday - interval '3 months')::date
                            AND (cl.birthday + interval '1 month')::date
    ORDER BY cl.person_id, cl.birthday, k.contact_date DESC NULLS LAST
)
SELECT c.person_id::text                                   AS "CHILD",
       to_char(c.date_of_birth, 'DD/MM/YYYY')              AS "DOB",
       coalesce(it.ssda903_code, 'NO')                     AS "IN_TOUCH",
       CASE WHEN coalesce(it.ssda903_code, 'NO') IN ('YES') THEN ac.ssda903_code END AS "ACTIV",
       CASE WHEN coalesce(it.ssda903_code, 'NO') IN ('YES')
            THEN acc.ssda903_code || CASE c.suitable WHEN 'Y' THEN '1' WHEN 'N' THEN '2' ELSE '' END
       END                                                 AS "ACCOM"
FROM chosen AS c
LEFT JOIN cl_reference_data AS it  ON it.lookup = 'CL_IN_TOUCH'      AND it.code = c.in_touch
LEFT JOIN cl_reference_data AS ac  ON ac.lookup = 'CL_ACTIVITY'      AND ac.code = c.activity
LEFT JOIN cl_reference_data AS acc ON acc.lookup = 'CL_ACCOMMODATION' AND acc.code = c.accommodation
ORDER BY "CHILD";
