"""Benchmark: the case API on a million cases, against the API's own floor.

Starts a throwaway PostgreSQL 15 (or uses ``--database-url``), migrates it,
generates ``--cases`` cases (default 1,000,000) with everything a case has
(sealed person records, blind indexes, forms of exploitation, milestones,
notes, events, consents, participations, deadlines) and two audit entries per
case, spread over 200 organisations. Then it serves the application with
gunicorn on 127.0.0.1 and drives it with ``wrk`` on loopback:

- ``GET /api/v1/ping/``: the floor, token authentication and a fixed small answer;
- ``GET /api/v1/me/``: the floor plus one query (the user's memberships);
- ``GET /api/v1/cases/``: the case list of one organisation (~5,000 cases);
- ``POST /api/v1/cases/search/``: a name search that finds someone;
- ``GET /api/v1/cases/<uuid>/``: case detail over all the organisation's cases,

each at 1, 10 and 50 concurrent clients, and prints requests/s, latency
percentiles, errors and the detail/floor ratio. Run as root (PostgreSQL runs
as the ``postgres`` user) from the repository:

    .venv/bin/python bench/cases_api.py                   # 1,000,000 cases
    .venv/bin/python bench/cases_api.py --cases 50000     # a quick run
    .venv/bin/python bench/cases_api.py --keep            # keep (or reuse) the database

The generated data is fictitious and written straight into the tables
with COPY (the services would take hours for a million cases); values are
sealed with the configured key ring exactly as ``Sealed.seal`` does, so the
detail endpoint decrypts them. The audit rows form a valid hash chain and
the chain head points at the last one, so ``audit verify`` holds on the
bench database (there are no signed checkpoints for the generated part).

CPU placement on a 2-core machine while measuring (generation uses both):
gunicorn on CPU 0; PostgreSQL and wrk on CPU 1. Besides throughput it prints
the CPU the application and the database spent per request, wrk's own CPU
(to show it is not the bottleneck) and what the database's backends were
waiting for. Results and reading: docs/performance.md.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import multiprocessing
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PGBIN = Path("/usr/lib/postgresql/15/bin")
ORGANISATIONS = 200
CHUNK = 20_000
AUDIT_PER_CASE = 2
# The benchmark's organisation: organisation 0, an NGO in Sweden.
COUNTRIES = ["SE", "FI", "EE", "NO", "DK", "DE", "PL", "LT", "LV", "IS"]
LEADING_KINDS = [
    "ngo",
    "police",
    "social_services",
    "shelter",
    "coordination_agency",
    "migration",
    "health",
    "ngo",
    "hotline",
    "prosecution",
]
# Serving and measuring.
ENDPOINTS = ["floor", "me", "list", "search", "detail"]
WRK_SCRIPT = r"""
local items = {}
local method, path = "GET", nil
local counter = 0

function init(args)
  for line in io.lines(args[1]) do items[#items + 1] = line end
  method = args[2]
  path = args[3]
  counter = math.random(#items)
  if method == "POST" then wrk.headers["Content-Type"] = "application/json" end
end

function request()
  counter = counter % #items + 1
  if method == "POST" then
    return wrk.format("POST", path, nil, items[counter])
  end
  return wrk.format("GET", items[counter])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


# --- Command line, state directory, keys --------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep, or reuse, the database")
    parser.add_argument("--database-url", help="an empty database (or one this made with --keep)")
    parser.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "samverkan-bench"))
    parser.add_argument("--duration", type=int, default=15, help="seconds per measurement")
    parser.add_argument("--clients", default="1,10,50", help="concurrent clients, comma-separated")
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS))
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class")
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--generate-only", action="store_true")
    return parser.parse_args()


