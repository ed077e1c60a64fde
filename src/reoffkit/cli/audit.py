"""``reoffkit audit verify``: check the audit log's hash chain and print its head.

Exit codes: 0 the chain is whole (and every ``--anchor`` is still in it); 1 it is broken, with
every place listed; 2 an anchor cannot be read.
"""

from __future__ import annotations

import argparse
import re
import sys

from reoffkit.cli.common import EXIT_BAD_INPUT

EXIT_BROKEN = 1


def anchor(text: str) -> tuple[int, str]:
    match = re.fullmatch(r"\s*(\d+)\s*:\s*([0-9a-fA-F]{64})\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a head printed by `reoffkit audit verify`: POSITION:HASH (64 hexadecimal digits)")
    return int(match.group(1)), match.group(2).lower()


def add_parser(commands) -> None:
    parser = commands.add_parser("audit", help="the audit log: verify its hash chain")
    actions = parser.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = actions.add_parser(
        "verify",
        help="recompute the audit log's hash chain: any event changed, deleted or inserted is reported with where it is",
        description="Recompute the audit log's hash chain and print its head (position:hash). Record the head outside the "
        "database (a ticket, the service's records) and pass earlier heads back with --anchor: that also catches "
        "the newest events being deleted, or the whole chain being recomputed.",
    )
    verify.add_argument(
        "--anchor", type=anchor, action="append", default=[], metavar="POSITION:HASH",
        help="a head printed by an earlier run, which must still be in the log unchanged (repeatable)",
    )  # fmt: skip
    verify.set_defaults(handler=run_verify)


def run_verify(arguments: argparse.Namespace) -> int:
    from reoffkit.web.server import setup_django

    setup_django()
    from reoffkit.web.tracker.auditchain import verify

    anchors = dict(arguments.anchor)
    if len(anchors) != len(arguments.anchor):
        print("each position may be given as an --anchor once", file=sys.stderr)
        return EXIT_BAD_INPUT
    result = verify(anchors)
    if result.ok:
        print(f"The audit log is whole: {result.events:,} events, every hash checked" + (f", {len(anchors)} recorded head(s) found unchanged." if anchors else "."))
        print(f"Head: {result.head_seq}:{result.head_hash}")
        print("Record the head outside the database; pass it to a later run with --anchor to check nothing after it was removed.")
        return 0
    print(f"The audit log is NOT whole: {len(result.findings)} problem(s) in {result.events:,} events:", file=sys.stderr)
    for finding in result.findings:
        print(f"  - {finding}", file=sys.stderr)
    print(f"Head as it stands: {result.head_seq}:{result.head_hash}", file=sys.stderr)
    return EXIT_BROKEN
