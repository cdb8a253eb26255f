"""The data inventory (bar D1): every field of every Samverkan model, classified.

For each field, keyed ``"app_label.Model.field"``: its protection level, why it
is kept, how long, and who sees it. This is the machine-readable base of the
record of processing (GDPR Art. 30) and of the impact assessment (Art. 35);
``samverkan/tests/test_inventory.py`` fails on a field without an entry, on an
entry without a field, and on a personal or life-critical field of a case that
is not encrypted.

Levels:

- S0: public or configuration; nothing about a person.
- S1: internal or pseudonymous (ids, case numbers, dates, codes, keyed
  digests), or metadata kept in clear for statistics that identifies nobody.
- S2: personal data.
- S3: life-critical: the secret location and witness protection, health, the
  identity of a victim, and free text that may hold any of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.apps import apps


class Level(StrEnum):
    S0 = "S0"
    S1 = "S1"
    S2 = "S2"
    S3 = "S3"


@dataclass(frozen=True)
class Entry:
    level: Level
    purpose: str
    retention: str
    visible_to: str


@dataclass(frozen=True)
class F:
    """A field's entry; retention and visibility default to its model's."""

    level: Level
    purpose: str
    visible_to: str = ""
    retention: str = ""


def _model(label: str, *, retention: str, visible_to: str, **fields: F) -> dict[str, Entry]:
    return {
        f"{label}.{name}": Entry(
            level=field.level,
            purpose=field.purpose,
            retention=field.retention or retention,
            visible_to=field.visible_to or visible_to,
        )
        for name, field in fields.items()
    }


S0, S1, S2, S3 = Level.S0, Level.S1, Level.S2, Level.S3

# Retention.
UNTIL_CHANGED = "Until changed by an administrator."
ACCOUNT_LIFETIME = (
    "While the account exists; an account named by cases or audit entries is "
    "deactivated rather than deleted."
)
ORGANISATION_LIFETIME = "While the organisation exists (it is deactivated, not deleted)."
WITH_THE_CASE = (
    "With the case: erased when the retention period after closing ends "
    "(the country's retention_days, 5 years by default)."
)
WITH_THE_PERSON = "With the person's last case, erased together with it."
AUDIT_LOG = (
    "Append-only: never changed or erased by the application (the database "
    "refuses UPDATE and DELETE); holds ids and categories, not personal values."
)
STATISTICS = "Kept for the national statistics; identifies nobody."
NETWORK_LIFETIME = "While the network exists; a removed contact person is kept inactive."

# Who sees it.
EVERYONE_LOGGED_IN = "Everyone logged in (organisation names and kinds are public on the platform)."
PLATFORM_ADMINS = "Platform admins; the application itself."
ACCOUNT_HOLDER = "The person themself, their organisation admins and platform admins."
ORGANISATION_ADMINS = "The organisation's admins and platform admins."
APPLICATION_ONLY = "Nobody: only the application reads it."
NETWORK_COORDINATORS = "The network coordinators of the organisation that runs the network."
AUDITORS = (
    "Auditors of the organisation concerned (its own entries and its people's logins); "
    "`audit verify` checks it."
)
CASE_METADATA = (
    "Case workers of the lead and participating organisations (policy.cases.case_access), "
    "a coordinator with emergency access (read-only, audited); hidden entirely from law "
    "enforcement when the case is kept from it."
)
LEAD_ONLY = "Case workers of the lead organisation."
CASE_STATISTICS = CASE_METADATA + " The rapporteur sees it only in aggregates."


def _category(category: str) -> str:
    return (
        f"The lead organisation's case workers, and participants whose consent or legal "
        f"basis covers the {category} category (policy.cases.case_access); a coordinator "
        f"with emergency access, audited."
    )


INVENTORY: dict[str, Entry] = {
    # accounts
    **_model(
        "accounts.Organisation",
        retention=ORGANISATION_LIFETIME,
        visible_to=EVERYONE_LOGGED_IN,
        id=F(S0, "Database key."),
        uuid=F(S0, "Stable public identifier in URLs and the API."),
        name=F(S0, "Names the organisation to its partners."),
        kind=F(S0, "The kind decides roles in the referral mechanism and sharing rules."),
        country=F(S0, "The country whose referral mechanism applies."),
        municipality=F(S0, "Default municipality of the cases it opens."),
        is_active=F(S0, "A deactivated organisation loses all access."),
        created_at=F(S0, "Administration."),
    ),
    **_model(
        "accounts.User",
        retention=ACCOUNT_LIFETIME,
        visible_to=ACCOUNT_HOLDER,
        id=F(S1, "Database key; the audit log names actors by it."),
        password=F(S1, "Argon2 hash for logging in.", visible_to=APPLICATION_ONLY),
        last_login=F(S1, "Security: spotting unused or misused accounts."),
        is_superuser=F(S0, "Django's flag; never set (no Django admin)."),
        uuid=F(S1, "Stable identifier in URLs and the API."),
        email=F(S2, "Login and notifications; a staff member's personal data."),
        full_name=F(
            S2,
            "Names the professional to colleagues (case timelines, notes, members).",
            visible_to=ACCOUNT_HOLDER + " Colleagues on the cases they share see the name.",
        ),
        is_active=F(S1, "A deactivated account cannot log in."),
        is_demo=F(S0, "Demo accounts; production refuses to start with one."),
        date_joined=F(S1, "Administration."),
        groups=F(S0, "Django's permission groups; unused (access comes from memberships)."),
        user_permissions=F(S0, "Django's permissions; unused (access comes from memberships)."),
    ),
    **_model(
        "accounts.Membership",
        retention=ACCOUNT_LIFETIME,
        visible_to=ORGANISATION_ADMINS,
        id=F(S1, "Database key; the audit log names acting memberships by it."),
        uuid=F(S1, "Stable identifier in URLs and the session."),
        user=F(S1, "The person acting."),
        organisation=F(S1, "The organisation acted for."),
        role=F(S1, "What the person may do; the basis of every access decision."),
        is_active=F(S1, "An ended membership grants nothing."),
        created_at=F(S1, "Administration."),
    ),
    **_model(
        "accounts.Invitation",
        retention=ORGANISATION_LIFETIME,
        visible_to=ORGANISATION_ADMINS,
        id=F(S1, "Database key; the queued e-mail task refers to it."),
        uuid=F(S1, "Stable identifier in URLs."),
        organisation=F(S1, "The organisation the person is invited to."),
        email=F(S2, "Where the invitation goes; the account is made with it."),
        role=F(S1, "The role offered."),
        token_hash=F(
            S1,
            "SHA-256 of the single-use token; the token itself is never stored.",
            visible_to=APPLICATION_ONLY,
        ),
        invited_by=F(S1, "Accountability for the invitation."),
        created_at=F(S1, "Administration."),
        expires_at=F(S1, "An invitation is valid for a limited time."),
        accepted_at=F(S1, "Administration."),
        accepted_by=F(S1, "The account made from it."),
        revoked_at=F(S1, "A revoked invitation cannot be used."),
    ),
    **_model(
        "accounts.ApiToken",
        retention=ACCOUNT_LIFETIME,
        visible_to="The token's holder.",
        id=F(S1, "Database key."),
        uuid=F(S1, "Stable identifier in URLs."),
        membership=F(S1, "The membership the token acts as."),
        name=F(S1, "The holder's label for the token."),
        key_hash=F(
            S1,
            "SHA-256 of the token; the token itself is shown once and never stored.",
            visible_to=APPLICATION_ONLY,
        ),
        created_at=F(S1, "Administration."),
        last_used_at=F(S1, "Security: spotting unused or misused tokens."),
        revoked_at=F(S1, "A revoked token grants nothing."),
    ),
    # audit
    **_model(
        "audit.AuditEntry",
        retention=AUDIT_LOG,
        visible_to=AUDITORS,
        id=F(S1, "Database key."),
        sequence=F(S1, "Position in the hash chain."),
        previous_hash=F(S1, "Links the entry to the one before it."),
        entry_hash=F(S1, "SHA-256 of the entry's content; any change breaks the chain."),
        created_at=F(S1, "When it happened."),
        actor_user_id=F(S1, "Who acted (an id: the log outlives the account)."),
        actor_membership_id=F(S1, "In which role and organisation."),
        organisation_id=F(S1, "For which organisation."),
        action=F(S1, "What was done."),
        object_type=F(S1, "What kind of record it concerned."),
        object_id=F(S1, "Which record, by uuid or case number (pseudonymous)."),
        categories=F(S1, "Which data categories were read or changed."),
        # Typed by staff (a police officer's purpose, an emergency reason) and kept
        # in clear because auditors must read it; the forms ask for no names.
        reason=F(S2, "Why: the stated purpose of a consultation or an emergency access."),
        flags=F(S1, "Markers such as break-glass, result counts, recipients."),
        client_address=F(S2, "From where (an IP address is personal data)."),
        request_id=F(S1, "Correlates the entry with the server logs."),
    ),
    **_model(
        "audit.AuditChainHead",
        retention=AUDIT_LOG,
        visible_to=APPLICATION_ONLY,
        id=F(S0, "Database key (a single row)."),
        sequence=F(S0, "The last entry's sequence, so the chain never forks."),
        entry_hash=F(S0, "The last entry's hash."),
    ),
    # cases: the person and the case
    **_model(
        "cases.Person",
        retention=WITH_THE_PERSON,
        visible_to=CASE_METADATA,
        id=F(S1, "Database key."),
        uuid=F(S1, "Binds each sealed value to this person (part of its associated data)."),
        # Kept in clear for the statistics (Eurostat breakdowns) and for the
        # child-protection rule; identifies nobody on its own.
        sex=F(S1, "Statistics by sex.", visible_to=CASE_STATISTICS, retention=STATISTICS),
        age_group=F(
            S1,
            "Statistics by age group; a child is always protected by the child-protection duty.",
            visible_to=CASE_STATISTICS,
            retention=STATISTICS,
        ),
        identity=F(
            S3,
            "Names, aliases, date of birth, citizenship, languages and documents of the "
            "victim: to assist and identify the right person. Encrypted.",
            visible_to=_category("identity"),
        ),
        contact=F(
            S3,
            "How to reach the person; reaching them reveals them. Encrypted.",
            visible_to=_category("contact"),
        ),
        secret_location=F(
            S3,
            "Shelter address and witness-protection details: to protect the person. Encrypted.",
            visible_to="Only the people named for it (SecretLocationAccess), one by one.",
        ),
        health=F(
            S3,
            "Health needs for assistance (special category, GDPR Art. 9). Encrypted.",
            visible_to=_category("health"),
        ),
        immigration=F(
            S2,
            "Residence status, for the reflection period and residence permits. Encrypted.",
            visible_to=_category("immigration"),
        ),
        created_at=F(S1, "Administration."),
        # A keyed Bloom filter of names, date of birth, sex and citizenship: not
        # an identity, and useless without the linkage secret for looking anyone
        # up, but attackable by frequency analysis (docs/decisions.md), so only
        # the linkage run reads it and only counts leave that run.
        linkage_encoding=F(
            S1,
            "Counting persons, not records, across agencies (privacy-preserving linkage).",
            visible_to=APPLICATION_ONLY,
        ),
        linkage_key_check=F(
            S1,
            "Tells encodings made under different linkage secrets apart.",
            visible_to=APPLICATION_ONLY,
        ),
    ),
    **_model(
        "cases.PersonIndex",
        retention=WITH_THE_PERSON,
        visible_to=APPLICATION_ONLY,
        id=F(S1, "Database key."),
        person=F(S1, "The person the digest belongs to."),
        kind=F(S1, "Name or date of birth, so that the two never match each other."),
        # Keyed HMAC under a key of its own: equal inputs give equal digests (the
        # documented leakage), nothing else can be learnt without the key.
        digest=F(S1, "Exact search by name or date of birth without storing either."),
    ),
    **_model(
        "cases.Case",
        retention=WITH_THE_CASE,
        visible_to=CASE_METADATA,
        id=F(S1, "Database key."),
        uuid=F(S1, "Opaque identifier in URLs; binds the sealed values to the case."),
        number=F(S1, "Pseudonymous case number (country, year, random letters)."),
        person=F(S1, "The person the case is about."),
        lead_organisation=F(S1, "Who leads the case; decides who sees it."),
        country=F(S1, "The country whose referral mechanism applies."),
        # Statistics by place; a municipality, never an address.
        municipality=F(S1, "Statistics and local coordination.", visible_to=CASE_STATISTICS),
        legal_basis=F(S1, "Consent or the legal basis the case is kept on."),
        stage=F(S1, "Where the case stands in the referral mechanism."),
        identification_status=F(
            S1, "Presumed or identified victim (statistics).", visible_to=CASE_STATISTICS
        ),
        # Citizenship-like breakdowns of the statistics, non-identifying on their own.
        countries_of_origin=F(S1, "Statistics and assistance.", visible_to=CASE_STATISTICS),
        countries_of_transit=F(S1, "Statistics and assistance.", visible_to=CASE_STATISTICS),
        countries_of_exploitation=F(S1, "Statistics and assistance.", visible_to=CASE_STATISTICS),
        confidential_from_law_enforcement=F(
            S1, "Keeps the case, and its existence, from law enforcement."
        ),
        # It may name the traffickers: a risk to the person if it leaks.
        exploitation_details=F(
            S3,
            "What happened to the person: for assistance and proceedings. Encrypted.",
            visible_to=_category("exploitation"),
        ),
        social_needs=F(
            S2, "Housing, income and other needs. Encrypted.", visible_to=_category("social")
        ),
        legal_details=F(
            S2,
            "Legal proceedings concerning the person (criminal-offence data). Encrypted.",
            visible_to=_category("legal"),
        ),
        opened_at=F(S1, "Deadlines and statistics."),
        opened_by=F(S1, "Accountability."),
        closed_at=F(S1, "Starts the retention period."),
        outcome=F(S1, "Statistics on how cases end.", visible_to=CASE_STATISTICS),
        outcome_country=F(S1, "Statistics on returns.", visible_to=CASE_STATISTICS),
    ),
    **_model(
        "cases.CaseExploitation",
        retention=WITH_THE_CASE,
        visible_to=CASE_STATISTICS,
        id=F(S1, "Database key."),
        case=F(S1, "The case."),
        form=F(S1, "Form of exploitation: assistance and statistics."),
    ),
    **_model(
        "cases.Milestone",
        retention=WITH_THE_CASE,
        visible_to=CASE_METADATA,
        id=F(S1, "Database key."),
        uuid=F(S1, "Binds the sealed evidence to the milestone."),
        case=F(S1, "The case."),
        kind=F(S1, "Which step of the referral mechanism."),
        step=F(S1, "The stage the step belongs to."),
        track=F(S1, "The track (identification, assistance, residence, legal)."),
        occurred_on=F(S1, "Deadlines and statistics."),
        recorded_at=F(S1, "Accountability."),
        recorded_by=F(S1, "Accountability."),
        organisation=F(S1, "Accountability."),
        evidence_category=F(S1, "The data category of the evidence; decides who reads it."),
        evidence=F(
            S2,
            "Evidence of the step (a decision, an assessment). Encrypted.",
            visible_to="As its evidence_category (legal, immigration or social) allows.",
        ),
    ),
    **_model(
        "cases.CaseNote",
        retention=WITH_THE_CASE,
        visible_to=CASE_METADATA,
        id=F(S1, "Database key."),
        uuid=F(S1, "Binds the sealed body to the note."),
        case=F(S1, "The case."),
        author=F(S1, "Accountability."),
        organisation=F(S1, "Accountability; decides the 'own organisation' audience."),
        audience=F(S1, "Who may read the note."),
        # Free text may hold anything, the secret location and health included.
        body=F(
            S3,
            "Working notes of the professionals. Encrypted.",
            visible_to="Those with the notes category, narrowed by the note's audience.",
        ),
        created_at=F(S1, "Timeline."),
    ),
    **_model(
        "cases.CaseEvent",
        retention=WITH_THE_CASE,
        visible_to=CASE_METADATA,
        id=F(S1, "Database key."),
        case=F(S1, "The case."),
        kind=F(S1, "Sharing, consent, confidentiality and emergency access on the timeline."),
        at=F(S1, "Timeline."),
        membership=F(S1, "Accountability."),
        organisation=F(S1, "Accountability."),
        counterpart=F(S1, "The other organisation concerned."),
    ),
    # cases: consent, sharing and access
    **_model(
        "cases.Consent",
        retention=WITH_THE_PERSON,
        visible_to=LEAD_ONLY,
        id=F(S1, "Database key."),
        uuid=F(S1, "Stable identifier in URLs."),
        person=F(S1, "Whose consent it is."),
        basis=F(S1, "Consent, court order or child-protection duty."),
        categories=F(S1, "Which data categories may be shared."),
        organisation_kinds=F(S1, "With which kinds of organisation."),
        organisations=F(S1, "With which named organisations."),
        purposes=F(S1, "For which purposes."),
        # A decision or court reference number, never a name.
        reference=F(S1, "Reference of the legal basis."),
        manner=F(S1, "How the consent was given."),
        given_on=F(S1, "Validity."),
        expires_on=F(S1, "Validity."),
        recorded_by=F(S1, "Accountability."),
        recorded_at=F(S1, "Accountability."),
        withdrawn_at=F(S1, "Withdrawal ends sharing from then on."),
        withdrawn_by=F(S1, "Accountability."),
    ),
    **_model(
        "cases.Participation",
        retention=WITH_THE_CASE,
        visible_to=LEAD_ONLY + " The participating organisation sees its own.",
        id=F(S1, "Database key."),
        uuid=F(S1, "Stable identifier in URLs."),
        case=F(S1, "The case."),
        organisation=F(S1, "The organisation taking part."),
        purpose=F(S1, "Why it takes part."),
        categories=F(S1, "What it may see."),
        basis=F(S1, "The consent or legal basis it rests on."),
        source=F(S1, "A share or an accepted referral."),
        granted_by=F(S1, "Accountability."),
        granted_at=F(S1, "Accountability."),
        revoked_at=F(S1, "A revoked participation grants nothing."),
        revoked_by=F(S1, "Accountability."),
    ),
    **_model(
        "cases.SecretLocationAccess",
        retention=WITH_THE_CASE,
        visible_to="Case managers of the lead organisation.",
        id=F(S1, "Database key."),
        case=F(S1, "The case."),
        membership=F(S1, "The person named for the secret location."),
        granted_by=F(S1, "Accountability."),
        granted_at=F(S1, "Accountability."),
        revoked_at=F(S1, "A removed person reads it no longer."),
    ),
    **_model(
        "cases.BreakGlassAccess",
        retention=WITH_THE_CASE,
        visible_to=LEAD_ONLY + " Auditors through the audit log.",
        id=F(S1, "Database key."),
        uuid=F(S1, "Stable identifier."),
        case=F(S1, "The case opened in an emergency."),
        membership=F(S1, "The coordinator who opened it."),
        # Kept in clear, like the audit entry that repeats it, because the lead
        # organisation and the auditors must read it; the form asks for the
        # emergency, not for personal details.
        reason=F(S1, "The written reason for emergency access."),
        started_at=F(S1, "Time limit."),
        expires_at=F(S1, "Time limit (60 minutes at most)."),
    ),
    **_model(
        "cases.CountryConfiguration",
        retention=UNTIL_CHANGED,
        visible_to=PLATFORM_ADMINS,
        id=F(S0, "Database key."),
        country=F(S0, "The country configured."),
        competent_authority_kind=F(S0, "Who confirms identification in that country."),
        reflection_period_days=F(S0, "Deadline rule."),
        residence_permit_renewal_days=F(S0, "Deadline rule."),
        retention_days=F(S0, "How long closed cases are kept."),
        reminder_days_before=F(S0, "Reminder rule."),
    ),
    **_model(
        "cases.Deadline",
        retention=WITH_THE_CASE,
        visible_to="Case workers of the responsible organisation.",
        id=F(S1, "Database key."),
        uuid=F(S1, "Stable identifier."),
        case=F(S1, "The case."),
        kind=F(S1, "Which deadline."),
        due_on=F(S1, "When."),
        responsible_organisation=F(S1, "Who must act."),
        milestone=F(S1, "The milestone that started it."),
        created_at=F(S1, "Administration."),
        completed_at=F(S1, "Done."),
        reminded_before_at=F(S1, "Reminders are sent once."),
        reminded_due_at=F(S1, "Reminders are sent once."),
    ),
    **_model(
        "cases.Notification",
        retention=WITH_THE_CASE,
        visible_to="Its recipient.",
        id=F(S1, "Database key."),
        recipient=F(S1, "Who is told."),
        kind=F(S1, "What about (it names the case by number only)."),
        case=F(S1, "The case."),
        deadline=F(S1, "The deadline."),
        created_at=F(S1, "Administration."),
        read_at=F(S1, "Unread count."),
    ),
    **_model(
        "cases.AnonymousNotification",
        retention=STATISTICS,
        visible_to="Case workers of the notifying organisation; the rapporteur in aggregates.",
        id=F(S1, "Database key."),
        uuid=F(S1, "Stable identifier."),
        notified_on=F(S1, "Statistics by year."),
        # The counted person did not consent to a case: only non-identifying
        # breakdowns are kept, never a name, a date of birth or free text.
        municipality=F(S1, "Statistics by place."),
        sex=F(S1, "Statistics by sex."),
        age_group=F(S1, "Statistics by age group (never a child: those get a case)."),
        citizenship=F(S1, "Statistics by citizenship."),
        exploitation_forms=F(S1, "Statistics by form of exploitation."),
        indicators=F(S1, "Which ILO/EC indicators were seen."),
        notifying_organisation=F(S1, "Statistics by referring agency."),
        recorded_by=F(S1, "Accountability."),
        recorded_at=F(S1, "Accountability."),
        # The identity it was made from was discarded at intake.
        linkage_encoding=F(
            S1,
            "Counting the person once across agencies (privacy-preserving linkage).",
            visible_to=APPLICATION_ONLY,
        ),
        linkage_key_check=F(
            S1,
            "Tells encodings made under different linkage secrets apart.",
            visible_to=APPLICATION_ONLY,
        ),
    ),
    # statistics: the rapporteur's figures and the sources they count
    **_model(
        "statistics.ExternalSource",
        retention="Until the figures of its period are final; then deleted by an operator.",
        visible_to="Rapporteurs of the country see its name, kind, period and counts; the "
        "records only the statistics build reads.",
        id=F(S1, "Database key."),
        uuid=F(S1, "Stable identifier."),
        country=F(S0, "The country whose figures count it."),
        name=F(S0, "Names the agency's list (an organisation, not a person)."),
        agency_kind=F(S0, "Statistics by first-registering agency."),
        period_start=F(S0, "The period the list covers."),
        period_end=F(S0, "The period the list covers."),
        schema=F(S0, "The linkage schema the encodings were made with."),
        schema_version=F(S0, "Only encodings of one schema are compared."),
        bits=F(S0, "Only encodings of one length are compared."),
        key_check=F(S1, "Tells whether two sources used the same linkage secret; not the secret."),
        record_count=F(S0, "Shown to the rapporteur."),
        # Keyed Bloom-filter encodings are pseudonymous personal data (they
        # can be attacked), so they are never shown, exported or logged.
        records=F(S2, "Linkage encodings and non-identifying breakdowns of each person."),
        uploaded_by=F(S1, "Accountability."),
        uploaded_at=F(S1, "Accountability."),
    ),
    **_model(
        "statistics.StatisticsRun",
        retention=STATISTICS,
        visible_to="Rapporteurs of the country.",
        id=F(S0, "Database key."),
        uuid=F(S0, "Stable identifier in URLs and the API."),
        country=F(S0, "The country counted."),
        period_start=F(S0, "The period counted."),
        period_end=F(S0, "The period counted."),
        minimum_cell=F(S0, "Disclosure control: the smallest published count."),
        match_threshold=F(S0, "Linkage: how likely two records must be of one person."),
        epsilon=F(S0, "Differential privacy of the persons' tables, if any."),
        status=F(S0, "Progress of the build."),
        progress=F(S0, "Progress of the build."),
        stage=F(S0, "Progress of the build."),
        error_code=F(S0, "Why a build failed: the platform's code, never a record's value."),
        error_params=F(S0, "Numbers and field names the failure's message names, no values."),
        requested_by=F(S1, "Accountability."),
        requested_at=F(S1, "Accountability."),
        started_at=F(S0, "Progress of the build."),
        published_at=F(S0, "When the figures were published."),
        figures=F(
            S0, "Tables after disclosure control: counts of at least the minimum, or withheld."
        ),
    ),
    **_model(
        "statistics.PrivacySpending",
        retention=STATISTICS,
        visible_to="Rapporteurs of the country; the application checks the budget with it.",
        id=F(S0, "Database key."),
        run=F(S0, "The build that spent it."),
        country=F(S0, "Whose budget."),
        year=F(S0, "Whose budget."),
        epsilon=F(S0, "How much was spent."),
    ),
    # --- Screening ---
    **_model(
        "screening.Screening",
        retention=WITH_THE_CASE,
        visible_to="Those who see the case's exploitation details.",
        id=F(S1, "Database key."),
        uuid=F(S1, "Binds the sealed answers to the screening."),
        case=F(S1, "The case."),
        catalogue=F(S0, "Which indicator catalogue was used."),
        catalogue_version=F(S0, "Which version of it, so the result can be recomputed."),
        indicator_set=F(S1, "Which set (adults or children, labour or sexual exploitation)."),
        audience=F(S1, "Adult or child, as the set was chosen."),
        language=F(S0, "The language the indicators were shown in."),
        # What happened to the person, and a free note that may hold anything.
        answers=F(S3, "The answers to each indicator and the note. Encrypted."),
        recorded_by=F(S1, "Accountability."),
        organisation=F(S1, "Accountability."),
        recorded_at=F(S1, "Timeline."),
    ),
    # Referrals and the service directory.
    **_model(
        "directory.Service",
        retention=UNTIL_CHANGED,
        visible_to=EVERYONE_LOGGED_IN + " Services marked public also on the public help pages.",
        id=F(S0, "Database key."),
        uuid=F(S0, "Stable public identifier in URLs and the API."),
        provider=F(S0, "The organisation offering the service."),
        name=F(S0, "Names the service."),
        kind=F(S0, "What help it gives; referrals name needs in the same words."),
        description=F(S0, "What the service offers."),
        country=F(S0, "Where it is offered."),
        municipality=F(S0, "Where it is offered."),
        serves=F(S0, "Who it serves."),
        languages=F(S0, "Languages spoken."),
        hours=F(S0, "When it is open."),
        accessibility=F(S0, "Access for people with disabilities."),
        capacity=F(S0, "Places in all."),
        free_places=F(S0, "Places free now, kept by the provider and taken by accepted referrals."),
        availability_updated_at=F(S0, "How fresh the free places are."),
        # An intake contact of the organisation, never a person's own, never a shelter address.
        phone=F(S0, "Intake contact."),
        email=F(S0, "Intake contact."),
        website=F(S0, "Intake contact."),
        is_public=F(S0, "Shown on the public help pages."),
        is_active=F(S0, "A service no longer offered is hidden."),
        created_at=F(S0, "Administration."),
    ),
    **_model(
        "referrals.Referral",
        retention=WITH_THE_CASE,
        visible_to=(
            "Case workers of the sending (lead) organisation and of the receiving organisation "
            "(policy.referrals); the receiver sees the masked preview only until it accepts."
        ),
        id=F(S1, "Database key."),
        uuid=F(S1, "Stable identifier in URLs."),
        case=F(S1, "The case referred; never shown to the receiver before it accepts."),
        sender_organisation=F(S1, "Who referred."),
        sent_by=F(S1, "Accountability."),
        receiver=F(S1, "Who is asked to help."),
        service=F(S1, "The service asked for."),
        purpose=F(S1, "Why the data would be shared."),
        basis=F(S1, "The consent or legal basis it rests on."),
        categories=F(S1, "What the receiver sees if it accepts."),
        needs=F(S1, "The needs the referral addresses."),
        urgency=F(S1, "How urgent it is."),
        # The masked preview: the same non-identifying breakdowns as statistics.
        age_group=F(S1, "Masked preview."),
        sex=F(S1, "Masked preview."),
        languages=F(S1, "Masked preview: which interpreter or staff is needed."),
        municipality=F(S1, "Masked preview."),
        message=F(
            S3,
            "Free text from the sender; may say who the person is.",
            visible_to="The sender, and the receiver after accepting while it takes part.",
        ),
        status=F(S1, "Where the referral stands."),
        sent_at=F(S1, "Accountability and reminders."),
        responded_at=F(S1, "Accountability."),
        responded_by=F(S1, "Accountability."),
        decline_reason=F(S1, "Why it was declined."),
        participation=F(S1, "The participation an acceptance created."),
        reminded_at=F(S1, "The reminder is sent once."),
        team_share=F(S1, "The share with a team this referral is one member's part of."),
    ),
    **_model(
        "referrals.ReferralEvent",
        retention=WITH_THE_CASE,
        visible_to="Both sides of the referral.",
        id=F(S1, "Database key."),
        uuid=F(S1, "Binds the sealed text to its row."),
        referral=F(S1, "The referral."),
        kind=F(S1, "The step."),
        at=F(S1, "When."),
        membership=F(S1, "Who acted."),
        organisation=F(S1, "For which organisation."),
        text=F(S3, "A question, an answer or a reason in words; may hold personal data."),
    ),
    **_model(
        "referrals.Team",
        retention=UNTIL_CHANGED,
        visible_to="Case workers of the team's country.",
        id=F(S0, "Database key."),
        uuid=F(S0, "Stable identifier in URLs."),
        name=F(S0, "Names the team."),
        kind=F(S0, "Operational or resource team."),
        country=F(S0, "Where it works."),
        area=F(S0, "Where it works."),
        convener=F(S0, "The organisation that convenes it."),
        organisations=F(S0, "Its member organisations."),
        members=F(S1, "The professionals who answer its consultations."),
        created_by=F(S1, "Accountability."),
        created_at=F(S0, "Administration."),
    ),
    **_model(
        "referrals.TeamShare",
        retention=WITH_THE_CASE,
        visible_to=(
            "The sending (lead) organisation's case workers; each member organisation sees "
            "only its own referral of it (policy.referrals)."
        ),
        id=F(S1, "Database key."),
        uuid=F(S1, "Stable identifier in URLs."),
        case=F(S1, "The case shared; never shown to a member before it accepts."),
        team=F(S1, "The team shared with."),
        sender_organisation=F(S1, "Who shared."),
        sent_by=F(S1, "Accountability."),
        sent_at=F(S1, "When."),
        left_out=F(S1, "Member organisations the basis left out, and why (codes only)."),
        withdrawn_at=F(S1, "When the sender withdrew it."),
        withdrawn_by=F(S1, "Accountability."),
    ),
    **_model(
        "referrals.Consultation",
        retention=UNTIL_CHANGED,
        visible_to="The professional who asked, and the team's named members.",
        id=F(S1, "Database key."),
        uuid=F(S1, "Stable identifier in URLs."),
        team=F(S1, "The team asked."),
        asked_by=F(S1, "Who asked, so that they read the answers."),
        organisation=F(S1, "For which organisation."),
        # Checked for likely identifiers like the messages; meant to hold none.
        subject=F(S1, "What the consultation is about, without identifying anyone."),
        created_at=F(S1, "When."),
    ),
    **_model(
        "referrals.ConsultationMessage",
        retention=UNTIL_CHANGED,
        visible_to="The professional who asked, and the team's named members.",
        id=F(S1, "Database key."),
        uuid=F(S1, "Binds the sealed text to its row."),
        consultation=F(S1, "The thread."),
        author=F(S1, "Accountability."),
        organisation=F(S1, "For which organisation."),
        body=F(S2, "The question or answer; meant to be anonymous, sealed in case it is not."),
        flagged=F(S1, "Kinds of likely identifiers the author confirmed were none."),
        created_at=F(S1, "When."),
    ),
    **_model(
        "directory.SituationMapping",
        retention=UNTIL_CHANGED,
        visible_to="Everyone logged in of the same country.",
        id=F(S0, "Database key."),
        uuid=F(S0, "Stable identifier in URLs."),
        country=F(S0, "Where."),
        municipality=F(S0, "Where."),
        mapped_on=F(S0, "When: mappings are kept over time."),
        # Answers about a municipality as a whole (CBSS guidelines), never about a person.
        vulnerable_groups=F(S0, "Local situation mapping."),
        locations=F(S0, "Local situation mapping (kinds of places)."),
        sectors=F(S0, "Local situation mapping."),
        identifying_actors=F(S0, "Local situation mapping."),
        exploitation_forms=F(S0, "Local situation mapping."),
        existing_services=F(S0, "Local situation mapping."),
        gaps=F(S0, "Local situation mapping."),
        priorities=F(S0, "Local situation mapping."),
        needed_services=F(S0, "Compared with the directory to list gaps."),
        organisation=F(S0, "Who recorded it."),
        recorded_by=F(S1, "Accountability."),
        recorded_at=F(S0, "Administration."),
    ),
    # network: the cooperation network (samverkan/network). Its rows are about
    # places and their work; contact persons are professionals named by their
    # organisation. No victim data belongs here, and the forms say so.
    **_model(
        "network.Network",
        retention=NETWORK_LIFETIME,
        visible_to=NETWORK_COORDINATORS,
        id=F(S0, "Database key."),
        uuid=F(S0, "Stable identifier in URLs."),
        organisation=F(S0, "The organisation that runs the network; its coordinators manage it."),
        name=F(S0, "Names the network."),
        kind=F(S0, "Union of cities, task force or partnership."),
        description=F(S0, "What the network is for."),
        created_at=F(S0, "Administration."),
    ),
    **_model(
        "network.Place",
        retention=NETWORK_LIFETIME,
        visible_to=NETWORK_COORDINATORS,
        id=F(S0, "Database key."),
        uuid=F(S0, "Stable identifier in URLs."),
        network=F(S0, "The network the place is a member of."),
        name=F(S0, "The city, municipality, region or country."),
        kind=F(S0, "What kind of place it is."),
        country=F(S0, "The place's country, in report headings."),
        created_at=F(S0, "Administration."),
    ),
    **_model(
        "network.ContactPerson",
        retention=NETWORK_LIFETIME,
        visible_to=NETWORK_COORDINATORS,
        id=F(S1, "Database key."),
        uuid=F(S1, "Stable identifier in URLs."),
        place=F(S1, "The place the person answers for."),
        full_name=F(S2, "Names the contact person to the secretariat."),
        organisation_name=F(S2, "Where the person works."),
        email=F(S2, "Where the personal survey links are sent."),
        language=F(S1, "The language of the e-mails."),
        is_active=F(S1, "A removed contact person gets no more links."),
        created_at=F(S1, "Administration."),
    ),
    **_model(
        "network.Survey",
        retention=NETWORK_LIFETIME,
        visible_to=NETWORK_COORDINATORS,
        id=F(S0, "Database key; the queued e-mail task refers to it."),
        uuid=F(S0, "Stable identifier in URLs."),
        network=F(S0, "The network asking."),
        title=F(S0, "The survey's title."),
        introduction=F(S0, "What the survey is for."),
        status=F(S0, "Draft, sent or closed."),
        deadline=F(S0, "Links expire after it; reminders come before it."),
        reminder_days_before=F(S0, "When the reminder goes."),
        created_by=F(S1, "Accountability."),
        created_at=F(S0, "Administration."),
        sent_at=F(S0, "Administration."),
    ),
    **_model(
        "network.Question",
        retention=NETWORK_LIFETIME,
        visible_to=NETWORK_COORDINATORS + " Respondents see them through their link.",
        id=F(S0, "Database key."),
        survey=F(S0, "The survey."),
        name=F(S0, "The question's key in answers and XLSForm."),
        section=F(S0, "The section it belongs to."),
        position=F(S0, "Order."),
        kind=F(S0, "The kind of answer."),
        text=F(S0, "The question."),
        translations=F(S0, "The question in other languages."),
        help_text=F(S0, "Guidance for the respondent."),
        required=F(S0, "Whether it must be answered."),
        choices=F(S0, "The choices of a choice question."),
    ),
    **_model(
        "network.SurveyVersion",
        retention=NETWORK_LIFETIME,
        visible_to=NETWORK_COORDINATORS,
        id=F(S0, "Database key."),
        survey=F(S0, "The survey."),
        number=F(S0, "Which version."),
        definition=F(S0, "The questions as they were in this version."),
        created_at=F(S0, "Administration."),
    ),
    **_model(
        "network.Response",
        retention=NETWORK_LIFETIME,
        visible_to=NETWORK_COORDINATORS + " The place's own links reach it, and nothing else.",
        id=F(S1, "Database key."),
        uuid=F(S1, "Stable identifier in the audit log."),
        survey=F(S1, "The survey answered."),
        place=F(S1, "The place answering."),
        version=F(S1, "The version answered; a later change never alters it."),
        status=F(S1, "Response rate and who is missing."),
        answers=F(
            S2,
            "The place's answers about its work; free text may name its professionals. "
            "Respondents are asked never to write about individual victims.",
        ),
        language=F(S1, "The language the place answered in."),
        invited_at=F(S1, "Each place is invited once."),
        reminded_at=F(S1, "Each place is reminded once."),
        updated_at=F(S1, "Administration."),
        submitted_at=F(S1, "Response rate."),
        submitted_by_name=F(S2, "Who answered for the place, in the report."),
    ),
    **_model(
        "network.ResponseFile",
        retention=NETWORK_LIFETIME,
        visible_to=NETWORK_COORDINATORS,
        id=F(S1, "Database key."),
        uuid=F(S1, "Stable identifier in URLs."),
        response=F(S1, "The response it belongs to."),
        question_name=F(S1, "The question it answers."),
        file=F(S2, "The uploaded document (type and size limited)."),
        original_name=F(S2, "The file's name as uploaded."),
        content_type=F(S1, "The declared type."),
        size=F(S1, "The size limit."),
        uploaded_at=F(S1, "Administration."),
    ),
    **_model(
        "network.SurveyLink",
        retention=NETWORK_LIFETIME,
        visible_to=NETWORK_COORDINATORS,
        id=F(S1, "Database key."),
        uuid=F(S1, "Identifies an opened link in the respondent's session (not the token)."),
        response=F(S1, "The one response the link reaches."),
        contact=F(S1, "The contact person it was sent to."),
        email=F(S2, "Where it was sent; forwarding stays within its domain."),
        token_hash=F(
            S1,
            "SHA-256 of the link's token; the token itself is only in the e-mail.",
            visible_to=APPLICATION_ONLY,
        ),
        forwarded_from=F(S1, "The link it was forwarded from."),
        created_at=F(S1, "Administration."),
        expires_at=F(S1, "The link stops working at the end of the deadline day."),
        last_used_at=F(S1, "Security: spotting misuse."),
        revoked_at=F(S1, "A revoked link opens nothing."),
    ),
    **_model(
        "network.Framework",
        retention=NETWORK_LIFETIME,
        visible_to=NETWORK_COORDINATORS,
        id=F(S0, "Database key."),
        uuid=F(S0, "Stable identifier in URLs."),
        network=F(S0, "The network using it."),
        name=F(S0, "The framework's name."),
        version=F(S0, "Frameworks are versioned."),
        source=F(S0, "Where it comes from."),
    ),
    **_model(
        "network.ActionPoint",
        retention=NETWORK_LIFETIME,
        visible_to=NETWORK_COORDINATORS,
        id=F(S0, "Database key."),
        framework=F(S0, "The framework."),
        code=F(S0, "Short code."),
        theme=F(S0, "Mapping, identification, referral, prevention, cooperation."),
        text=F(S0, "The action point."),
        position=F(S0, "Order."),
    ),
    **_model(
        "network.ActionPlan",
        retention=NETWORK_LIFETIME,
        visible_to=NETWORK_COORDINATORS,
        id=F(S0, "Database key."),
        uuid=F(S0, "Stable identifier in URLs."),
        place=F(S0, "The place whose plan it is."),
        title=F(S0, "The plan's title."),
        period_start=F(S0, "The plan's period."),
        period_end=F(S0, "The plan's period."),
        adopted_by=F(S0, "Who adopted it."),
        link=F(S0, "Where the plan is published."),
        created_at=F(S0, "Administration."),
    ),
    **_model(
        "network.Measure",
        retention=NETWORK_LIFETIME,
        visible_to=NETWORK_COORDINATORS,
        id=F(S0, "Database key."),
        uuid=F(S0, "Stable identifier."),
        plan=F(S0, "The action plan."),
        title=F(S0, "The measure."),
        description=F(S0, "What it does."),
        responsible=F(S0, "Responsible actors (organisations)."),
        target_groups=F(S0, "Whom it addresses."),
        starts_on=F(S0, "Its period."),
        ends_on=F(S0, "Its period."),
        status=F(S0, "Planned, ongoing, completed or cancelled."),
        budget=F(S0, "Its budget."),
        indicator=F(S0, "Its indicator of success."),
        action_points=F(S0, "The framework's action points it serves (the side-by-side page)."),
    ),
    **_model(
        "network.Document",
        retention=NETWORK_LIFETIME,
        visible_to=NETWORK_COORDINATORS,
        id=F(S0, "Database key."),
        uuid=F(S0, "Stable identifier in URLs."),
        network=F(S0, "The network whose library it is in."),
        title=F(S0, "The document's title."),
        kind=F(S0, "Statement, guideline, report, speech, action plan, training material."),
        published_on=F(S0, "The document's date."),
        language=F(S0, "Chooses the full-text search configuration."),
        place=F(S0, "The place it is about."),
        themes=F(S0, "Themes, for finding it."),
        file=F(S1, "The uploaded document (published material of the network)."),
        original_name=F(S1, "The file's name as uploaded."),
        text=F(S1, "The extracted text, searched in full text."),
        search_vector=F(S1, "PostgreSQL's full-text index of the text."),
        added_by=F(S1, "Accountability."),
        added_at=F(S1, "Administration."),
    ),
    **_model(
        "network.Activity",
        retention=NETWORK_LIFETIME,
        visible_to=NETWORK_COORDINATORS,
        id=F(S0, "Database key; the report-request task refers to it."),
        uuid=F(S0, "Stable identifier in URLs."),
        network=F(S0, "The network organising it."),
        kind=F(S0, "Training, seminar, conference, field visit, campaign or mobility."),
        title=F(S0, "The activity."),
        starts_on=F(S0, "Its dates."),
        ends_on=F(S0, "Its dates; reports are asked for after it."),
        location=F(S0, "Where it is held."),
        organisers=F(S0, "Who organises it."),
        target_group=F(S0, "Whom it is for."),
        capacity_min=F(S0, "Group size (10–15 per group in the mobility programme)."),
        capacity_max=F(S0, "Group size; no more participants are added."),
        agenda=F(S0, "Its agenda."),
        materials=F(S0, "Its materials."),
        created_at=F(S0, "Administration."),
    ),
    **_model(
        "network.Participant",
        retention=NETWORK_LIFETIME,
        visible_to=NETWORK_COORDINATORS + " The participant's own link reaches their report.",
        id=F(S1, "Database key."),
        uuid=F(S1, "Identifies an opened report link in the session (not the token)."),
        activity=F(S1, "The activity taken part in."),
        full_name=F(S2, "Names the participant (a professional)."),
        organisation_name=F(S2, "Where the participant works."),
        country=F(S1, "The participant's country."),
        role=F(S2, "The participant's professional role."),
        email=F(S2, "Where the report link is sent."),
        report_token_hash=F(
            S1,
            "SHA-256 of the report link's token; the token itself is only in the e-mail.",
            visible_to=APPLICATION_ONLY,
        ),
        report_expires_at=F(S1, "The report link works for 30 days."),
        report=F(S2, "The participant's report on what they learnt."),
        report_submitted_at=F(S1, "The summary of reports."),
    ),
    **_model(
        "network.GoodPractice",
        retention=NETWORK_LIFETIME,
        visible_to=NETWORK_COORDINATORS,
        id=F(S0, "Database key."),
        uuid=F(S0, "Stable identifier in URLs."),
        network=F(S0, "The network it is shared in."),
        place=F(S0, "The place whose practice it is."),
        title=F(S0, "The practice."),
        what=F(S1, "What was done (about work, never about victims)."),
        where=F(S0, "Where."),
        who=F(S1, "Which organisations took part."),
        results=F(S1, "What came of it."),
        contact=F(S2, "Whom to ask (a professional's name or address)."),
        themes=F(S0, "Themes, for searching."),
        status=F(S0, "Awaiting review, published or declined."),
        submitted_at=F(S0, "Administration."),
        reviewed_by=F(S1, "Accountability for publishing."),
        reviewed_at=F(S1, "Accountability for publishing."),
    ),
    **_model(
        "network.ImpactAssessment",
        retention=NETWORK_LIFETIME,
        visible_to=NETWORK_COORDINATORS,
        id=F(S0, "Database key."),
        measure=F(S0, "The measure assessed."),
        answers=F(S1, "Findings and mitigations per human-rights question."),
        assessed_by=F(S1, "Accountability."),
        assessed_at=F(S1, "The action plan shows when it was assessed."),
    ),
}


def model_field_keys() -> set[str]:
    """``app_label.Model.field`` of every field of every model of the Samverkan apps."""
    return {
        f"{model._meta.label}.{field.name}"
        for config in apps.get_app_configs()
        if config.name.startswith("samverkan.")
        for model in config.get_models()
        # Concrete fields and many-to-many fields, not the reverse side of relations.
        for field in model._meta.get_fields()
        if field.concrete or not field.auto_created
    }