def is_root() -> bool:
    return os.geteuid() == 0


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root."""
    return ["runuser", "-u", "postgres", "--", *command] if is_root() else command


def free_port(start: int) -> int:
    for port in range(start, start + 200):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port from {start}")


def keys(state: Path) -> dict[str, str]:
    """Throwaway keys, kept beside a kept database (its values are sealed with them)."""
    path = state / "bench.env"
    if not path.exists():

        def b64() -> str:
            return base64.b64encode(os.urandom(32)).decode()

        values = {
            "SAMVERKAN_SECRET_KEY": base64.urlsafe_b64encode(os.urandom(40)).decode(),
            "SAMVERKAN_FIELD_KEYS": f"bench1:{b64()}",
            "SAMVERKAN_BLIND_INDEX_KEY": b64(),
            "SAMVERKAN_AUDIT_CHECKPOINT_KEY": b64(),
            "SAMVERKAN_LINKAGE_SECRET": b64(),
        }
        path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
        path.chmod(0o600)
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if line)


def settings_environment(state: Path, database_url: str) -> dict[str, str]:
    """Production settings (DEBUG off) on plain HTTP on loopback."""
    return {
        **keys(state),
        "SAMVERKAN_ENV": "production",
        "SAMVERKAN_DEBUG": "0",
        "SAMVERKAN_DEMO": "0",
        "SAMVERKAN_SSL_REDIRECT": "0",
        "SAMVERKAN_ALLOWED_HOSTS": "127.0.0.1",
        "SAMVERKAN_SITE_URL": "http://127.0.0.1",
        "SAMVERKAN_EMAIL_URL": "consolemail://",
        "SAMVERKAN_VAR_DIR": str(state / "var"),
        "SAMVERKAN_LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "samverkan.settings",
    }


# --- PostgreSQL -----------------------------------------------------------------------


class Cluster:
    """A PostgreSQL 15 cluster under ``state/pg``, pinned to CPU 1 when there are two."""

    # Room for the data in memory, and no checkpoint in the middle of a bulk load.
    SETTINGS = {
        "shared_buffers": "2GB",
        "effective_cache_size": "12GB",
        "work_mem": "32MB",
        "maintenance_work_mem": "1GB",
        "max_wal_size": "20GB",
        "checkpoint_timeout": "30min",
        "max_connections": "100",
    }

    def __init__(self, state: Path):
        self.data = state / "pg" / "data"
        self.log = state / "pg" / "pg.log"
        self.port = 0

    def start(self) -> str:
        if not (PGBIN / "initdb").exists():
            raise SystemExit(f"PostgreSQL 15 is not installed in {PGBIN}")
        if not self.data.exists():
            self.data.parent.mkdir(parents=True, exist_ok=True)
            if is_root():
                shutil.chown(self.data.parent, "postgres")
            subprocess.run(  # noqa: S603  (fixed binaries and our own paths)
                as_postgres(
                    [str(PGBIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"]
                    + ["-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
                ),
                check=True,
                stdout=subprocess.DEVNULL,
            )
        self.port = free_port(54500)
        options = " ".join(f"-c {k}={v}" for k, v in self.SETTINGS.items())
        options += f" -c listen_addresses=127.0.0.1 -c port={self.port} -k {self.data.parent}"
        subprocess.run(  # noqa: S603  (fixed binaries and our own paths)
            as_postgres(
                [str(PGBIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w"]
                + ["-o", options, "start"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def postmaster(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def pin(self, cpu: int) -> None:
        """Move the server and its processes to one CPU; new backends inherit it."""
        for pid in process_tree(self.postmaster()):
            subprocess.run(  # noqa: S603  (util-linux's taskset on our own processes)
                ["taskset", "-p", "-c", str(cpu), str(pid)],  # noqa: S607
                check=True,
                stdout=subprocess.DEVNULL,
            )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(  # noqa: S603  (fixed binaries and our own paths)
                as_postgres([str(PGBIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"]),
                check=False,
                stdout=subprocess.DEVNULL,
            )


# --- Generation (Django is set up by then) ----------------------------------------------

SYLLABLES = [
    "ka", "lo", "mi", "ra", "te", "su", "vo", "ne", "di", "ba", "jo", "ri", "ta", "mo", "le",
    "sa", "ve", "no", "pi", "go", "ha", "li", "ma", "ro", "se", "du", "fe", "ki", "na", "zo",
]  # fmt: skip
# Synthetic names built from syllables: no real person's name, on purpose.
GIVEN = [(a + b).capitalize() for a in SYLLABLES for b in SYLLABLES]
FAMILY = [
    (a + b + c).capitalize() + "son" for a in SYLLABLES[:20] for b in SYLLABLES for c in "nrl"
]
# A case's path through the referral mechanism (evidence text, the stage it reaches);
# a case goes as far along it as its random bytes say.
PATH = [
    ("detected", "", "detection"),
    ("coordination_notified", "", "central_coordination"),
    ("identification_confirmed", "Interview with an interpreter.", "central_coordination"),
    ("needs_assessed", "Needs assessment completed.", "needs_assessment"),
    ("referred_to_assistance", "Place at a partner shelter.", "referral"),
    ("protection_coordinated", "Safety plan agreed with the person.", "protection"),
    ("residence_permit_granted", "Temporary residence permit, six months.", "residence"),
    ("proceedings_initiated", "Preliminary investigation opened.", "legal_proceedings"),
    ("monitoring_started", "Monthly follow-up.", "monitoring"),
    ("closed", "Closed after follow-up.", "closure"),
]
FORMS = ["sexual", "labour", "forced_begging", "forced_criminality", "domestic_servitude",
         "forced_marriage", "benefit_fraud", "other"]  # fmt: skip
ORIGINS = ["RO", "BG", "NG", "VN", "UA", "TH", "AL", "BR", "PL", "ER", "AF", "CN", "SE", "EE"]
AGE_GROUPS = ["18-24", "25-34", "25-34", "35-44", "45-54", "55+", "adult", "12-17"]
SEXES = ["female", "female", "male", "other", "unknown", "female", "male", "male"]
NOTIFIED = ("coordination_notified", "identification_confirmed")
OUTCOMES = ["social_inclusion", "return", "contact_lost"]
SHARED = ["identity", "metadata", "notes", "social"]
# Five years of cases, the newest opened four months ago.
NOW = datetime.now(UTC)
SPAN = timedelta(days=5 * 365)
EPOCH = NOW - SPAN - timedelta(days=120)

# The tables written, their columns in COPY order. Any column left out must be
# nullable: check_columns() holds this against the models before writing.
COLUMNS = {
    "cases.Person": "id uuid sex age_group identity contact secret_location health immigration "
    "created_at",
    "cases.PersonIndex": "id person_id kind digest",
    "cases.Case": "id uuid number person_id lead_organisation_id country municipality "
    "legal_basis stage identification_status countries_of_origin countries_of_transit "
    "countries_of_exploitation confidential_from_law_enforcement exploitation_details "
    "social_needs legal_details opened_at opened_by_id closed_at outcome outcome_country",
    "cases.CaseExploitation": "id case_id form",
    "cases.Milestone": "id uuid case_id kind step track occurred_on recorded_at recorded_by_id "
    "organisation_id evidence_category evidence",
    "cases.CaseEvent": "id case_id kind at membership_id organisation_id counterpart_id",
    "cases.CaseNote": "id uuid case_id author_id organisation_id audience body created_at",
    "cases.Consent": "id uuid person_id basis categories organisation_kinds purposes reference "
    "manner given_on recorded_by_id recorded_at",
    "cases.Participation": "id uuid case_id organisation_id purpose categories basis_id source "
    "granted_by_id granted_at",
    "cases.Deadline": "id uuid case_id kind due_on responsible_organisation_id milestone_id "
    "created_at completed_at",
    "audit.AuditEntry": "id sequence previous_hash entry_hash created_at actor_user_id "
    "actor_membership_id organisation_id action object_type object_id categories reason flags "
    "client_address request_id",
}


def check_columns() -> None:
    from django.apps import apps

    for label, columns in COLUMNS.items():
        model = apps.get_model(label)
        left_out = {f.column for f in model._meta.concrete_fields if not f.null} - set(
            columns.split()
        )
        if left_out:
            raise SystemExit(f"{label}: the generator does not write {sorted(left_out)}")


def case_bytes(i: int) -> bytes:
    """32 reproducible random bytes for case i: its uuid, its person's name, its choices."""
    return hashlib.blake2b(i.to_bytes(8, "big"), digest_size=32).digest()


