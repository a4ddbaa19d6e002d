-- schema: eclipse-views, ssd
-- Standard Safeguarding Dataset 1.4.5 - ssd_cla_placement - OLM Eclipse (PostgreSQL)
-- Item references CLAP001A-CLAP013A. Eclipse holds the placement on each episode
-- (CLAEPISODEOFCAREVIEW: placement address, type code, provision code, postcode, change
-- reason); consecutive episodes at the same placement address are one placement.
TRUNCATE TABLE ssd_cla_placement;

WITH episodes AS (
    SELECT e.*,
           CASE WHEN LAG(e.PLACEMENTADDRESSID) OVER (PARTITION BY e.PERSONID ORDER BY e.EOCSTARTDATE)
                     = e.PLACEMENTADDRESSID THEN 0 ELSE 1 END AS starts_placement
    FROM CLAEPISODEOFCAREVIEW AS e
),
numbered AS (
    SELECT ep.*, SUM(ep.starts_placement) OVER (PARTITION BY ep.PERSONID ORDER BY ep.EOCSTARTDATE) AS placement_no
    FROM episodes AS ep
)
INSERT INTO ssd_cla_placement (
    clap_cla_placement_id, clap_cla_id, clap_person_id, clap_cla_placement_start_date,
    clap_cla_placement_type, clap_cla_placement_urn, clap_cla_placement_distance,
    clap_cla_placement_provider, clap_cla_placement_postcode, clap_cla_placement_end_date,
    clap_cla_placement_change_reason
)
SELECT
    MIN(n.EPISODEOFCAREID)::text,
    MIN(n.PERIODOFCAREID)::text,
    n.PERSONID::text,
    MIN(n.EOCSTARTDATE),
    MIN(n.PLACEMENTTYPECODE),
    NULL,
    NULL,
    MIN(n.PLACEMENTPROVISIONCODE),
    MIN(n.PLACEMENTPOSTCODE),
    CASE WHEN BOOL_AND(n.EOCENDDATE IS NOT NULL) THEN MAX(n.EOCENDDATE) END,
    MAX(n.PLACEMENTCHANGEREASONCODE)
FROM numbered AS n
GROUP BY n.PERSONID, n.placement_no;
