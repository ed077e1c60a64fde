"""``reoffkit service add|list``: the services of the live tracker, through the audited actions."""

from __future__ import annotations

import argparse

from reoffkit.cli.administration import Refused, operator, refused, setup, validation_text


def add_parser(commands) -> None:
    parser = commands.add_parser("service", help="the services of the live tracker: add, list")
    actions = parser.add_subparsers(dest="service_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add a service (audited as done from the command line by this account)")
    add.add_argument("name", help="e.g. 'Northmoor Youth Justice Service'")
    add.add_argument("--district", action="append", default=[], help="an area the service reports on (repeatable)")
    add.set_defaults(handler=run_add)
    listing = actions.add_parser("list", help="every service with its districts and number of staff")
    listing.set_defaults(handler=run_list)


def run_add(arguments: argparse.Namespace) -> int:
    setup()
    from django.core.exceptions import ValidationError

    from reoffkit.web.tracker import actions

    try:
        service = actions.create_service(by=operator(), name=arguments.name.strip(), districts=[d.strip() for d in arguments.district if d.strip()])
    except ValidationError as error:
        return refused("service add", Refused(validation_text(error)))
    print(f"Service {service.name} added (id {service.pk}) with {len(arguments.district)} district(s). Add its staff with `reoffkit user add`.")
    return 0


def run_list(arguments: argparse.Namespace) -> int:
    setup()
    from reoffkit.web.accounts.queries import services_with_districts

    services = list(services_with_districts().order_by("name"))
    if not services:
        print("No services yet: add one with `reoffkit service add NAME`.")
        return 0
    for service in services:
        districts = ", ".join(d.name for d in service.districts.all()) or "no districts"
        print(f"{service.pk:>4}  {service.name}  ({service.staff_count} staff; {districts})")
    return 0