def case_uuid(i: int) -> str:
    return str(uuid.UUID(bytes=case_bytes(i)[:16], version=4))


def person_name(i: int) -> tuple[str, str]:
    b = case_bytes(i)
    return GIVEN[int.from_bytes(b[16:18]) % len(GIVEN)], FAMILY[
        int.from_bytes(b[18:20]) % len(FAMILY)
    ]


def lead_of(i: int) -> int:
    """The organisation leading case i: round robin, ~5,000 cases each for a million."""
    return i % ORGANISATIONS


def opened_at(i: int, total: int) -> datetime:
    return EPOCH + SPAN * (i / total)


def past(moment: datetime) -> datetime:
    """The later steps of the newest cases have not happened yet."""
    return min(moment, NOW)


class Writer:
    """Builds one chunk's rows as the models store them, fast.

    ``seal`` is ``Sealed.seal`` without a model instance (the same token and
    associated data); ``digest`` is ``crypto.blind_index`` for values that are
    already normalised (lower-case letters and single spaces). Both are checked
    against the real functions before a row is written.
    """

    def __init__(self):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from django.conf import settings

        from samverkan import crypto

        ring = crypto.key_ring()
        self.key_id = ring.current_id
        self.aead = AESGCM(ring.keys[ring.current_id])
        self.prefix = f"{crypto.FORMAT_VERSION}:{ring.current_id}:"
        self.index_key = base64.b64decode(settings.BLIND_INDEX_KEY)
        self.pool = b""
        self.offset = 0
        self.rows = {label: [] for label in COLUMNS}
        self._check(crypto)

    def _check(self, crypto) -> None:
        record = self.uuid()
        token = self.seal("cases.person", "identity", record, {"given_names": "Kalo"})
        assert json.loads(crypto.decrypt(token, context=f"cases.person.identity:{record}"))
        assert self.digest("kalo rason", "name") == crypto.blind_index("Kalo  Rason", kind="name")

    def random(self, size: int) -> bytes:
        if self.offset + size > len(self.pool):
            self.pool, self.offset = os.urandom(1 << 16), 0
        self.offset += size
        return self.pool[self.offset - size : self.offset]

    def uuid(self) -> str:
        h = self.random(16).hex()
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    def seal(self, label: str, field: str, record: str, value) -> str:
        if not value:
            return ""
        nonce = self.random(12)
        aad = f"{label}.{field}:{record}:{self.key_id}".encode()
        sealed = self.aead.encrypt(nonce, json.dumps(value).encode(), aad)
        return self.prefix + base64.urlsafe_b64encode(nonce + sealed).decode()

    def digest(self, normalised: str, kind: str) -> str:
        return hmac.digest(self.index_key, f"{kind}\x1f{normalised}".encode(), "sha256").hex()

    def case(self, i: int, total: int, orgs: list[dict]) -> None:
        from samverkan.cases.workflow import RULES

        rows = self.rows
        b = case_bytes(i)
        pk = i + 1
        org = orgs[lead_of(i)]
        membership, org_id = org["membership"], org["id"]
        at = opened_at(i, total)
        given, family = person_name(i)
        aliases = [GIVEN[b[21] * 3 % len(GIVEN)]] if b[21] < 80 else []
        born = date(1960, 1, 1) + timedelta(days=int.from_bytes(b[22:24]) % 16000)
        dob = born.isoformat() if b[24] < 150 else None
        origin = ORIGINS[b[25] % len(ORIGINS)]
        age_group = AGE_GROUPS[b[27] % len(AGE_GROUPS)]

        person = self.uuid()
        identity = {
            "given_names": given,
            "family_name": family,
            "aliases": aliases,
            "date_of_birth": dob,
            "estimated_age": None if dob else 20 + b[24] % 40,
            "gender": "",
            "citizenships": [origin],
            "languages": ["English"],
            "identity_documents": "Passport held by a third party." if b[26] < 60 else "",
        }
        rows["cases.Person"].append(
            (
                pk,
                person,
                SEXES[b[26] % len(SEXES)],
                age_group,
                self.seal("cases.person", "identity", person, identity),
                self.seal("cases.person", "contact", person, b[27] < 100 and "Via the NGO."),
                "",
                self.seal("cases.person", "health", person, b[28] < 60 and "Needs a dentist."),
                self.seal("cases.person", "immigration", person, b[28] > 200 and "Asylum."),
                at,
            )
        )
        names = {f"{given} {family}".lower(), family.lower(), *(a.lower() for a in aliases)}
        for n, name in enumerate(names):
            rows["cases.PersonIndex"].append((pk * 5 + n, pk, "name", self.digest(name, "name")))
        if dob:
            digest = self.digest(dob, "date_of_birth")
            rows["cases.PersonIndex"].append((pk * 5 + 4, pk, "date_of_birth", digest))

        steps = PATH[: min(b[29] % 11, 9) + 1]
        if b[30] < 100:  # not every case is notified to the coordination agency
            steps = [step for step in steps if step[0] not in NOTIFIED]
        kinds = [kind for kind, _evidence, _stage in steps]
        closed = kinds[-1] == "closed"
        identified = "identification_confirmed" in kinds
        confidential = org["kind"] in ("ngo", "shelter", "hotline") and b[23] < 8
        case = case_uuid(i)
        forms = {FORMS[b[31] % len(FORMS)]}
        if b[21] > 200:
            forms.add(FORMS[b[20] % len(FORMS)])
        rows["cases.Case"].append(
            (
                pk,
                case,
                f"{org['country']}-{at.year}-{pk:08d}",
                pk,
                org_id,
                org["country"],
                org["municipality"],
                "child_protection" if age_group == "12-17" else "consent",
                steps[-1][2],
                "identified" if identified else "presumed",
                origin,
                "DE,PL" if b[22] < 90 else "",
                org["country"],
                confidential,
                self.seal("cases.case", "exploitation_details", case, b[29] < 180 and "Debt."),
                self.seal("cases.case", "social_needs", case, b[30] > 120 and "Accommodation."),
                self.seal(
                    "cases.case",
                    "legal_details",
                    case,
                    "proceedings_initiated" in kinds and "Witness.",
                ),  # fmt: skip
                at,
                membership,
                past(at + timedelta(days=100)) if closed else None,
                OUTCOMES[b[31] % 3] if closed else "",
                origin if closed and b[31] % 3 == 1 else "",
            )
        )
        for n, form in enumerate(sorted(forms)):
            rows["cases.CaseExploitation"].append((pk * 2 + n, pk, form))
        milestones = {}
        for n, (kind, evidence, _stage) in enumerate(steps):
            rule = RULES[kind]
            milestone = self.uuid()
            when = past(at + timedelta(days=n * 10))
            milestones[kind] = (pk * 10 + n, when)
            rows["cases.Milestone"].append(
                (
                    pk * 10 + n,
                    milestone,
                    pk,
                    kind,
                    rule.step,
                    rule.track,
                    when.date(),
                    when,
                    membership,
                    org_id,
                    rule.evidence_category,
                    self.seal("cases.milestone", "evidence", milestone, b[n] & 3 == 0 and evidence),
                )
            )
        rows["cases.CaseEvent"].append((pk * 4, pk, "opened", at, membership, org_id, None))
        for n in range(b[19] % 3 if b[19] < 170 else 0):
            note = self.uuid()
            body = self.seal("cases.casenote", "body", note, "Called; next meeting set.")
            created = past(at + timedelta(days=n + 1))
            rows["cases.CaseNote"].append(
                (pk * 2 + n, note, pk, membership, org_id, "everyone", body, created)
            )
        # One case in five is shared with an organisation of the same country.
        partner = orgs[(lead_of(i) + 10 * (1 + b[17] % 19)) % ORGANISATIONS]
        if b[18] < 51 and not (confidential and partner["kind"] in ("police", "prosecution")):
            shared = json.dumps(SHARED)
            kind = json.dumps([partner["kind"]])
            rows["cases.Consent"].append(
                (pk, self.uuid(), pk, "consent", shared, kind, '["assistance"]', "",
                 "signed_form", at.date(), membership, at)
            )  # fmt: skip
            rows["cases.Participation"].append(
                (pk, self.uuid(), pk, partner["id"], "assistance", shared, pk, "share",
                 membership, at)
            )  # fmt: skip
            rows["cases.CaseEvent"].append(
                (pk * 4 + 1, pk, "shared", at, membership, org_id, partner["id"])
            )
        deadlines = []
        if identified:
            done = "residence_permit_granted" in kinds or closed
            deadlines.append(("reflection_period_ends", 30, "identification_confirmed", done))
        if "residence_permit_granted" in kinds:
            deadlines.append(("residence_permit_renewal", 180, "residence_permit_granted", closed))
        if closed:
            deadlines.append(("retention_ends", 5 * 365, "closed", False))
        for n, (kind, days, start, completed) in enumerate(deadlines):
            milestone_id, when = milestones[start]
            rows["cases.Deadline"].append(
                (pk * 3 + n, self.uuid(), pk, kind, when.date() + timedelta(days=days), org_id,
                 milestone_id, when, past(at + timedelta(days=100)) if completed else None)
            )  # fmt: skip

    def copy(self, database_url: str) -> int:
        import psycopg
        from django.apps import apps

        written = 0
        with psycopg.connect(database_url) as conn, conn.cursor() as cursor:
            for label, rows in self.rows.items():
                if not rows:
                    continue
                table = apps.get_model(label)._meta.db_table
                columns = ", ".join(COLUMNS[label].split())
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                written += len(rows)
                rows.clear()
        return written


