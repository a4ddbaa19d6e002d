-- schema: ssd
/* Standard Safeguarding Dataset 1.4.5 - Azeus Care: the five tables of this pack, empty
   (T-SQL; Azeus Care councils on Oracle change the column types). The SSD project ships
   only the table definitions for Azeus Care so far: no extract yet reads an Azeus database.
   Creating the empty tables lets tools built on the SSD run (with no rows) while a council
   maps its own Azeus tables; see README.md in this folder. */
CREATE TABLE ssd_development.ssd_person (
    pers_legacy_id nvarchar(48), pers_person_id nvarchar(48) PRIMARY KEY, pers_upn nvarchar(13),
    pers_forename nvarchar(100), pers_surname nvarchar(255), pers_sex nvarchar(20),
    pers_gender nvarchar(10), pers_ethnicity nvarchar(48), pers_dob datetime,
    pers_single_unique_id nvarchar(48), pers_upn_unknown nvarchar(6), pers_send_flag nchar(5),
    pers_expected_dob datetime, pers_death_date datetime, pers_is_mother nchar(1),
    pers_nationality nvarchar(48)
);
CREATE TABLE ssd_development.ssd_cin_episodes (
    cine_referral_id nvarchar(48) PRIMARY KEY, cine_person_id nvarchar(48), cine_referral_date datetime,
    cine_cin_primary_need_code nvarchar(3), cine_referral_source_code nvarchar(48),
    cine_referral_source_desc nvarchar(255), cine_referral_outcome_json nvarchar(4000),
    cine_referral_nfa nchar(1), cine_close_reason nvarchar(100), cine_close_date datetime,
    cine_referral_team nvarchar(48), cine_referral_worker_id nvarchar(100)
);
CREATE TABLE ssd_development.ssd_legal_status (
    lega_legal_status_id nvarchar(48) PRIMARY KEY, lega_person_id nvarchar(48),
    lega_legal_status nvarchar(100), lega_legal_status_start_date datetime,
    lega_legal_status_end_date datetime
);
CREATE TABLE ssd_development.ssd_cla_episodes (
    clae_cla_episode_id nvarchar(48) PRIMARY KEY, clae_person_id nvarchar(48),
    clae_cla_placement_id nvarchar(48), clae_cla_episode_start_date datetime,
    clae_cla_episode_start_reason nvarchar(100), clae_cla_primary_need_code nvarchar(3),
    clae_cla_episode_ceased_date datetime, clae_cla_episode_ceased_reason nvarchar(255),
    clae_cla_id nvarchar(48), clae_referral_id nvarchar(48), clae_cla_last_iro_contact_date datetime,
    clae_entered_care_date datetime
);
CREATE TABLE ssd_development.ssd_cla_placement (
    clap_cla_placement_id nvarchar(48) PRIMARY KEY, clap_cla_id nvarchar(48),
    clap_person_id nvarchar(48), clap_cla_placement_start_date datetime,
    clap_cla_placement_type nvarchar(100), clap_cla_placement_urn nvarchar(7),
    clap_cla_placement_distance float, clap_cla_placement_provider nvarchar(48),
    clap_cla_placement_postcode nvarchar(8), clap_cla_placement_end_date datetime,
    clap_cla_placement_change_reason nvarchar(100)
);
