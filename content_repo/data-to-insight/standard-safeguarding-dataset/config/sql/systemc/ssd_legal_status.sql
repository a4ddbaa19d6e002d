-- schema: lcs-warehouse, ssd
/* Standard Safeguarding Dataset 1.4.5 - ssd_legal_status - System C (T-SQL)
   Item references LEGA001A-LEGA005A. Legal statuses are their own table, not columns of the
   care episode: a change of legal status is one row here. Source: FACT_LEGAL_STATUS. */
SET NOCOUNT ON;
DECLARE @ssd_timeframe_years int = 6;

TRUNCATE TABLE ssd_development.ssd_legal_status;

INSERT INTO ssd_development.ssd_legal_status (
    lega_legal_status_id, lega_person_id, lega_legal_status, lega_legal_status_start_date,
    lega_legal_status_end_date
)
SELECT
    ls.FACT_LEGAL_STATUS_ID,
    CAST(ls.DIM_PERSON_ID AS nvarchar(48)),
    ls.DIM_LOOKUP_LGL_STATUS_DESC,
    ls.START_DTTM,
    ls.END_DTTM
FROM HDM.Child_Social.FACT_LEGAL_STATUS AS ls
WHERE (ls.END_DTTM IS NULL OR ls.END_DTTM >= DATEADD(year, -@ssd_timeframe_years, GETDATE()))
  AND EXISTS (SELECT 1 FROM ssd_development.ssd_person AS sp
               WHERE sp.pers_person_id = CAST(ls.DIM_PERSON_ID AS nvarchar(48)));