def generate_chunk(task: tuple[int, int, int, str, list[dict]]) -> int:
    """Write cases [start, end) and all that hangs off them, in one transaction."""
    start, end, total, database_url, orgs = task
    writer = Writer()
    for i in range(start, end):
        writer.case(i, total, orgs)
    return writer.copy(database_url)


def generate_audit(task: tuple[int, str, list[dict]]) -> tuple[int, str]:
    """Two entries per case (opened, then viewed) in one valid hash chain."""
    from samverkan.audit.models import GENESIS_HASH

    total, database_url, orgs = task
    writer = Writer()
    rows = writer.rows["audit.AuditEntry"]
    previous, sequence = GENESIS_HASH, 0
    actions = [
        ("case.opened", ["exploitation", "identity", "metadata"]),
        ("case.viewed", ["contact", "exploitation", "identity", "metadata", "notes", "social"]),
    ]
    for i in range(total):
        org = orgs[lead_of(i)]
        at = opened_at(i, total)
        for n, (action, categories) in enumerate(actions[:AUDIT_PER_CASE]):
            sequence += 1
            created = at + timedelta(minutes=n)
            # Exactly AuditEntry.content(), hashed as AuditEntry.compute_hash() does.
            content = {
                "previous_hash": previous,
                "created_at": created.isoformat(timespec="microseconds"),
                "actor_user_id": org["user"],
                "actor_membership_id": org["membership"],
                "organisation_id": org["id"],
                "action": action,
                "object_type": "cases.case",
                "object_id": case_uuid(i),
                "categories": categories,
                "reason": "",
                "flags": [],
                "client_address": None,
                "request_id": "",
            }
            canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
            entry_hash = hashlib.sha256(canonical.encode()).hexdigest()
            rows.append(
                (sequence, sequence, previous, entry_hash, created, org["user"],
                 org["membership"], org["id"], action, "cases.case", content["object_id"],
                 json.dumps(categories), "", "[]", None, "")
            )  # fmt: skip
            previous = entry_hash
        if len(rows) >= 200_000:
            writer.copy(database_url)
    writer.copy(database_url)
    return sequence, previous


