-- schema: mosaic-warehouse, ssd
/* Standard Safeguarding Dataset 1.4.5 - ssd_cla_episodes - Mosaic data warehouse (T-SQL)
   Item references CLAE001A-CLAE014A. Source: DM_CLA_SUMMARIES, which holds one row per
   903 episode, with its placement (DM_PLACEMENTS, split by SPLIT_NUMBER), legal status
   (DM_LEGAL_STATUSES) and period of care (DM_PERIODS_OF_CARE).
   Reason for new episode: S when the legal status and placement both start with the period
   of care; L when only the legal status changed; P otherwise. The T, U and B reasons need the
   previous episode's carer; see the SSD project's Mosaic extract for the full rule. */
SET NOCOUNT ON;

TRUNCATE TABLE ssd_development.ssd_cla_episodes;

INSERT INTO ssd_development.ssd_cla_episodes (
    clae_cla_episode_id, clae_person_id, clae_cla_placement_id, clae_cla_episode_start_date,
    clae_cla_episode_start_reason, clae_cla_primary_need_code, clae_cla_episode_ceased_date,
    clae_cla_episode_ceased_reason, clae_cla_id, clae_referral_id, clae_cla_last_iro_contact_date,
    clae_entered_care_date
)
SELECT
    CONCAT(cla.PERSON_ID, '-', CONVERT(varchar(8), cla.START_DATE, 112)),
    CAST(cla.PERSON_ID AS nvarchar(48)),
    cla.PLACEMENT_ID,
    cla.START_DATE,
    CASE WHEN pla.START_DATE = poc.START_DATE AND leg.START_DATE = poc.START_DATE THEN 'S'
         WHEN leg.START_DATE > pla.START_DATE THEN 'L'
         ELSE 'P' END,
    pla.CATEGORY_OF_NEED,
    cla.END_DATE,
    pla.REASON_EPISODE_CEASED,
    cla.PERIOD_OF_CARE_ID,
    NULL,
    NULL,
    poc.START_DATE
FROM dbo.DM_CLA_SUMMARIES AS cla
JOIN dbo.DM_PERIODS_OF_CARE AS poc ON poc.PERIOD_OF_CARE_ID = cla.PERIOD_OF_CARE_ID
JOIN dbo.DM_LEGAL_STATUSES AS leg ON leg.LEGAL_STATUS_ID = cla.LEGAL_STATUS_ID
JOIN dbo.DM_PLACEMENTS AS pla
  ON pla.PLACEMENT_ID = cla.PLACEMENT_ID
 AND pla.SPLIT_NUMBER = cla.PLACEMENT_SPLIT_NUMBER
WHERE EXISTS (SELECT 1 FROM ssd_development.ssd_person AS sp
               WHERE sp.pers_person_id = CAST(cla.PERSON_ID AS nvarchar(48)));
