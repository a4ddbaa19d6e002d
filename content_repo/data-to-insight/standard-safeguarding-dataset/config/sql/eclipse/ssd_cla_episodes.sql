-- Standard safeguarding dataset - cla_episodes (SSDA903 episodes layout) - Eclipse (PostgreSQL)
DROP TABLE IF EXISTS ssd.cla_episodes;

CREATE TABLE ssd.cla_episodes AS
SELECT e.person_id::text                                            AS person_id,
       e.start_date                                                 AS decom,
       e.rne_code                                                   AS rne,
       ls.census_code                                               AS ls,
       poc.category_of_need                                         AS cin,
       pl.placement_type_code                                       AS place,
       pl.provider_code                                             AS place_provider,
       e.end_date                                                   AS dec,
       e.rec_code                                                   AS rec,
       pl.change_reason_code                                        AS reason_place_change,
       left(replace(ha.postcode, ' ', ''), length(replace(ha.postcode, ' ', '')) - 2) AS home_post,
       left(replace(pl.postcode, ' ', ''), length(replace(pl.postcode, ' ', '')) - 2) AS pl_post,
       coalesce(pl.ofsted_urn, 'XXXXXXX')                           AS urn
FROM eclipse.cla_episode AS e
JOIN eclipse.period_of_care AS poc ON poc.period_of_care_id = e.period_of_care_id
JOIN eclipse.placement AS pl ON pl.placement_id = e.placement_id
LEFT JOIN LATERAL (
    SELECT l.census_code FROM eclipse.legal_status AS l
    WHERE l.person_id = e.person_id AND l.start_date <= e.start_date
    ORDER BY l.start_date DESC LIMIT 1
) AS ls ON true
LEFT JOIN LATERAL (
    SELECT a.postcode FROM eclipse.address AS a
    WHERE a.person_id = e.person_id AND a.start_date <= poc.start_date
    ORDER BY a.start_date DESC LIMIT 1
) AS ha ON true
WHERE e.start_date <= :report_end::date
  AND (e.end_date IS NULL OR e.end_date >= :report_start::date);