def create_organisations() -> list[dict]:
    """200 organisations with a case worker each, and the benchmark's case manager in the first."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from samverkan.accounts.models import Membership, Organisation, Role, User

    orgs = []
    for j in range(ORGANISATIONS):
        kind = LEADING_KINDS[(j // len(COUNTRIES)) % len(LEADING_KINDS)]
        organisation = Organisation.objects.create(
            name=f"Bench organisation {j:03d} ({kind})",
            kind=kind,
            country=COUNTRIES[j % len(COUNTRIES)],
            municipality=f"Municipality {j % 37}",
        )
        user = User.objects.create_user(f"worker{j:03d}@bench.invalid", None, full_name=f"W {j}")
        membership = Membership.objects.create(
            user=user, organisation=organisation, role=Role.CASE_MANAGER
        )
        orgs.append(
            {
                "id": organisation.pk,
                "kind": kind,
                "country": organisation.country,
                "municipality": organisation.municipality,
                "user": user.pk,
                "membership": membership.pk,
            }
        )
    user = User.objects.create_user("bench@bench.invalid", None, full_name="Bench Case Manager")
    TOTP.activate(user, generate_totp_secret())
    Membership.objects.create(user=user, organisation_id=orgs[0]["id"], role=Role.CASE_MANAGER)
    return orgs


# Constraints and indexes are dropped for the load and made again after it:
# checking foreign keys row by row at commit costs more than the rest together.
BULK_TABLES = [
    "cases_person", "cases_personindex", "cases_case", "cases_caseexploitation",
    "cases_milestone", "cases_caseevent", "cases_casenote", "cases_consent",
    "cases_participation", "cases_deadline", "audit_auditentry",
]  # fmt: skip


def drop_constraints(conn) -> list[str]:
    """Drop the bulk tables' foreign keys, unique constraints and indexes; return the DDL."""
    tables = BULK_TABLES
    constraints = conn.execute(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype "
        "FROM pg_constraint c WHERE c.contype IN ('f', 'u') AND "
        "(c.conrelid::regclass::text = ANY(%s) OR c.confrelid::regclass::text = ANY(%s))",
        [tables, tables],
    ).fetchall()
    indexes = conn.execute(
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
        [tables],
    ).fetchall()
    # Foreign keys go first (they may need the unique indexes) and come back last.
    constraints.sort(key=lambda row: row[3] != "f")
    for table, name, _definition, _kind in constraints:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for _table, name, _definition in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    recreate = [definition for _table, _name, definition in indexes]
    recreate += [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition, _kind in reversed(constraints)
    ]
    return recreate


