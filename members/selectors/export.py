from networks.models import Membership, Network


def member_export_rows(*, network: Network) -> list[tuple]:
    """One tuple per membership of the network, in card order, in the export's columns."""
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
    code = network.card_code
    return [
        (
            f"{code}-{card:06d}" if card else "",
            *(value if value is not None else "" for value in rest),
        )
        for card, *rest in rows
    ]
