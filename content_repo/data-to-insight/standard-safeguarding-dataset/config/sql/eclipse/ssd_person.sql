-- Standard safeguarding dataset - person - Eclipse reporting database (PostgreSQL)
-- psql -v report_start="'2019-04-01'" -v report_end="'2025-03-31'" -f ssd_person.sql
DROP TABLE IF EXISTS ssd.person;

CREATE TABLE ssd.person AS
SELECT p.person_id::text                                               AS person_id,
       CASE p.gender_code WHEN 'M' THEN 'M' WHEN 'F' THEN 'F' WHEN 'I' THEN 'I' ELSE 'U' END AS sex,
       eth.dfe_code                                                    AS ethnicity,
       date_trunc('month', p.date_of_birth)::date                      AS birth_month,
       date_trunc('month', p.expected_date_of_birth)::date             AS expected_birth_month,
       CASE WHEN EXISTS (SELECT 1 FROM eclipse.person_disability AS d
                          WHERE d.person_id = p.person_id AND d.census_code <> 'NONE')
            THEN 'Y' ELSE 'N' END                                      AS disability,
       CASE WHEN EXISTS (SELECT 1 FROM eclipse.person_flag AS f
                          WHERE f.person_id = p.person_id AND f.flag_code = 'UASC')
            THEN 'Y' ELSE 'N' END                                      AS uasc_ever
FROM eclipse.person AS p
LEFT JOIN LATERAL (
    SELECT e.dfe_code FROM eclipse.person_ethnicity AS e
    WHERE e.person_id = p.person_id
    ORDER BY e.recorded_at DESC
    LIMIT 1
) AS eth ON true
WHERE EXISTS (SELECT 1 FROM eclipse.referral AS r
               WHERE r.person_id = p.person_id
                 AND r.referral_date <= :report_end::date)
   OR EXISTS (SELECT 1 FROM eclipse.cla_episode AS c
               WHERE c.person_id = p.person_id
                 AND c.start_date <= :report_end::date
                 AND (c.end_date IS NULL OR c.end_date >= :report_start::date));

ALTER TABLE ssd.person ADD PRIMARY KEY (person_id);