def generate(total: int, database_url: str) -> float:
    import psycopg
    from django.db import connection

    from samverkan.audit.models import AuditChainHead

    started = time.perf_counter()
    check_columns()
    orgs = create_organisations()
    connection.close()  # the workers are forked: they must not share it
    with psycopg.connect(database_url, autocommit=True) as conn:
        recreate = drop_constraints(conn)
    tasks = [
        (start, min(start + CHUNK, total), total, database_url, orgs)
        for start in range(0, total, CHUNK)
    ]
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as audit_pool, context.Pool(2) as pool:
        audit = audit_pool.apply_async(generate_audit, [(total, database_url, orgs)])
        rows = 0
        for done, written in enumerate(pool.imap_unordered(generate_chunk, tasks), 1):
            rows += written
            if done % 10 == 0 or done == len(tasks):
                print(
                    f"  {min(done * CHUNK, total):>9,} cases, {rows:,} rows "
                    f"{time.perf_counter() - started:6.0f} s",
                    flush=True,
                )
        sequence, last_hash = audit.get()
    print(f"  {sequence:,} audit entries {time.perf_counter() - started:6.0f} s", flush=True)
    AuditChainHead.objects.filter(pk=1).update(sequence=sequence, entry_hash=last_hash)
    connection.close()
    with psycopg.connect(database_url, autocommit=True) as conn:
        for table in BULK_TABLES:
            # Ids were given explicitly: move the sequences past them.
            maximum = f"SELECT COALESCE(MAX(id), 1) FROM {table}"  # noqa: S608 (fixed names)
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), ({maximum}))")
        for statement in recreate:
            conn.execute(statement)
        print(
            f"  {len(recreate)} indexes and constraints made again "
            f"{time.perf_counter() - started:6.0f} s",
            flush=True,
        )
        conn.execute("VACUUM (ANALYZE)")
        conn.execute("CHECKPOINT")
        seconds = time.perf_counter() - started
        conn.execute(
            "CREATE TABLE bench_meta (cases int, organisations int, seconds float, at timestamptz)"
        )
        conn.execute(
            "INSERT INTO bench_meta VALUES (%s, %s, %s, now())", [total, ORGANISATIONS, seconds]
        )
    return seconds


def check_generated() -> None:
    """The sealed values open and the audit rows hash as the model hashes them."""
    from samverkan.audit.models import AuditChainHead, AuditEntry
    from samverkan.cases.models import Case

    case = Case.objects.select_related("person").get(uuid=case_uuid(0))
    assert case.person.unseal("identity")["family_name"] == person_name(0)[1]
    head = AuditChainHead.objects.get(pk=1)
    last = AuditEntry.objects.get(sequence=head.sequence)
    assert last.compute_hash() == last.entry_hash == head.entry_hash
    sample = AuditEntry.objects.filter(sequence__lte=1000).order_by("sequence")
    assert all(entry.compute_hash() == entry.entry_hash for entry in sample)


def existing_cases(database_url: str) -> int | None:
    """The size of a database this benchmark generated, or None if it is empty."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        if conn.execute("SELECT to_regclass('bench_meta') IS NOT NULL").fetchone()[0]:
            return conn.execute("SELECT cases FROM bench_meta").fetchone()[0]
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()[0]
        if tables:
            raise SystemExit("The database is not empty and was not made by this benchmark.")
    return None


# --- Serving and measuring ---------------------------------------------------------------


def prepare_requests(state: Path, total: int) -> tuple[str, dict[str, tuple[str, str, Path]]]:
    """A token for the benchmark user, and the request lists each endpoint cycles through."""
    from django.urls import reverse

    from samverkan.accounts.models import ApiToken, Membership
    from samverkan.accounts.services import api_token_create
    from samverkan.policy import cases as case_policy

    bench = Membership.objects.select_related("organisation", "user").get(
        user__email="bench@bench.invalid"
    )
    ApiToken.objects.filter(membership=bench, revoked_at__isnull=True).update(
        revoked_at=datetime.now(UTC)
    )
    _token, secret = api_token_create(actor=bench, name="bench")
    visible = list(case_policy.cases_visible_to(bench).values_list("uuid", flat=True))
    led = [i for i in range(0, total, ORGANISATIONS)]
    requests = state / "requests"
    requests.mkdir(exist_ok=True)
    lists = {
        "floor": ("GET", reverse("api-ping"), [reverse("api-ping")]),
        "me": ("GET", reverse("api-me"), [reverse("api-me")]),
        "list": ("GET", reverse("api-cases"), [reverse("api-cases")]),
        "search": (
            "POST",
            reverse("api-case-search"),
            [json.dumps({"name": " ".join(person_name(i))}) for i in led[:1000]],
        ),
        "detail": (
            "GET",
            "",
            [reverse("api-case-detail", args=[case]) for case in visible],
        ),
    }
    files = {}
    for name, (method, path, items) in lists.items():
        file = requests / f"{name}.txt"
        file.write_text("\n".join(items) + "\n")
        files[name] = (method, path, file)
    print(f"  the benchmark user sees {len(visible):,} cases; detail cycles through all of them")
    return secret, files


class Server:
    def __init__(self, state: Path, env: dict[str, str], args: argparse.Namespace):
        self.port = free_port(8600)
        self.log = state / "gunicorn.log"
        pin = ["taskset", "-c", "0"] if os.cpu_count() and os.cpu_count() > 1 else []
        command = pin + [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "samverkan.wsgi",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(args.workers),
            "--worker-class", args.worker_class,
            "--threads", str(args.threads),
            "--backlog", "2048",
            "--log-level", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603  (our own gunicorn)
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def wait(self, secret: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                fetch(self.url + "/api/v1/me/", secret)
                return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"gunicorn did not start; see {self.log}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def fetch(url: str, secret: str, body: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310  (http://127.0.0.1 only)
        url,
        data=body.encode() if body else None,
        headers={"Authorization": f"Token {secret}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def smoke_test(server: Server, secret: str, files: dict) -> None:
    """Each endpoint answers 200 before it is measured; detail and search find the person."""
    for name, (method, path, file) in files.items():
        first = file.read_text().splitlines()[0]
        url = server.url + (path if method == "POST" else first)
        status, body = fetch(url, secret, first if method == "POST" else None)
        if status != 200:
            raise SystemExit(f"{name}: {url} answered {status}: {body[:300]!r}")
        if name == "search" and not json.loads(body).get("results"):
            raise SystemExit("the search found nobody: the names are not indexed as it expects")
    # Case 0 is led by the benchmark's organisation: its sealed name must open.
    from django.urls import reverse

    status, body = fetch(server.url + reverse("api-case-detail", args=[case_uuid(0)]), secret)
    given, family = person_name(0)
    if status != 200 or family.encode() not in body:
        raise SystemExit(f"case detail did not show the decrypted name: {status} {body[:300]!r}")


def cpu_times() -> list[tuple[int, int]]:
    """(busy, total) jiffies per CPU, whoever used them."""
    result = []
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("cpu") and line[3].isdigit():
            values = [int(v) for v in line.split()[1:]]
            idle = values[3] + values[4]
            result.append((sum(values) - idle, sum(values)))
    return result


def process_tree(root: int | None) -> set[int]:
    if root is None:
        return set()
    children = subprocess.run(  # noqa: S603  (procps's pgrep on our own processes)
        ["pgrep", "-P", str(root)],  # noqa: S607
        capture_output=True,
        text=True,
    ).stdout.split()
    return {root, *map(int, children)}


def process_cpu(pids: set[int]) -> dict[int, float]:
    """CPU seconds used so far by each process: the app's and the database's own share,
    whatever else runs on the machine."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


