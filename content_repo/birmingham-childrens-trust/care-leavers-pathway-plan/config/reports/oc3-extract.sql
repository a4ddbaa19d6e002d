-- schema: eclipse-views
-- =====================================================================================
-- SSDA903 OC3 (care leavers) extract - OLM Eclipse reporting views (PostgreSQL 13+)
-- -------------------------------------------------------------------------------------
-- Young people with their 17th, 18th, 19th, 20th or 21st birthday in the collection year
-- who are care leavers (an Eclipse care leaver record, CLACARELEAVERDETAILSVIEW). For each
-- birthday: the care leaver contact recorded between three months before and one month
-- after it (the latest one), with the codes Eclipse's care leaver module holds:
--   IN_TOUCH  YES, NO, DIED, REFU, NREQ, RHOM
--   ACTIV     F1 P1 F2 P2 F4 P4 F5 P5 G4 G5 G6 (F4/P4 apprenticeship, F5/P5 other
--             training or employment)
--   ACCOM     the accommodation letter (B C D E G H K R S T U V W X Y Z; Z is with former
--             foster carers, "staying put") followed by 1 (suitable) or 2 (unsuitable)
-- With no contact in the window the young person is reported as not in touch.
-- Output columns: CHILD, DOB, IN_TOUCH, ACTIV, ACCOM.
-- Parameters (psql variables): :report_start, :report_end
--   psql -v report_start="'2025-04-01'" -v report_end="'2026-03-31'" -f oc3-extract.sql
-- =====================================================================================

WITH leavers AS (
    SELECT DISTINCT p.PERSONID, p.DATEOFBIRTH
    FROM PERSONVIEW AS p
    JOIN CLACARELEAVERDETAILSVIEW AS cl ON cl.PERSONID = p.PERSONID
    WHERE COALESCE(p.DUPLICATED, '?') <> 'DUPLICATE'
),
birthdays AS (
    SELECT l.PERSONID, l.DATEOFBIRTH, (l.DATEOFBIRTH + make_interval(years => n))::date AS birthday
    FROM leavers AS l
    CROSS JOIN generate_series(17, 21) AS n
),
due AS (
    SELECT b.* FROM birthdays AS b
    WHERE b.birthday BETWEEN :report_start::date AND :report_end::date
),
chosen AS (
    SELECT DISTINCT ON (d.PERSONID, d.birthday)
           d.PERSONID, d.DATEOFBIRTH, d.birthday,
           cl.INTOUCHCODE, cl.MAINACTIVITYCODE, cl.ACCOMODATIONCODE, cl.ACCOMSUITABLE
    FROM due AS d
    LEFT JOIN CLACARELEAVERDETAILSVIEW AS cl
      ON cl.PERSONID = d.PERSONID
     AND cl.CONTACTDATE BETWEEN (d.birthday - interval '3 months')::date
                            AND (d.birthday + interval '1 month')::date
    ORDER BY d.PERSONID, d.birthday, cl.CONTACTDATE DESC NULLS LAST
)
SELECT c.PERSONID::text                                    AS CHILD,
       to_char(c.DATEOFBIRTH, 'DD/MM/YYYY')                AS DOB,
       COALESCE(c.INTOUCHCODE, 'NO')                       AS IN_TOUCH,
       CASE WHEN c.INTOUCHCODE IN ('YES', 'NREQ', 'RHOM') THEN c.MAINACTIVITYCODE END AS ACTIV,
       CASE WHEN c.INTOUCHCODE IN ('YES', 'NREQ', 'RHOM')
            THEN c.ACCOMODATIONCODE
                 || CASE c.ACCOMSUITABLE
                        WHEN 'Accommodation considered suitable' THEN '1'
                        WHEN 'Accommodation considered unsuitable' THEN '2'
                        ELSE '' END
       END                                                 AS ACCOM
FROM chosen AS c
ORDER BY CHILD, c.birthday;
