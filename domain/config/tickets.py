"""OTOBO's ticket settings that decide what a customer user sees of tickets."""

from __future__ import annotations

from domain.config.strict_model import StrictModel


class TicketsConfig(StrictModel):
    """``[tickets]``."""

    customer_disable_company_ticket_access: bool = False
    """OTOBO's ``Ticket::Frontend::CustomerDisableCompanyTicketAccess``: on, a customer user
    sees only tickets whose customer user is them, not those of their customer IDs."""