class WaitSampler(threading.Thread):
    """What the database's client backends are doing, ten times a second: how many run,
    wait for a lock (the audit chain head), wait for the WAL to reach the disk, or sit
    in an open transaction while the application works."""

    def __init__(self, database_url: str):
        super().__init__(daemon=True)
        self.database_url = database_url
        self.stopping = threading.Event()
        self.samples = 0
        self.totals = {"active": 0, "lock": 0, "wal": 0, "in_transaction": 0}

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            while not self.stopping.wait(0.1):
                rows = conn.execute(
                    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                    "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() "
                    "AND datname = current_database()"
                ).fetchall()
                self.samples += 1
                for state, wait_type, wait in rows:
                    self.totals["active"] += state == "active"
                    self.totals["lock"] += wait_type == "Lock"
                    self.totals["wal"] += wait in ("WALSync", "WALWrite", "WALWriteLock")
                    self.totals["in_transaction"] += state == "idle in transaction"

    def stop(self) -> dict[str, float]:
        self.stopping.set()
        self.join()
        return {name: total / max(self.samples, 1) for name, total in self.totals.items()}


def settle(roots: dict[str, int | None], database_url: str, limit: float = 180) -> None:
    """Wait until the requests a previous run left queued are served: a slow endpoint
    at 50 clients leaves minutes of work behind, which must not count against the next."""
    import psycopg

    deadline = time.monotonic() + limit
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            app = process_tree(roots["app"])
            before = sum(process_cpu(app).values())
            time.sleep(1)
            busy = sum(process_cpu(app).values()) - before
            active = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                "AND state = 'active' AND pid <> pg_backend_pid()"
            ).fetchone()[0]
            if busy < 0.05 and not active:
                return


def run_wrk(url: str, secret: str, request: tuple[str, str, Path], clients: int, seconds: int,
            lua: Path, roots: dict[str, int | None], database_url: str) -> dict:  # fmt: skip
    method, path, file = request
    pin = ["taskset", "-c", "1"] if os.cpu_count() and os.cpu_count() > 1 else []
    command = pin + [
        "wrk", "-t", "1", "-c", str(clients), "-d", f"{seconds}s", "--timeout", "10s",
        "-H", f"Authorization: Token {secret}", "-s", str(lua), url, "--",
        str(file), method, path,
    ]  # fmt: skip
    settle(roots, database_url)
    trees = {name: process_tree(root) for name, root in roots.items()}
    before = {name: process_cpu(pids) for name, pids in trees.items()}
    before_cpu = cpu_times()
    before_wrk = resource.getrusage(resource.RUSAGE_CHILDREN)
    sampler = WaitSampler(database_url)
    sampler.start()
    output = subprocess.run(  # noqa: S603  (wrk with our own arguments)
        command, capture_output=True, text=True, check=True
    ).stdout
    result_waits = sampler.stop()
    after_wrk = resource.getrusage(resource.RUSAGE_CHILDREN)
    after_cpu = cpu_times()
    result = json.loads(output.split("RESULT ", 1)[1])
    result["waits"] = result_waits
    result["load"] = os.getloadavg()[0]
    seconds_run = result["duration_us"] / 1e6
    result["rps"] = result["requests"] / seconds_run
    result["errors"] = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    wrk_cpu = (after_wrk.ru_utime + after_wrk.ru_stime) - (
        before_wrk.ru_utime + before_wrk.ru_stime
    )
    result["wrk_cpu"] = wrk_cpu / seconds_run
    result["cpu"] = [
        (b1 - b0) / max(t1 - t0, 1)
        for (b0, t0), (b1, t1) in zip(before_cpu, after_cpu, strict=True)
    ]
    for name, pids in trees.items():
        # Processes that started during the run count from zero.
        after = process_cpu(pids | process_tree(roots[name]))
        used = sum(seconds - before[name].get(pid, 0.0) for pid, seconds in after.items())
        result[f"{name}_ms"] = used / max(result["requests"], 1) * 1000 if pids else None
    return result


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("installing wrk (Debian package)", flush=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"],  # noqa: S607  (Debian's apt-get on PATH)
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )


