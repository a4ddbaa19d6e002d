/* Standard safeguarding dataset - cin_episodes - LCS reporting warehouse (T-SQL)
   One row per referral in the window. Parameters: @ReportStart, @ReportEnd. */
SET NOCOUNT ON;
DECLARE @ReportStart date = DATEADD(year, -6, CAST(GETDATE() AS date));
DECLARE @ReportEnd   date = CAST(GETDATE() AS date);

IF OBJECT_ID('ssd.cin_episodes') IS NOT NULL DROP TABLE ssd.cin_episodes;

SELECT
    CAST(r.FACT_REFERRAL_ID AS varchar(20))      AS referral_id,
    CAST(r.DIM_PERSON_ID AS varchar(20))         AS person_id,
    CAST(r.REFRL_START_DTTM AS date)             AS referral_date,
    r.REFRL_SOURCE_CODE                          AS referral_source,
    CASE WHEN r.REFRL_NFA_FLAG = 'Y' THEN 'Y' ELSE 'N' END AS nfa_flag,
    CAST(r.REFRL_END_DTTM AS date)               AS cin_closure_date,
    r.REFRL_ENDRSN                               AS reason_for_closure,
    r.PRIMARY_NEED_CODE                          AS primary_need
INTO ssd.cin_episodes
FROM dbo.FACT_REFERRALS AS r
JOIN ssd.person AS p ON p.person_id = CAST(r.DIM_PERSON_ID AS varchar(20))
WHERE r.REFRL_START_DTTM <= @ReportEnd
  AND (r.REFRL_END_DTTM IS NULL OR r.REFRL_END_DTTM >= @ReportStart);
