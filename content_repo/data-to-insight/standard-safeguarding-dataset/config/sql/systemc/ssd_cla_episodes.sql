/* Standard safeguarding dataset - cla_episodes (SSDA903 episodes layout) - LCS warehouse (T-SQL)
   Parameters: @ReportStart, @ReportEnd. Partial postcodes: outward code plus sector digit. */
SET NOCOUNT ON;
DECLARE @ReportStart date = DATEADD(year, -6, CAST(GETDATE() AS date));
DECLARE @ReportEnd   date = CAST(GETDATE() AS date);

IF OBJECT_ID('ssd.cla_episodes') IS NOT NULL DROP TABLE ssd.cla_episodes;

SELECT
    CAST(e.DIM_PERSON_ID AS varchar(20))                       AS person_id,
    CAST(e.EPISODE_START_DTTM AS date)                         AS decom,
    e.RNE_CODE                                                 AS rne,
    e.LEGAL_STATUS_CODE                                        AS ls,
    e.CIN_CODE                                                 AS cin,
    pl.PLACEMENT_TYPE_CODE                                     AS place,
    pl.PROVIDER_CODE                                           AS place_provider,
    CAST(e.EPISODE_END_DTTM AS date)                           AS dec,
    e.REC_CODE                                                 AS rec,
    pl.CHANGE_REASON_CODE                                      AS reason_place_change,
    LEFT(REPLACE(ha.POSTCODE, ' ', ''), LEN(REPLACE(ha.POSTCODE, ' ', '')) - 2) AS home_post,
    LEFT(REPLACE(pl.PLACEMENT_POSTCODE, ' ', ''), LEN(REPLACE(pl.PLACEMENT_POSTCODE, ' ', '')) - 2) AS pl_post,
    COALESCE(pl.OFSTED_URN, 'XXXXXXX')                         AS urn
INTO ssd.cla_episodes
FROM dbo.FACT_CLA_EPISODE AS e
JOIN dbo.FACT_CLA_PLACEMENT AS pl
  ON pl.FACT_CLA_PLACEMENT_ID = e.FACT_CLA_PLACEMENT_ID
OUTER APPLY (
    SELECT TOP (1) a.POSTCODE
    FROM dbo.DIM_PERSON_ADDRESS AS a
    WHERE a.DIM_PERSON_ID = e.DIM_PERSON_ID
      AND a.ADDRESS_TYPE = 'HOME_BEFORE_CARE'
    ORDER BY a.START_DTTM DESC
) AS ha
WHERE e.EPISODE_START_DTTM <= @ReportEnd
  AND (e.EPISODE_END_DTTM IS NULL OR e.EPISODE_END_DTTM >= @ReportStart);
