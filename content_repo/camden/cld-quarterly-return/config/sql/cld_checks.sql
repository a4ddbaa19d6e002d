-- schema: cld
/* Checks on a loaded quarterly CLD file (cld_records) before it is submitted (T-SQL).
   Each query lists the records to look at; an empty result means the check passed. */
SET NOCOUNT ON;

-- 1. Event types outside the four the specification defines
SELECT r.Event_ID, r.Event_Type
FROM cld_records AS r
WHERE r.Event_Type NOT IN ('Request', 'Assessment', 'Service', 'Review');

-- 2. Service events without a service type, or with one outside the defined list
SELECT r.Event_ID, r.Service_Type
FROM cld_records AS r
WHERE r.Event_Type = 'Service'
  AND (r.Service_Type IS NULL
       OR r.Service_Type NOT IN ('Long Term Support: Nursing Care', 'Long Term Support: Residential Care',
                                 'Long Term Support: Community', 'Long Term Support: Prison',
                                 'Short Term Support: ST-Max', 'Short Term Support: Ongoing Low Level',
                                 'Short Term Support: Other Short Term'));

-- 3. Community long-term support without a delivery mechanism
SELECT r.Event_ID, r.Delivery_Mechanism
FROM cld_records AS r
WHERE r.Service_Type = 'Long Term Support: Community'
  AND (r.Delivery_Mechanism IS NULL
       OR r.Delivery_Mechanism NOT IN ('Direct Payment', 'CASSR Managed Personal Budget',
                                       'CASSR Commissioned support'));

-- 4. Ended requests, assessments and reviews without an outcome
SELECT r.Event_ID, r.Event_Type, r.Event_End_Date
FROM cld_records AS r
WHERE r.Event_Type IN ('Request', 'Assessment', 'Review')
  AND r.Event_End_Date IS NOT NULL
  AND r.Event_Outcome IS NULL;

-- 5. Events that end before they start, or start after the reporting period
SELECT r.Event_ID, r.Event_Start_Date, r.Event_End_Date
FROM cld_records AS r
WHERE r.Event_End_Date < r.Event_Start_Date
   OR r.Event_Start_Date > r.Reporting_Period_End_Date;

-- 6. Services continuing after the person's date of death
SELECT r.Event_ID, r.Date_of_Death, r.Event_End_Date
FROM cld_records AS r
WHERE r.Event_Type = 'Service'
  AND r.Date_of_Death IS NOT NULL
  AND (r.Event_End_Date IS NULL OR r.Event_End_Date > r.Date_of_Death);

-- 7. Service users with no primary support reason on any event
SELECT r.LA_Person_Unique_Identifier
FROM cld_records AS r
WHERE r.Client_Type = 'Service User'
GROUP BY r.LA_Person_Unique_Identifier
HAVING COUNT(r.Primary_Support_Reason) = 0;
