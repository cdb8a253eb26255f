"""``samverkan linkage encode``: encode an agency's people CSV, without Django or a database.

    SAMVERKAN_LINKAGE_SECRET=... samverkan linkage encode people.csv \\
        --agency-kind ngo --period 2026 --out encodings.json

With ``--schema`` a clkhash v3 schema (``HKDF``), the records are encoded
bit for bit as clkhash (anonlink-client's ``anonlink encode``) encodes them
when given the same base64 secret text: the CSV then has the schema's
features as columns.

Only encodings and non-identifying breakdown fields are written; the secret
comes from the environment, never from the command line (where other users
of the machine could read it).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date

from tqdm import tqdm

from samverkan.linkage.encoding import encode_standardised, parse_secret
from samverkan.linkage.errors import InputError, LinkageError, Problem
from samverkan.linkage.files import (
    AGENCY_KINDS,
    Period,
    read_people_csv,
    write_clks_file,
    write_encodings_file,
)
from samverkan.linkage.schema import default_schema, load_schema

SECRET_VARIABLE = "SAMVERKAN_LINKAGE_SECRET"  # noqa: S105 (a name, not a secret)


def _period(args) -> Period:
    if args.period:
        try:
            year = int(args.period)
        except ValueError:
            raise InputError([Problem(0, "--period", "period_not_a_year")]) from None
        return Period(date(year, 1, 1), date(year, 12, 31))
    try:
        return Period(date.fromisoformat(args.start), date.fromisoformat(args.end))
    except (TypeError, ValueError):
        raise InputError([Problem(0, "--start/--end", "period_options")]) from None


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="samverkan linkage encode",
        description="Encode people for privacy-preserving record linkage.",
    )
    command.add_argument(
        "csv",
        help="people CSV: given_names, family_name, date_of_birth, "
        "sex, citizenship (or a clkhash schema's features); optional "
        "exploitation_form, identification, registered_on",
    )
    command.add_argument("--out", required=True, help="the encodings file to write (JSON)")
    command.add_argument(
        "--schema",
        help="a schema file (default: Samverkan's person v1); a clkhash v3 schema "
        "encodes whole records as clkhash does",
    )
    command.add_argument(
        "--clks",
        action="store_true",
        help="write clkhash's {\"clks\": [...]} (for anonlink's tools) instead of an "
        "encodings file; no agency kind or period then",
    )
    command.add_argument("--agency-kind", choices=AGENCY_KINDS)
    command.add_argument("--period", help="a calendar year, e.g. 2026")
    command.add_argument("--start", help="first day of the period (YYYY-MM-DD)")
    command.add_argument("--end", help="last day of the period (YYYY-MM-DD)")
    command.add_argument("--quiet", action="store_true", help="no progress bar")
    return command


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        secret = parse_secret(os.environ.get(SECRET_VARIABLE, ""))
        schema = load_schema(args.schema) if args.schema else default_schema()
        if not args.clks and not args.agency_kind:
            raise InputError([Problem(0, "--agency-kind", "agency_kind_required")])
        # A CLK file holds no breakdowns, so any period reads the people.
        period = _period(args) if not args.clks else Period(date.min, date.max)
        records, breakdowns = read_people_csv(args.csv, schema, period)
        with tqdm(total=len(records), unit="records", disable=args.quiet, file=sys.stderr) as bar:
            encodings = encode_standardised(records, schema, secret, progress=bar.update)
        if args.clks:
            write_clks_file(args.out, encodings)
        else:
            write_encodings_file(
                args.out,
                encodings,
                agency_kind=args.agency_kind,
                period=period,
                breakdowns=breakdowns,
            )
    except InputError as error:
        for problem in error.problems:
            where = f"line {problem.line}, {problem.column}" if problem.line else problem.column
            print(f"{args.csv}: {where}: {problem.message}", file=sys.stderr)
        return 2
    except LinkageError as error:
        print(f"samverkan linkage encode: {error}", file=sys.stderr)
        return 2
    print(f"{len(encodings)} records encoded into {args.out}", file=sys.stderr)
    return 0
