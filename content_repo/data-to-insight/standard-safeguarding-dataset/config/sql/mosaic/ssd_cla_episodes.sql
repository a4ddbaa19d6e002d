/* Standard safeguarding dataset - cla_episodes (SSDA903 episodes layout) - Mosaic (T-SQL)
   Parameters: @ReportStart, @ReportEnd. */
SET NOCOUNT ON;
DECLARE @ReportStart date = DATEADD(year, -6, CAST(GETDATE() AS date));
DECLARE @ReportEnd   date = CAST(GETDATE() AS date);

IF OBJECT_ID('ssd.cla_episodes') IS NOT NULL DROP TABLE ssd.cla_episodes;

SELECT
    CAST(e.PERSON_ID AS varchar(20))                 AS person_id,
    e.START_DATE                                     AS decom,
    e.REASON_NEW_EPISODE                             AS rne,
    lg.LEGAL_STATUS                                  AS ls,
    poc.CATEGORY_OF_NEED                             AS cin,
    pl.PLACEMENT_TYPE                                AS place,
    pl.PROVIDER_TYPE                                 AS place_provider,
    e.END_DATE                                       AS dec,
    e.REASON_CEASED                                  AS rec,
    pl.CHANGE_REASON                                 AS reason_place_change,
    LEFT(REPLACE(ha.POST_CODE, ' ', ''), LEN(REPLACE(ha.POST_CODE, ' ', '')) - 2) AS home_post,
    LEFT(REPLACE(pl.POST_CODE, ' ', ''), LEN(REPLACE(pl.POST_CODE, ' ', '')) - 2) AS pl_post,
    COALESCE(pl.OFSTED_URN, 'XXXXXXX')               AS urn
INTO ssd.cla_episodes
FROM dbo.DM_CLA_EPISODES AS e
JOIN dbo.DM_PERIODS_OF_CARE AS poc ON poc.PERIOD_OF_CARE_ID = e.PERIOD_OF_CARE_ID
JOIN dbo.DM_PLACEMENTS AS pl ON pl.PLACEMENT_ID = e.PLACEMENT_ID
OUTER APPLY (
    SELECT TOP (1) l.LEGAL_STATUS FROM dbo.DM_LEGAL_STATUSES AS l
    WHERE l.PERSON_ID = e.PERSON_ID AND l.START_DATE <= e.START_DATE
    ORDER BY l.START_DATE DESC
) AS lg
OUTER APPLY (
    SELECT TOP (1) a.POST_CODE FROM dbo.DM_ADDRESSES AS a
    WHERE a.PERSON_ID = e.PERSON_ID AND a.START_DATE <= poc.START_DATE
    ORDER BY a.START_DATE DESC
) AS ha
WHERE e.START_DATE <= @ReportEnd
  AND (e.END_DATE IS NULL OR e.END_DATE >= @ReportStart);
