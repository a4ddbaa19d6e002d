-- schema: cld
/* Adult social care client level data: a table to load one quarterly CLD file into (T-SQL).
   Column names are the CLD field names the specification and NHS England's published
   replication code use; widen a column if your file carries longer values. The file holds
   personal data: load it only in a database cleared for it, and clear the table after the
   checks. */
CREATE TABLE cld_records (
    LA_CODE                      varchar(10),
    LA_Person_Unique_Identifier  varchar(50),
    Client_Type                  varchar(50),
    Event_ID                     varchar(50),
    Event_Type                   varchar(50),
    Event_Start_Date             date,
    Event_End_Date               date,
    Event_Outcome                varchar(200),
    Request_Route_of_Access      varchar(200),
    Service_Type                 varchar(200),
    Service_Component            varchar(200),
    Delivery_Mechanism           varchar(200),
    Primary_Support_Reason       varchar(200),
    Accommodation_Status         varchar(200),
    Employment_Status            varchar(200),
    Has_Unpaid_Carer             varchar(50),
    Support_Provided             varchar(200),
    Ethnicity                    varchar(200),
    Gender                       varchar(50),
    Date_of_Death                date,
    Reporting_Period_Start_Date  date,
    Reporting_Period_End_Date    date
);
