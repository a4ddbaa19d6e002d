-- schema: lcs-warehouse, ssd
/* Standard Safeguarding Dataset 1.4.5 - ssd_cla_episodes - System C (T-SQL)
   Item references CLAE001A-CLAE014A. Source: FACT_CARE_EPISODES (one row per 903 episode)
   joined to its period of care, FACT_CLA. The last IRO contact is the latest IRO case note
   (case note type IRO). Placements are in ssd_cla_placement and legal statuses in
   ssd_legal_status; this table links to the placement by clae_cla_placement_id. */
SET NOCOUNT ON;
DECLARE @ssd_timeframe_years int = 6;

TRUNCATE TABLE ssd_development.ssd_cla_episodes;

INSERT INTO ssd_development.ssd_cla_episodes (
    clae_cla_episode_id, clae_person_id, clae_cla_placement_id, clae_cla_episode_start_date,
    clae_cla_episode_start_reason, clae_cla_primary_need_code, clae_cla_episode_ceased_date,
    clae_cla_episode_ceased_reason, clae_cla_id, clae_referral_id, clae_cla_last_iro_contact_date,
    clae_entered_care_date
)
SELECT
    ce.FACT_CARE_EPISODES_ID,
    CAST(ce.DIM_PERSON_ID AS nvarchar(48)),
    ce.FACT_CLA_PLACEMENT_ID,
    ce.CARE_START_DATE,
    ce.CARE_REASON_DESC,
    ce.CIN_903_CODE,
    ce.CARE_END_DATE,
    ce.CARE_REASON_END_DESC,
    cla.FACT_CLA_ID,
    cla.FACT_REFERRAL_ID,
    iro.last_iro_contact,
    cla.START_DTTM
FROM HDM.Child_Social.FACT_CARE_EPISODES AS ce
JOIN HDM.Child_Social.FACT_CLA AS cla ON cla.FACT_CLA_ID = ce.FACT_CLA_ID
OUTER APPLY (
    SELECT MAX(cn.EVENT_DTTM) AS last_iro_contact
    FROM HDM.Child_Social.FACT_CASENOTES AS cn
    WHERE cn.DIM_PERSON_ID = ce.DIM_PERSON_ID
      AND cn.DIM_LOOKUP_CASNT_TYPE_ID_CODE = 'IRO'
) AS iro
WHERE (ce.CARE_END_DATE IS NULL OR ce.CARE_END_DATE >= DATEADD(year, -@ssd_timeframe_years, GETDATE()))
  AND EXISTS (SELECT 1 FROM ssd_development.ssd_person AS sp
               WHERE sp.pers_person_id = CAST(ce.DIM_PERSON_ID AS nvarchar(48)));
