-- schema: mosaic-warehouse, ssd
/* Standard Safeguarding Dataset 1.4.5 - ssd_cla_placement - Mosaic data warehouse (T-SQL)
   Item references CLAP001A-CLAP013A. Source: DM_PLACEMENTS (placement type, dates, change
   reason) with the placement's service detail from DM_PLACEMENT_DETAILS (provider category
   code and Ofsted URN), linked through DM_CLA_SUMMARIES. Distance and postcode come from
   the carer's address (DM_PLACEMENT_CARER_ADDRESSES) in the full extract; left to local
   mapping here. */
SET NOCOUNT ON;

TRUNCATE TABLE ssd_development.ssd_cla_placement;

WITH placement_detail AS (
    SELECT DISTINCT s.PLACEMENT_ID, s.PLACEMENT_SPLIT_NUMBER, s.ELEMENT_DETAIL_ID,
           s.SERVICE_SPLIT_NUMBER, s.PERIOD_OF_CARE_ID
    FROM dbo.DM_CLA_SUMMARIES AS s
)
INSERT INTO ssd_development.ssd_cla_placement (
    clap_cla_placement_id, clap_cla_id, clap_person_id, clap_cla_placement_start_date,
    clap_cla_placement_type, clap_cla_placement_urn, clap_cla_placement_distance,
    clap_cla_placement_provider, clap_cla_placement_postcode, clap_cla_placement_end_date,
    clap_cla_placement_change_reason
)
SELECT
    pla.PLACEMENT_ID,
    pla.PERIOD_OF_CARE_ID,
    CAST(pla.PERSON_ID AS nvarchar(48)),
    pla.START_DATE,
    pla.PLACEMENT_TYPE,
    pld.OFSTED_URN,
    NULL,
    pld.CIN_PROVIDER_CATEGORY_CODE,
    NULL,
    pla.END_DATE,
    pla.REASON_FOR_PLACEMENT_CHANGE
FROM dbo.DM_PLACEMENTS AS pla
LEFT JOIN placement_detail AS pd
  ON pd.PLACEMENT_ID = pla.PLACEMENT_ID AND pd.PLACEMENT_SPLIT_NUMBER = pla.SPLIT_NUMBER
LEFT JOIN dbo.DM_PLACEMENT_DETAILS AS pld
  ON pld.ELEMENT_DETAIL_ID = pd.ELEMENT_DETAIL_ID AND pld.SPLIT_NUMBER = pd.SERVICE_SPLIT_NUMBER
WHERE EXISTS (SELECT 1 FROM ssd_development.ssd_person AS sp
               WHERE sp.pers_person_id = CAST(pla.PERSON_ID AS nvarchar(48)));
