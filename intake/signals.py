from django.dispatch import Signal

# Something happened to a case on the family side: submitted, family_viewed, family_replied, ...
# Sent inside the transaction that made the change, with keyword arguments
# case, action, ip and detail (a dict without health details). The reviewer side records it.
case_event = Signal()
