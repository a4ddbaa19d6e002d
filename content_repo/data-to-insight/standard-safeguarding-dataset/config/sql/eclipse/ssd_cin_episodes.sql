-- Standard safeguarding dataset - cin_episodes - Eclipse reporting database (PostgreSQL)
DROP TABLE IF EXISTS ssd.cin_episodes;

CREATE TABLE ssd.cin_episodes AS
SELECT r.referral_id::text           AS referral_id,
       r.person_id::text             AS person_id,
       r.referral_date               AS referral_date,
       r.source_census_code          AS referral_source,
       CASE WHEN r.nfa THEN 'Y' ELSE 'N' END AS nfa_flag,
       ce.end_date                   AS cin_closure_date,
       ce.closure_reason_code        AS reason_for_closure,
       ce.primary_need_code          AS primary_need
FROM eclipse.referral AS r
JOIN ssd.person AS p ON p.person_id = r.person_id::text
LEFT JOIN eclipse.cin_episode AS ce ON ce.referral_id = r.referral_id
WHERE r.referral_date <= :report_end::date
  AND (ce.end_date IS NULL OR ce.end_date >= :report_start::date);
