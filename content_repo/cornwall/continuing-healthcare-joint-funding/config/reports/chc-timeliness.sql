/* =====================================================================================
   CHC timeliness and funding - Paris reporting schema (Oracle 19c)
   -------------------------------------------------------------------------------------
   1. Standard referrals decided in the period: within 28 days of the checklist being
      received, overall and excluding cases with a recorded delay outside the ICB's control
   2. Fast track: time from tool received to care in place (target 48 hours)
   3. Current packages by funding type and split at :report_end
   4. Reviews overdue at :report_end (3-month review, then annual)
   Bind variables: :report_start, :report_end (DATE).
   ===================================================================================== */

-- 1. 28-day standard
WITH decided AS (
    SELECT r.referral_id,
           r.client_id,
           r.referral_date                                AS clock_start,
           d.activity_date                                AS decision_date,
           d.outcome_code,
           (SELECT COUNT(*) FROM paris_activity x
             WHERE x.referral_id = r.referral_id
               AND x.activity_code = 'CHC_DELAY_EXTERNAL') AS external_delays
      FROM paris_referral r
      JOIN paris_activity d
        ON d.referral_id = r.referral_id
       AND d.activity_code = 'CHC_DECISION'
     WHERE r.referral_type = 'CHC_REFERRAL'
       AND d.activity_date BETWEEN :report_start AND :report_end
)
SELECT COUNT(*)                                                               AS decisions,
       SUM(CASE WHEN decision_date - clock_start <= 28 THEN 1 ELSE 0 END)     AS within_28_days,
       ROUND(100 * SUM(CASE WHEN decision_date - clock_start <= 28 THEN 1 ELSE 0 END)
             / NULLIF(COUNT(*), 0), 1)                                        AS pct_within_28_days,
       SUM(CASE WHEN external_delays = 0 THEN 1 ELSE 0 END)                   AS decisions_without_external_delay,
       ROUND(100 * SUM(CASE WHEN external_delays = 0 AND decision_date - clock_start <= 28 THEN 1 ELSE 0 END)
             / NULLIF(SUM(CASE WHEN external_delays = 0 THEN 1 ELSE 0 END), 0), 1) AS pct_within_28_excl_external,
       SUM(CASE WHEN outcome_code = 'CHC_ELIGIBLE' THEN 1 ELSE 0 END)         AS eligible,
       SUM(CASE WHEN outcome_code = 'NOT_ELIGIBLE_JOINT' THEN 1 ELSE 0 END)   AS joint_funded
  FROM decided;

-- 2. Fast track
SELECT COUNT(*)                                                                AS fast_track_tools,
       SUM(CASE WHEN (c.activity_datetime - f.activity_datetime) * 24 <= 48 THEN 1 ELSE 0 END) AS care_in_place_48h,
       ROUND(MEDIAN((c.activity_datetime - f.activity_datetime) * 24), 1)      AS median_hours
  FROM paris_activity f
  LEFT JOIN paris_activity c
    ON c.referral_id = f.referral_id
   AND c.activity_code = 'CHC_CARE_IN_PLACE'
 WHERE f.activity_code = 'CHC_FAST_TRACK'
   AND f.activity_date BETWEEN :report_start AND :report_end;

-- 3. Current packages by funding type and split
SELECT p.funding_type,
       CASE WHEN p.funding_type = 'JOINT'
            THEN TO_CHAR(p.icb_percentage) || '/' || TO_CHAR(p.council_percentage)
       END                                     AS icb_council_split,
       COUNT(*)                                AS packages,
       SUM(p.weekly_cost)                      AS weekly_cost,
       SUM(p.weekly_cost * p.icb_percentage / 100)     AS icb_weekly,
       SUM(p.weekly_cost * p.council_percentage / 100) AS council_weekly
  FROM paris_funded_package_line p
 WHERE p.line_start_date <= :report_end
   AND (p.line_end_date IS NULL OR p.line_end_date >= :report_end)
 GROUP BY p.funding_type,
          CASE WHEN p.funding_type = 'JOINT'
               THEN TO_CHAR(p.icb_percentage) || '/' || TO_CHAR(p.council_percentage) END
 ORDER BY p.funding_type, 2;

-- 4. Reviews overdue
SELECT p.funding_type,
       COUNT(*) AS reviews_overdue,
       MAX(:report_end - nr.due_date) AS most_days_overdue
  FROM paris_funded_package_line p
  CROSS APPLY (
        SELECT CASE
                 WHEN NOT EXISTS (SELECT 1 FROM paris_activity a
                                   WHERE a.client_id = p.client_id
                                     AND a.activity_code IN ('CHC_REVIEW_3M', 'CHC_REVIEW_ANNUAL')
                                     AND a.activity_date >= p.decision_date)
                   THEN ADD_MONTHS(p.decision_date, 3)
                 ELSE ADD_MONTHS((SELECT MAX(a.activity_date) FROM paris_activity a
                                   WHERE a.client_id = p.client_id
                                     AND a.activity_code IN ('CHC_REVIEW_3M', 'CHC_REVIEW_ANNUAL')), 12)
               END AS due_date
          FROM dual) nr
 WHERE p.line_start_date <= :report_end
   AND (p.line_end_date IS NULL OR p.line_end_date >= :report_end)
   AND p.funding_type IN ('CHC', 'JOINT')
   AND nr.due_date < :report_end
 GROUP BY p.funding_type;
