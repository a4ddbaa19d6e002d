/* =====================================================================================
   Payment reconciliation before a payment run - ContrOCC database (T-SQL)
   -------------------------------------------------------------------------------------
   Exceptions to clear before authorising the run for the period @PeriodStart-@PeriodEnd:
     1. live service agreements with no payment line in the proposed run
     2. proposed payment lines with no live service agreement for the period
     3. possible duplicates: same provider, client and element with overlapping periods
     4. rate mismatches: agreement rate differs from the rate band for the period
     5. homecare lines paid on planned hours for providers with monitoring (rule PR02)
   Table names follow the ContrOCC reporting views; adjust the schema name if yours differs.
   Parameters: @PeriodStart, @PeriodEnd, @RunNumber (the proposed run).
   ===================================================================================== */
SET NOCOUNT ON;

DECLARE @PeriodStart date = '2025-04-07';
DECLARE @PeriodEnd   date = '2025-05-04';
DECLARE @RunNumber   int  = NULL;       -- set to the proposed run number before running

-- 1. Agreements without payment
SELECT 'Agreement without payment'            AS exception,
       sa.ServiceAgreementRef,
       sa.ProviderRef,
       sa.ElementTypeCode,
       sa.StartDate, sa.EndDate
FROM rpt.ServiceAgreement AS sa
WHERE sa.StartDate <= @PeriodEnd
  AND (sa.EndDate IS NULL OR sa.EndDate >= @PeriodStart)
  AND sa.Status = 'Live'
  AND NOT EXISTS (
        SELECT 1 FROM rpt.ProposedPaymentLine AS pl
        WHERE pl.RunNumber = @RunNumber
          AND pl.ServiceAgreementRef = sa.ServiceAgreementRef)
  AND NOT EXISTS (                                   -- suspended for the whole period
        SELECT 1 FROM rpt.Suspension AS s
        WHERE s.ServiceAgreementRef = sa.ServiceAgreementRef
          AND s.StartDate <= @PeriodStart
          AND (s.EndDate IS NULL OR s.EndDate >= @PeriodEnd));

-- 2. Payment without a live agreement
SELECT 'Payment without live agreement'       AS exception,
       pl.PaymentLineRef, pl.ProviderRef, pl.ElementTypeCode, pl.PeriodStart, pl.PeriodEnd, pl.Amount
FROM rpt.ProposedPaymentLine AS pl
LEFT JOIN rpt.ServiceAgreement AS sa
       ON sa.ServiceAgreementRef = pl.ServiceAgreementRef
      AND sa.StartDate <= pl.PeriodEnd
      AND (sa.EndDate IS NULL OR sa.EndDate >= pl.PeriodStart)
WHERE pl.RunNumber = @RunNumber
  AND sa.ServiceAgreementRef IS NULL;

-- 3. Possible duplicates
SELECT 'Possible duplicate'                   AS exception,
       a.PaymentLineRef AS line_a, b.PaymentLineRef AS line_b,
       a.ProviderRef, a.ElementTypeCode, a.PeriodStart, a.PeriodEnd, a.Amount
FROM rpt.ProposedPaymentLine AS a
JOIN rpt.PaymentLine AS b
  ON b.ProviderRef = a.ProviderRef
 AND b.ClientRef = a.ClientRef
 AND b.ElementTypeCode = a.ElementTypeCode
 AND b.PaymentLineRef <> a.PaymentLineRef
 AND b.PeriodStart <= a.PeriodEnd
 AND b.PeriodEnd >= a.PeriodStart
 AND b.Status IN ('Paid', 'Proposed')
WHERE a.RunNumber = @RunNumber;

-- 4. Rate mismatches
SELECT 'Rate differs from band'               AS exception,
       sa.ServiceAgreementRef, sa.ProviderRef, sa.RateBandCode,
       sa.UnitRate AS agreement_rate, rb.Rate AS band_rate
FROM rpt.ServiceAgreement AS sa
JOIN rpt.RateBand AS rb
  ON rb.RateBandCode = sa.RateBandCode
 AND rb.EffectiveFrom <= @PeriodStart
 AND (rb.EffectiveTo IS NULL OR rb.EffectiveTo >= @PeriodStart)
WHERE sa.Status = 'Live'
  AND sa.StartDate <= @PeriodEnd
  AND (sa.EndDate IS NULL OR sa.EndDate >= @PeriodStart)
  AND sa.RateOverrideReason IS NULL
  AND sa.UnitRate <> rb.Rate;

-- 5. Homecare planned-hours payments for providers with monitoring
SELECT 'Planned hours paid despite ECM'       AS exception,
       pl.PaymentLineRef, pl.ProviderRef, pl.Amount
FROM rpt.ProposedPaymentLine AS pl
JOIN rpt.Provider AS p ON p.ProviderRef = pl.ProviderRef
WHERE pl.RunNumber = @RunNumber
  AND pl.ElementTypeCode = 'HC_PLANNED'
  AND p.HasCallMonitoring = 'Y';

-- Run summary against the previous run
SELECT cur.total AS proposed_total,
       prev.total AS previous_total,
       CAST(100.0 * (cur.total - prev.total) / NULLIF(prev.total, 0) AS decimal(6, 2)) AS pct_change
FROM (SELECT SUM(Amount) AS total FROM rpt.ProposedPaymentLine WHERE RunNumber = @RunNumber) AS cur
CROSS JOIN (SELECT TOP (1) TotalAmount AS total FROM rpt.PaymentRun
            WHERE RunNumber < @RunNumber AND Status = 'Authorised'
            ORDER BY RunNumber DESC) AS prev;
