-- schema: mosaic-warehouse, ssd
/* Standard Safeguarding Dataset 1.4.5 - ssd_legal_status - Mosaic data warehouse (T-SQL)
   Item references LEGA001A-LEGA005A. Source: DM_LEGAL_STATUSES, one row per legal status. */
SET NOCOUNT ON;

TRUNCATE TABLE ssd_development.ssd_legal_status;

INSERT INTO ssd_development.ssd_legal_status (
    lega_legal_status_id, lega_person_id, lega_legal_status, lega_legal_status_start_date,
    lega_legal_status_end_date
)
SELECT leg.LEGAL_STATUS_ID,
       CAST(leg.PERSON_ID AS nvarchar(48)),
       leg.LEGAL_STATUS,
       leg.START_DATE,
       leg.END_DATE
FROM dbo.DM_LEGAL_STATUSES AS leg
WHERE EXISTS (SELECT 1 FROM ssd_development.ssd_person AS sp
               WHERE sp.pers_person_id = CAST(leg.PERSON_ID AS nvarchar(48)));