def measure(
    server: Server, cluster, database_url: str, secret: str, files: dict, args: argparse.Namespace
):
    lua = Path(args.dir) / "bench.lua"
    lua.write_text(WRK_SCRIPT)
    roots = {"app": server.process.pid, "db": cluster.postmaster() if cluster else None}
    endpoints = args.endpoints.split(",")
    for name in endpoints:  # every worker's connection and caches warm
        run_wrk(server.url, secret, files[name], 10, 3, lua, roots, database_url)
    results = {}
    for name in endpoints:
        for count in [int(c) for c in args.clients.split(",")]:
            result = run_wrk(
                server.url, secret, files[name], count, args.duration, lua, roots, database_url
            )
            results[name, count] = result
            print(f"  {name:<7} {count:>3} clients: {row(result)}", flush=True)
    return results


def milliseconds(value) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def row(r: dict) -> str:
    w = r["waits"]
    return (
        f"{r['rps']:.0f} req/s | {r['p50'] / 1000:.1f} | {r['p95'] / 1000:.1f} | "
        f"{r['p99'] / 1000:.1f} | {r['errors']} | {milliseconds(r['app_ms'])} | "
        f"{milliseconds(r['db_ms'])} | {r['cpu'][0]:.0%} | {r['cpu'][-1]:.0%} | "
        f"{r['wrk_cpu']:.0%} | {w['active']:.1f} | {w['lock']:.1f} | {w['wal']:.1f} | "
        f"{w['in_transaction']:.1f} | {r['load']:.1f}"
    )


def report(results: dict, args: argparse.Namespace) -> None:
    print()
    print(
        "| endpoint | clients | throughput | p50 ms | p95 ms | p99 ms | errors | app CPU ms/req "
        "| db CPU ms/req | CPU 0 busy | CPU 1 busy | wrk CPU | db active | db lock wait "
        "| db WAL wait | db idle in transaction | load |"
    )
    print("| --- " + "| ---: " * 16 + "|")
    for (name, count), r in results.items():
        print(f"| {name} | {count} | {row(r)} |")
    print()
    for count in [int(c) for c in args.clients.split(",")]:
        if ("detail", count) in results and ("floor", count) in results:
            detail, floor = results["detail", count], results["floor", count]
            if not floor["rps"]:
                continue
            print(
                f"detail/floor at {count} clients: throughput {detail['rps'] / floor['rps']:.2f}"
                + (
                    f", app CPU per request {detail['app_ms'] / floor['app_ms']:.2f}"
                    if detail["app_ms"] and floor["app_ms"]
                    else ""
                )
            )
    if ("detail", 10) in results and ("floor", 10) in results and results["floor", 10]["rps"]:
        p95 = results["detail", 10]["p95"] / 1000
        ratio = results["detail", 10]["rps"] / results["floor", 10]["rps"]
        print(
            f"targets: detail p95 < 50 ms at 10 clients: {p95:.1f} ms "
            f"({'met' if p95 < 50 else 'MISSED'}); detail throughput >= 0.5 x floor: "
            f"{ratio:.2f} ({'met' if ratio >= 0.5 else 'MISSED'})"
        )


# --- Main ------------------------------------------------------------------------------------


def main() -> None:
    args = arguments()
    state = Path(args.dir)
    state.mkdir(parents=True, exist_ok=True)
    (state / "var").mkdir(exist_ok=True)
    cluster = None if args.database_url else Cluster(state)
    server = None
    try:
        database_url = args.database_url or cluster.start()
        os.environ.update(settings_environment(state, database_url))
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        print(f"machine: {os.cpu_count()} CPUs, {cpu_model()}; database {database_url}")
        kept = existing_cases(database_url)
        if kept is not None and kept != args.cases:
            raise SystemExit(f"The kept database has {kept:,} cases, not {args.cases:,}.")
        if kept is None:
            call_command("migrate", verbosity=0)
            call_command("createcachetable", verbosity=0)
            print(f"generating {args.cases:,} cases over {ORGANISATIONS} organisations", flush=True)
            seconds = generate(args.cases, database_url)
            print(f"generation: {seconds:.0f} s for {args.cases:,} cases", flush=True)
        else:
            print(f"reusing the kept database with {kept:,} cases")
        check_generated()
        if args.generate_only:
            return
        ensure_wrk()
        secret, files = prepare_requests(state, args.cases)
        from django.db import connections

        connections.close_all()
        server = Server(state, settings_environment(state, database_url), args)
        server.wait(secret)
        smoke_test(server, secret, files)
        print(
            f"gunicorn: {args.workers} {args.worker_class} workers x {args.threads} threads on "
            f"CPU 0; PostgreSQL and wrk on CPU 1; {args.duration} s per measurement",
            flush=True,
        )
        if cluster is not None:
            cluster.pin(1)
        report(measure(server, cluster, database_url, secret, files, args), args)
    finally:
        if server is not None:
            server.stop()
        if cluster is not None:
            cluster.stop()
            if not args.keep:
                shutil.rmtree(state, ignore_errors=True)


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


if __name__ == "__main__":
    main()
