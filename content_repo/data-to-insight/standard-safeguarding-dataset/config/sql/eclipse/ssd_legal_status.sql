-- schema: eclipse-views, ssd
-- Standard Safeguarding Dataset 1.4.5 - ssd_legal_status - OLM Eclipse (PostgreSQL)
-- Item references LEGA001A-LEGA005A. Eclipse holds the legal status on each episode of care
-- (CLAEPISODEOFCAREVIEW.LEGALSTATUS); a legal status runs from the first episode that has it
-- to the end of the last consecutive one.
TRUNCATE TABLE ssd_legal_status;

WITH episodes AS (
    SELECT e.EPISODEOFCAREID, e.PERSONID, e.LEGALSTATUS, e.EOCSTARTDATE, e.EOCENDDATE,
           CASE WHEN LAG(e.LEGALSTATUS) OVER (PARTITION BY e.PERSONID ORDER BY e.EOCSTARTDATE)
                     = e.LEGALSTATUS THEN 0 ELSE 1 END AS starts_status
    FROM CLAEPISODEOFCAREVIEW AS e
),
numbered AS (
    SELECT ep.*, SUM(ep.starts_status) OVER (PARTITION BY ep.PERSONID ORDER BY ep.EOCSTARTDATE) AS status_no
    FROM episodes AS ep
)
INSERT INTO ssd_legal_status (
    lega_legal_status_id, lega_person_id, lega_legal_status, lega_legal_status_start_date,
    lega_legal_status_end_date
)
SELECT MIN(n.EPISODEOFCAREID)::text,
       n.PERSONID::text,
       MIN(n.LEGALSTATUS),
       MIN(n.EOCSTARTDATE),
       CASE WHEN BOOL_AND(n.EOCENDDATE IS NOT NULL) THEN MAX(n.EOCENDDATE) END
FROM numbered AS n
GROUP BY n.PERSONID, n.status_no;
