-- schema: lcs-warehouse, ssd
/* Standard Safeguarding Dataset 1.4.5 - ssd_cla_placement - System C (T-SQL)
   Item references CLAP001A-CLAP013A. Placements are their own table: a placement can span
   several care episodes (a change of legal status starts a new episode, not a new placement).
   Source: FACT_CLA_PLACEMENT; the Ofsted URN comes from the placement's care episodes
   (FACT_CARE_EPISODES.OFSTED_URN, children's home URNs start SC). Placeholder postcodes of
   four characters or fewer are left out. */
SET NOCOUNT ON;
DECLARE @ssd_timeframe_years int = 6;

TRUNCATE TABLE ssd_development.ssd_cla_placement;

INSERT INTO ssd_development.ssd_cla_placement (
    clap_cla_placement_id, clap_cla_id, clap_person_id, clap_cla_placement_start_date,
    clap_cla_placement_type, clap_cla_placement_urn, clap_cla_placement_distance,
    clap_cla_placement_provider, clap_cla_placement_postcode, clap_cla_placement_end_date,
    clap_cla_placement_change_reason
)
SELECT
    pl.FACT_CLA_PLACEMENT_ID,
    pl.FACT_CLA_ID,
    CAST(pl.DIM_PERSON_ID AS nvarchar(48)),
    pl.START_DTTM,
    pl.DIM_LOOKUP_PLACEMENT_TYPE_CODE,
    urn.OFSTED_URN,
    TRY_CAST(pl.DISTANCE_FROM_HOME AS float),
    pl.DIM_LOOKUP_PLACEMENT_PROVIDER_CODE,
    CASE WHEN LEN(LTRIM(RTRIM(pl.POSTCODE))) <= 4 THEN NULL ELSE LTRIM(RTRIM(pl.POSTCODE)) END,
    pl.END_DTTM,
    pl.DIM_LOOKUP_PLAC_CHNG_REAS_CODE
FROM HDM.Child_Social.FACT_CLA_PLACEMENT AS pl
OUTER APPLY (
    SELECT TOP (1) ce.OFSTED_URN
    FROM HDM.Child_Social.FACT_CARE_EPISODES AS ce
    WHERE ce.FACT_CLA_PLACEMENT_ID = pl.FACT_CLA_PLACEMENT_ID
      AND ce.OFSTED_URN LIKE 'SC%'
) AS urn
WHERE (pl.END_DTTM IS NULL OR pl.END_DTTM >= DATEADD(year, -@ssd_timeframe_years, GETDATE()))
  AND EXISTS (SELECT 1 FROM ssd_development.ssd_person AS sp
               WHERE sp.pers_person_id = CAST(pl.DIM_PERSON_ID AS nvarchar(48)));
