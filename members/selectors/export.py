from members.models import Sector
from networks.models import Membership, Network


def member_export_rows(*, network: Network) -> list[tuple]:
    """One tuple per membership of the network, in card order, in the export's columns.

    The card reads as printed, the sector and the status as their labels in the active
    language (the coordinator's page), so the file reads like the roster.
    """
    rows = (
        Membership.objects.filter(network=network)
        .order_by("card_number", "id")
        .values_list(
            "card_number",
            "user__first_name",
            "user__last_name",
            "user__email",
            "user__profile__company",
            "user__profile__job_title",
            "user__profile__sector",
            "user__profile__city",
            "status",
            "joined_on",
            "valid_until",
        )
    )
    sectors = dict(Sector.choices)
    statuses = dict(Membership.Status.choices)
    return [
        (
            network.card_label_for(card) if card else "",
            *(value if value is not None else "" for value in names),
            str(sectors.get(sector, sector or "")),
            city or "",
            str(statuses.get(status, status)),
            joined_on,
            valid_until or "",
        )
        for card, *names, sector, city, status, joined_on, valid_until in rows
    ]
