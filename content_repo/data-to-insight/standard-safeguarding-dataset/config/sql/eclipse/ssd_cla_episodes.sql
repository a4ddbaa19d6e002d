-- schema: eclipse-views, ssd
-- Standard Safeguarding Dataset 1.4.5 - ssd_cla_episodes - OLM Eclipse (PostgreSQL)
-- Item references CLAE001A-CLAE014A. Source: CLAEPISODEOFCAREVIEW (one row per episode) and
-- its period of care, CLAPERIODOFCAREVIEW (entered care date). Eclipse records the category
-- of need as text; it is mapped to the N codes here.
TRUNCATE TABLE ssd_cla_episodes;

INSERT INTO ssd_cla_episodes (
    clae_cla_episode_id, clae_person_id, clae_cla_placement_id, clae_cla_episode_start_date,
    clae_cla_episode_start_reason, clae_cla_primary_need_code, clae_cla_episode_ceased_date,
    clae_cla_episode_ceased_reason, clae_cla_id, clae_referral_id, clae_cla_last_iro_contact_date,
    clae_entered_care_date
)
SELECT
    e.EPISODEOFCAREID::text,
    e.PERSONID::text,
    e.PLACEMENTADDRESSID::text,
    e.EOCSTARTDATE,
    e.EOCSTARTREASONCODE,
    CASE e.CATEGORYOFNEED
        WHEN 'Abuse or neglect' THEN 'N1'
        WHEN 'Child''s disability' THEN 'N2'
        WHEN 'Parental illness/disability' THEN 'N3'
        WHEN 'Family in acute stress' THEN 'N4'
        WHEN 'Family dysfunction' THEN 'N5'
        WHEN 'Socially unacceptable behaviour' THEN 'N6'
        WHEN 'Low income' THEN 'N7'
        WHEN 'Absent parenting' THEN 'N8'
        WHEN 'Cases other than child in need' THEN 'N9'
        WHEN 'Not stated' THEN 'N0'
    END,
    e.EOCENDDATE,
    e.EOCENDREASONCODE,
    e.PERIODOFCAREID::text,
    NULL,
    NULL,
    poc.ADMISSIONDATE
FROM CLAEPISODEOFCAREVIEW AS e
LEFT JOIN CLAPERIODOFCAREVIEW AS poc
  ON poc.PERSONID = e.PERSONID AND poc.PERIODOFCAREID = e.PERIODOFCAREID;
